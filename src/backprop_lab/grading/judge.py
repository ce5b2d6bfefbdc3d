"""Judge raw results: compare with the reference and with finite differences, name mistakes.

Runs in the grading process on what :mod:`.harness` returned; never calls student code.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np

from .. import engine
from ..course.calls import Raw
from ..course.compare import TOLERANCE, Verdict, as_tree, judge_call
from .cases import Case
from .mutants import diagnose

PARTS = ("reference", "finite_differences", "inputs_unchanged")

REFERENCES = {name: getattr(engine, name) for name in engine.STUBS}

_ACTIVATIONS = frozenset({"sigmoid", "sigmoid_prime"})
_EQUATIONS = frozenset({"bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient",
                        "bp4_weight_gradient"})
#: The stubs each stub builds on. When a student's stub calls one of these, it gets the
#: reference version (so a mistake in one stub costs points only where it is graded);
#: any other function it calls is the student's own.
BUILDS_ON: dict[str, frozenset[str]] = {
    "sigmoid_prime": frozenset({"sigmoid"}),
    "feedforward": _ACTIVATIONS,
    "backprop_1D": _ACTIVATIONS,
    "backprop_loops": _ACTIVATIONS,
    "bp1_output_error": _ACTIVATIONS,
    "bp2_hidden_error": _ACTIVATIONS,
    "backprop_vectorized": _ACTIVATIONS | _EQUATIONS | {"feedforward"},
    "backprop_batch": _ACTIVATIONS | _EQUATIONS | {"feedforward"},
    "set_params": frozenset({"get_params"}),
    "sgd_epoch": _ACTIVATIONS | _EQUATIONS | {"feedforward", "backprop_batch"},
    "feedforward_augmented": _ACTIVATIONS | {"add_bias_column"},
    "backprop_row_major": _ACTIVATIONS,
}


def relative_close(a: np.ndarray, b: np.ndarray) -> bool:
    """The spec's test: relative error ||a-b|| / (||a|| + ||b||) at most 1e-6."""
    return engine.relative_error(a, b) <= TOLERANCE


def argument_name(stub: str, path: tuple[int, ...]) -> str:
    params = list(inspect.signature(REFERENCES[stub]).parameters)
    name = params[path[0]] if path[0] < len(params) else f"argument {path[0] + 1}"
    return name + "".join(f"[{i}]" for i in path[1:])


def expected_value(stub: str, case: Case, part: str):
    if part == "finite_differences":
        return as_tree(case.finite_differences())
    return as_tree(REFERENCES[stub](*copy.deepcopy(case.args)))


def judge(stub: str, part: str, cases: list[Case], raws: list[Raw], limit: int = 1) -> Verdict:
    """One part of one stub's question: passed only if every case passes.

    Messages come from the first ``limit`` failing cases, then a count of them all."""
    if not cases:
        raise ValueError(f"{stub} has no cases for the part {part!r}: check the test's part name")
    verdict, failures = Verdict(), 0
    for case, raw in zip(cases, raws, strict=True):
        found = _judge_case(stub, part, case, raw)
        if found.passed:
            continue
        failures += 1
        if failures <= limit:
            for message in found.messages:
                verdict.fail(f"On {case.context}: {message}", *found.diagnoses)
        else:
            verdict.fail("", *found.diagnoses)
    verdict.messages = [m for m in verdict.messages if m]
    if failures > limit:
        verdict.messages.append(f"({failures} of {len(cases)} cases failed in all.)")
    return verdict


def _judge_case(stub: str, part: str, case: Case, raw: Raw) -> Verdict:
    if raw.not_implemented or raw.error:
        return judge_call(stub, raw, None, arguments=lambda path: argument_name(stub, path))
    expected = expected_value(stub, case, "reference" if part == "inputs_unchanged" else part)
    verdict = judge_call(stub, raw, expected, batch=case.batch, close=relative_close,
                         values=part != "inputs_unchanged", mutation=part == "inputs_unchanged",
                         arguments=lambda path: argument_name(stub, path))
    if not verdict.passed:
        for code, message in diagnose(stub, case.args, raw.value, relative_close):
            verdict.fail(message, code)
    return verdict


def failure_text(verdict: Verdict) -> str:
    """The message an Otter test raises: the messages, then the mistake codes."""
    lines = list(verdict.messages)
    if verdict.diagnoses:
        lines.append("Named mistakes: " + ", ".join(verdict.diagnoses))
    return "\n".join(lines)
