"""A counterexample the student can run: when a stub's result is wrong and no mistake
has a name, the smallest case of its own hidden draw on which it still differs, as lines
of Python to paste into the notebook.

How it is found, like the shrinking of property-based testing: :func:`.shrinking.ladder`
cuts the failing case down (fewer layers, narrower widths, fewer examples, rounded
numbers) into at most :data:`.shrinking.MOST` candidates, smallest first; the stub is
called once on each, all in one go (``call``: one extra harness run in the kernel when
grading, or in-process); the grader judges each result against the reference, as it
judges hidden cases, and keeps the smallest candidate (fewest layers, then fewest
numbers) that still fails the same way (wrong values, a wrong shape, or the same
exception), else the smallest that fails at all. Nothing the kernel says is
trusted: only its raw results are read, and only to choose and show a case.

The candidates come from the submission's own secret draw, so showing them gives nothing
away for another submission. Scores never change: a counterexample is one more message.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..course.calls import TIMED_OUT, Raw
from ..course.smooth import SmoothFunction
from ..questions.case import Case
from ..questions.registry import question
from .differing import differing_leaf, first_leaf
from .judge import REFERENCES, judge
from .shrinking import DERIVED, ladder

#: Calls the stub on a list of cases, in one go: its raw results, or None (it failed).
Caller = Callable[[str, list[Case]], Sequence[Raw] | None]

#: The most time the extra harness run of one stub may take (within the submission's
#: deadline too): its candidates are smaller than the hidden cases the stub already ran.
EXTRA_SECONDS = 10.0

LEAD = ("A smaller case where {stub} differs from the reference solution (cut down from "
        "your own hidden cases); paste it into a cell to see it:")


def failing(stub: str, cases: list[Case], raws: list[Raw]) -> tuple[Case, Raw] | None:
    """The first case of the reference part that fails with no mistake named (None:
    every case passes, or the stub is not implemented or ran out of time)."""
    for case, raw in zip(cases, raws, strict=True):
        if raw.not_implemented or _timed_out(raw):
            return None
        verdict = judge(stub, "reference", [case], [raw])
        if not verdict.passed and not verdict.diagnoses:
            return case, raw
    return None


def find(stub: str, case: Case, raw: Raw, call: Caller) -> str | None:
    """The counterexample of ``stub`` failing on ``case`` (``raw``), as the message the
    student reads, or None: no ladder for this stub, or no candidate fails.

    ``call`` is made once, on at most :data:`.shrinking.MOST` candidates."""
    expected = _expected(stub, case.args)
    candidates = ladder(stub, case.args, expected, raw.value)
    if not candidates:
        return None
    drawn = [Case(args, "a smaller case") for args in candidates]
    try:
        got = call(stub, drawn)
    except Exception:  # no counterexample is better than a grading error
        return None
    if got is None or len(got) != len(drawn):
        return None
    want = _how(stub, case, raw)
    how = [_how(stub, small, small_raw) for small, small_raw in zip(drawn, got, strict=True)]
    fails = [i for i, h in enumerate(how) if h == want] or [  # else any other failure
        i for i, h in enumerate(how) if h is not None and not _timed_out(got[i])]
    if not fails:
        return None
    small, small_raw = drawn[fails[0]], got[fails[0]]
    return LEAD.format(stub=stub) + "\n" + snippet(stub, small.args,
                                                    _expected(stub, small.args), small_raw)


def in_process(env: dict) -> Caller:
    """A :data:`Caller` that calls the notebook namespace ``env``'s stub in this process,
    with the harness of the tests, the Otter path and the mutation tool."""
    from ..running.harness import run

    return lambda stub, drawn: run(env, stub, [c.args for c in drawn], REFERENCES)


def add_counterexamples(questions: list[dict], cases: dict, raws: dict, call: Caller) -> None:
    """Add a counterexample to each question record (:func:`.scoring.score_question`)
    that lost points in its ``reference`` part and names no mistake; a record that
    passed or names a mistake is left as it is. The message follows the question's
    other messages, so it is shown wherever they are (Gradescope's visibility too)."""
    for record in questions:
        stub = record["name"]
        lost = any(p["part"] == "reference" and p["score"] < p["max_score"]
                   for p in record.get("parts", []))
        if record["diagnoses"] or not lost or (stub, "reference") not in raws:
            continue
        found = failing(stub, cases[(stub, "reference")], raws[(stub, "reference")])
        message = found and find(stub, *found, call)
        if message:
            record["messages"].append(message)


def extra_deadline(deadline: float) -> float:
    """When the extra harness run of one stub must end: :data:`EXTRA_SECONDS` from now,
    or the submission's ``deadline`` if sooner."""
    return min(deadline, time.monotonic() + EXTRA_SECONDS)


def _timed_out(raw: Raw) -> bool:
    return (raw.error or "").startswith(TIMED_OUT)


def _expected(stub: str, args: tuple):
    from ..course.values import as_tree

    return as_tree(REFERENCES[stub](*copy.deepcopy(args)))


def _how(stub: str, case: Case, raw: Raw) -> tuple | None:
    """How a call fails: the exception's type, a wrong shape, or wrong values (None: it
    passes)."""
    verdict = judge(stub, "reference", [case], [raw])
    if verdict.passed:
        return None
    if raw.error or raw.not_implemented:
        return ("raises", (raw.error or "").split(":")[0])
    if {"shape_mismatch", "transposed"} & set(verdict.diagnoses):
        return ("shape",)
    return ("values",)


def snippet(stub: str, args: tuple, expected, raw: Raw) -> str:
    """Lines that build ``args``, call ``stub`` on them and print the first part of the
    result that differs, with the expected value and the stub's in a comment (or, when
    the stub raised, the first part of the expected result and what it raised)."""
    names = question(stub).parameters[:len(args)]
    derived = DERIVED.get(stub, {})
    given = [p for i, p in enumerate(names) if i not in derived]
    lines = _joined([s for n, a in zip(names, args, strict=True) if n in given
                     for s in assigned(n, a)])
    lines += [f"{names[i]} = {formula}" for i, formula in derived.items()]
    outputs = question(stub).outputs
    named = isinstance(outputs, tuple) and all(o.isidentifier() for o in outputs)
    result = ", ".join(outputs) if named else "result"
    lines.append(f"{result} = {stub}({', '.join(names)})")
    raised = bool(raw.error or raw.not_implemented)
    path, want, got = first_leaf(expected) if raised else differing_leaf(expected, raw.value)
    label = (outputs[path[0]] + _index(path[1:])) if named and path else result + _index(path)
    if raised:  # the reference gives the first part; the student's call raises
        why = " ".join((raw.error or "it returned None").split(". ")[0][:200].split())
        why = why.replace("`", "'")  # one line of a comment, and of a Markdown code block
        lines.append(f"# expected {label} = {compact(want)}; yours raises: {why}")
    else:
        shown, theirs = _apart(want, got)
        lines.append(f"print({label})  # expected {shown}; yours: {theirs}")
    return "\n".join(lines)


def assigned(name: str, value) -> list[str]:
    """The statements that give ``name`` its ``value`` (a smooth function: its matrix,
    then its formula)."""
    if isinstance(value, SmoothFunction):
        return [f"A = {literal(value.A)}",
                f"{name} = lambda theta: 0.5 * theta @ A @ theta + np.sum(np.sin(theta))"]
    return [f"{name} = {literal(value)}"]


def literal(value) -> str:
    """Python source for ``value``: ``np.array([[0.5, 1.0]])``, a list of those, a number."""
    if isinstance(value, np.ndarray):
        body = _nested(value.tolist())
        return f"np.array({body})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return _nested(value.item() if isinstance(value, np.generic) else value)


def _nested(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value + 0.0)
    return repr(value)


def compact(value, precision: int = 4) -> str:
    """A value as printed in the comment: 4 significant digits."""
    if value is None:
        return "None"
    if isinstance(value, list):
        return "[" + ", ".join(compact(v, precision) for v in value) + "]"
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return f"{float(array):.{precision}g}"
    text = np.array2string(array, precision=precision, separator=", ", max_line_width=10**6,
                           floatmode="maxprec", suppress_small=False)
    return " ".join(text.split())  # one line: it is a comment


def _apart(want, got) -> tuple[str, str]:
    """Both values at the fewest digits (4 to 12) that tell them apart."""
    for precision in range(4, 13):
        a, b = compact(want, precision), compact(got, precision)
        if a != b:
            return a, b
    return a, b


def _index(path) -> str:
    return "".join(f"[{i}]" for i in path or ())


def _joined(parts: list[str], width: int = 100) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "; " + part
        else:
            lines.append(part)
    return lines
