"""Judge raw results: compare with the reference and with finite differences, name mistakes.

Runs in the grading process on what :mod:`.harness` returned; never calls student code.
"""

from __future__ import annotations

import copy

import numpy as np

from ..course.calls import Raw
from ..course.compare import (
    TOLERANCE,
    Verdict,
    absolute_floor,
    as_tree,
    judge_call,
    with_floor,
)
from ..engine import relative_error
from ..questions.cases import Case
from ..questions.question import BASE_PARTS
from ..questions.registry import question, questions
from .mutants import diagnose

PARTS = (*BASE_PARTS, "no_loop_over_examples")
#: Each part as a student reads it, at the head of its messages.
PART_WORDS = {"reference": "Compared with the reference solution",
              "finite_differences": "Compared with finite differences",
              "inputs_unchanged": "Checking that your inputs are left unchanged",
              "no_loop_over_examples": "Checking that there is no loop over the examples"}
#: The parts judged by the Python lines the notebook's code runs (course/lines.py).
COUNTED = frozenset({"no_loop_over_examples"})

#: Each stub's reference, from its question.
REFERENCES = {name: q.reference for name, q in questions().items()}
#: Each stub's building blocks (its question's ``builds_on``): the earlier stubs it is
#: meant to call, whose calls get the reference answer (docs/contract.md, section 3).
BUILDS_ON = {name: q.builds_on for name, q in questions().items()}


def relative_close(a: np.ndarray, b: np.ndarray) -> bool:
    """The spec's relative test alone: ||a-b|| / (||a|| + ||b||) at most 1e-6."""
    return relative_error(a, b) <= TOLERANCE


def closeness(stub: str, expected, part: str = "reference"):
    """The test one case of ``stub`` is judged by: the relative error at most 1e-6, or
    every difference within the absolute floor of :func:`..course.compare.absolute_floor`
    (the floor for centered differences in the ``finite_differences`` part)."""
    floor = absolute_floor(question(stub).scale, expected, part == "finite_differences")
    return with_floor(relative_close, floor)


def argument_name(stub: str, path: tuple[int, ...]) -> str:
    params = question(stub).parameters
    name = params[path[0]] if path[0] < len(params) else f"argument {path[0] + 1}"
    return name + "".join(f"[{i}]" for i in path[1:])


def expected_value(stub: str, case: Case, part: str):
    if part == "finite_differences":
        return as_tree(case.finite_differences())
    return as_tree(REFERENCES[stub](*copy.deepcopy(case.args)))


def judge(stub: str, part: str, cases: list[Case], raws: list[Raw], limit: int = 1) -> Verdict:
    """One part of one stub's question: passed only if every case passes.

    Messages come from the ``limit`` most informative failing cases (a batch case when
    only the batch cases fail; else a case whose mistake has a name), then a count."""
    if not cases:
        raise ValueError(f"{stub} has no cases for the part {part!r}: check the test's part name")
    if part in COUNTED:
        return _judge_lines(stub, cases, raws)
    verdict, failing = Verdict(), []
    for case, raw in zip(cases, raws, strict=True):
        verdict.notes += [n for n in raw.notes if n not in verdict.notes]
        try:
            found = _judge_case(stub, part, case, raw)
        except Exception as error:  # a bug of ours costs this case, never the notebook
            found = Verdict(False, [f"the grading of this case failed: "
                                    f"{type(error).__name__}: {error}"])
        if not found.passed:
            failing.append((case, found))
    if not failing:
        return verdict
    singles = [c for c in cases if c.examples == 1]
    batch_only = bool(singles) and all((c.examples or 1) > 1 for c, _ in failing)
    shown = sorted(failing, key=lambda cf: not cf[1].diagnoses)[:limit]
    for case, found in shown:
        lead = (f"Right for a single example (N = 1), but the batch case fails "
                f"(N = {case.examples} examples, one per column). " if batch_only else "")
        for message in found.messages:
            verdict.fail(f"{lead}{PART_WORDS.get(part, part)}, on {case.context}: {message}")
            lead = ""
    for _, found in failing:
        verdict.fail("", *found.diagnoses)
    verdict.messages = [m for m in verdict.messages if m]
    if len(failing) > limit:
        verdict.messages.append(f"({PART_WORDS.get(part, part)}: {len(failing)} of "
                                f"{len(cases)} cases failed.)")
    return verdict


def _judge_case(stub: str, part: str, case: Case, raw: Raw) -> Verdict:
    if raw.not_implemented or raw.error:
        return judge_call(question(stub).contract, raw, None,
                          arguments=lambda path: argument_name(stub, path))
    expected = expected_value(stub, case, "reference" if part == "inputs_unchanged" else part)
    close = closeness(stub, expected, part)
    verdict = judge_call(question(stub).contract, raw, expected, batch=case.batch, close=close,
                         values=part != "inputs_unchanged", mutation=part == "inputs_unchanged",
                         arguments=lambda path: argument_name(stub, path), args=case.args)
    if not verdict.passed:
        for code, message in diagnose(stub, case.args, raw.value, close):
            verdict.fail(message, code)
    return verdict


def _judge_lines(stub: str, cases: list[Case], raws: list[Raw]) -> Verdict:
    """Right values on every case, and, for each pair (N small, then large, on one
    network), fewer extra lines run in notebook code than extra examples."""
    words = PART_WORDS["no_loop_over_examples"]
    for case, raw in zip(cases, raws, strict=True):
        if not _judge_case(stub, "reference", case, raw).passed:
            return Verdict(False, [f"{words}: not checked until {stub} returns the right "
                                   "values (see the other parts)."])
    pairs = list(zip(cases, raws, strict=True))
    for (few, a), (many, b) in zip(pairs[::2], pairs[1::2], strict=True):
        if a.lines is None or b.lines is None:
            return Verdict(False, [f"{words}: the lines {stub} runs could not be counted "
                                   "(the notebook replaces Python's trace function, "
                                   "sys.settrace), so this part earns nothing."])
        if b.lines - a.lines >= many.examples - few.examples:
            return Verdict(False, [
                f"{words}, on {many.context}: your code ran {a.lines} Python lines for "
                f"N = {few.examples} examples and {b.lines} for N = {many.examples}. The work "
                "grows with the number of examples, so something loops over them (a for "
                "loop over the rows or columns, a comprehension or map over the examples, or "
                "a call per example). Part 5 asks for none: compute each layer for all N "
                "columns at once (Z = W @ A + b, BP1-BP4 on whole matrices)."],
                ["loops_over_examples"])
    return Verdict()


def failure_text(verdict: Verdict) -> str:
    """The message an Otter test raises: the messages, then the mistake codes."""
    lines = list(verdict.messages) + list(verdict.notes)
    if verdict.diagnoses:
        lines.append("Named mistakes: " + ", ".join(verdict.diagnoses))
    return "\n".join(lines)
