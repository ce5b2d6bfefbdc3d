"""What a hidden Otter test cell calls: ``hidden("<stub>", "<part>", env)``.

This is the Gradescope path: Otter runs it inside the student's kernel, so it draws the
part's cases, runs the stub (harness) and judges the results in that process, and raises
AssertionError with the student-facing explanation on failure. Before that it refuses
credit where it can see foul play: a stub not defined in a notebook cell, numpy or the
harness replaced from the notebook, or notebook code that reaches for this package.
``backprop-lab grade`` does not use this module (see the README for what each path
protects).
"""

from __future__ import annotations

import types
from collections.abc import Mapping

from ..course.calls import from_notebook, tampered
from ..course.standins import foreign
from ..questions.cases import draw_cases
from ..running.harness import run
from .judge import COUNTED, REFERENCES, failure_text, judge


def borrowed(env: Mapping) -> list[str]:
    """Notebook functions and names that lead into ``backprop_lab``."""
    found = []
    for name, value in env.items():
        module = getattr(value, "__module__", None) or getattr(value, "__name__", "")
        if isinstance(module, str) and module.startswith("backprop_lab"):
            found.append(name)
        elif isinstance(value, types.FunctionType) and from_notebook(value):
            if any(n.startswith("backprop_lab") for n in _names(value.__code__)):
                found.append(name)
    return found


def _names(code: types.CodeType):
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def hidden(stub: str, part: str, env: Mapping) -> None:
    refused = foreign(stub, env.get(stub))
    if refused:
        raise AssertionError(f"{refused}, so it earns nothing. Named mistakes: not_implemented")
    problems = tampered() + [f"{name} uses backprop_lab" for name in borrowed(env)]
    if problems:
        raise AssertionError("Grading refused: " + "; ".join(problems))
    cases = draw_cases(stub, part)
    raws = run(env, stub, [case.args for case in cases], REFERENCES,
               count_lines=part in COUNTED)
    verdict = judge(stub, part, cases, raws)
    if not verdict.passed:
        raise AssertionError(failure_text(verdict))
