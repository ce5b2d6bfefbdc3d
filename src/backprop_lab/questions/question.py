"""A question: everything the project knows about one graded stub, in one declaration.

An assignment's questions are declared in a module of this package (``a1_forward.py``
holds ``sigmoid``, ``sigmoid_prime``, ...; an instructor's new question can have a file
of its own, see ``assignments/AUTHORING.md``). :mod:`.registry` finds every
:class:`Question` by walking the package; the judge, the public checks, the mutation
tool, the reports and the docs tables read only the registry. Points are not here: they
are in the master notebook's test configs, the Otter way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..course.contract import Contract
from .case import Case

#: The parts every question may have (``finite_differences`` where its cases carry the
#: oracle); a question's ``extra_parts`` adds others.
BASE_PARTS = ("reference", "finite_differences", "inputs_unchanged")
#: How a question draws ``n`` cases from a generator (hidden and public cases alike).
Draw = Callable[[np.random.Generator, int], list[Case]]


@dataclass(frozen=True)
class Mistake:
    """A known mistake, as a mutant the judge runs to name it.

    ``code`` is a mistake code (docs/contract.md, section 3, or a new one with its
    ``summary``, one line for the class report); ``mutant`` is the stub written with the
    mistake: a function with the stub's signature, or the body of one as source (run in
    the namespace of :mod:`.mistakes`: ``np``, the course's sigma and sigma', and its
    helpers); ``message`` says what to look at, in the student's terms."""

    code: str
    mutant: str | Callable
    message: str
    summary: str = ""


@dataclass(frozen=True)
class Question:
    """One graded stub.

    Its contract and reference:
        name: the stub's name: the function students write, the Otter question's name.
        assignment: the master notebook it belongs to (``a1_forward``).
        reference: the answer key, with the stub's exact signature and docstring.
        draw: how its cases are drawn (hidden ones from each submission's key, public ones
            from the development key); a case with ``finite_differences`` also serves the
            ``finite_differences`` part, its oracle independent of ``reference``.
    How its results are named and compared (the student-safe :class:`Contract`):
        outputs, layered, scale, may_alias, hints: see :class:`Contract`; ``scale`` sets
        the absolute floor of the tolerance (docs/contract.md, section 3).
    What it may call and what it gets wrong:
        builds_on: the earlier stubs it is meant to call; their calls get the reference's
            answer, so a mistake in one costs points only where that one is graded.
        mistakes: its named mistakes (:class:`Mistake`).
        batched: its result is a sum over the ``len(args[0])`` rows of a batch.
        elementwise: a function of each number alone: the public checks answer calls to
            it from a table of values.
        recorded_forms: other ways of writing it from its building blocks (as source of a
            def of the same name) whose calls the public checks answer too.
        sweep: one argument tuple from a generator, wider than ``draw``'s cases, for the
            mutation tool to tell equivalent mutants (None: ``draw``'s cases).
        extra_parts: the hidden parts about how, not what, each with its own cases:
            ``no_loop_over_examples`` (pairs of cases, N small then large, judged by the
            Python lines the notebook's code runs).
    """

    name: str
    assignment: str
    reference: Callable
    draw: Draw
    outputs: str | tuple[str, ...] = "the result"
    layered: bool = True
    scale: float | None = None
    may_alias: bool = False
    hints: Mapping[str, str] = field(default_factory=dict)
    builds_on: frozenset[str] = frozenset()
    mistakes: tuple[Mistake, ...] = ()
    batched: bool = False
    elementwise: bool = False
    recorded_forms: tuple[str, ...] = ()
    sweep: Callable[[np.random.Generator], tuple] | None = None
    extra_parts: Mapping[str, Draw] = field(default_factory=dict)

    @property
    def contract(self) -> Contract:
        return Contract(self.name, self.outputs, self.layered, self.scale, self.may_alias,
                        dict(self.hints), tuple(self.parameters))

    @property
    def parameters(self) -> list[str]:
        return list(inspect.signature(self.reference).parameters)
