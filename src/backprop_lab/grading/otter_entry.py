"""What a hidden Otter test cell calls: ``hidden("<stub>", "<part>", env)``.

Draws the part's cases, runs the student's stub on them (harness), judges the raw
results, and raises AssertionError with the student-facing explanation on failure.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cases import draw_cases
from .harness import run
from .judge import REFERENCES, failure_text, judge


def hidden(stub: str, part: str, env: Mapping) -> None:
    cases = draw_cases(stub, part)
    raws = run(env, stub, [case.args for case in cases], REFERENCES)
    verdict = judge(stub, part, cases, raws)
    if not verdict.passed:
        raise AssertionError(failure_text(verdict))
