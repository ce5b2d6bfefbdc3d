"""Every question of the course, found by walking this package (nothing is listed by hand).

A module of :mod:`backprop_lab.questions` declares questions as module-level
:class:`~.question.Question` values. The course order is the assignments' order, then,
within an assignment, its own module's declarations (``a1_forward.py`` for
``a1_forward``) before those of other files (alphabetically), each in declaration order.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from .question import Question


class QuestionError(LookupError):
    """A question that is not declared, or declared wrongly."""


@functools.cache
def questions() -> dict[str, Question]:
    """name -> Question, in course order. Checked: names unique, building blocks known
    and earlier in the course, references taking the stub's name."""
    from .. import questions as package

    found: list[tuple[tuple, Question]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for position, value in enumerate(vars(module).values()):
            if isinstance(value, Question):
                rank = (value.assignment, info.name != value.assignment, info.name, position)
                found.append((rank, value))
    out: dict[str, Question] = {}
    for _, q in sorted(found, key=lambda rq: rq[0]):
        if q.name in out and out[q.name] is not q:
            raise QuestionError(f"question {q.name!r} is declared twice")
        unknown = sorted(q.builds_on - set(out))
        if unknown:
            raise QuestionError(f"question {q.name!r} builds on {', '.join(unknown)}, which "
                                "no earlier question declares")
        out[q.name] = q
    return out


def question(name: str) -> Question:
    """The question ``name``, or a :class:`QuestionError` that says where to declare it."""
    try:
        return questions()[name]
    except KeyError:
        raise QuestionError(
            f"no question named {name!r}: declare it as a Question in a module of "
            "src/backprop_lab/questions/ (assignments/AUTHORING.md, 'Adding a question')"
        ) from None


def names() -> tuple[str, ...]:
    """Every stub's name, in course order."""
    return tuple(questions())


def course_index(name: str) -> int:
    """A stub's place in the course, for sorting (unknown names last)."""
    order = names()
    return order.index(name) if name in order else len(order)
