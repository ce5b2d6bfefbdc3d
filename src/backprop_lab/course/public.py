"""The public checks behind ``grader.check``: no reference solution needed.

Each stub is called on a few small fixed cases shipped beside the notebook
(``public_cases.npz``, written by ``backprop-lab build``): their expected results come
from centered finite differences of the cost where the stub computes a gradient, else
from the worked answer for those inputs. The checks look at shapes, finite values,
the numbers, and whether the inputs were left unchanged, and name the common mistakes
they recognise. The hidden tests check far more inputs than these.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .calls import call, revive
from .compare import judge_call
from .wire import unpack

CASES_FILE = Path(__file__).with_name("public_cases.npz")


class SmoothFunction:
    """f(theta) = 1/2 theta^T A theta + sum(sin(theta)), whose gradient is A theta + cos(theta)."""

    def __init__(self, A: np.ndarray):
        self.A = np.asarray(A, dtype=np.float64)

    def __call__(self, theta) -> float:
        theta = np.asarray(theta, dtype=np.float64)
        return float(0.5 * theta @ self.A @ theta + np.sum(np.sin(theta)))

    def gradient(self, theta) -> np.ndarray:
        return self.A @ theta + np.cos(theta)


@functools.cache
def load_cases(path: Path = CASES_FILE) -> dict:
    return unpack(path.read_bytes())


def check(stub: str, env: Mapping) -> None:
    """Run the public cases of ``stub`` against the function of that name in ``env``.

    Raises AssertionError saying what is wrong (and the named mistake, when known);
    prints a short confirmation when every case passes.
    """
    cases = load_cases()[stub]
    fn = env.get(stub)
    names = list(inspect.signature(fn).parameters) if callable(fn) else []

    def argument(path):
        head = names[path[0]] if path[0] < len(names) else f"argument {path[0] + 1}"
        return head + "".join(f"[{i}]" for i in path[1:])

    problems, codes = [], []
    for case in cases:
        raw = call(fn, revive(case["args"]))
        verdict = judge_call(stub, raw, case["expected"], batch=case["batch"], arguments=argument)
        if not verdict.passed:
            problems += [f"On {case['context']}: {m}" for m in verdict.messages]
            codes += [d for d in verdict.diagnoses if d not in codes]
            if "not_implemented" in codes:
                break
    if problems:
        lines = problems[:4] + ([f"Named mistakes: {', '.join(codes)}"] if codes else [])
        raise AssertionError("\n".join(lines))
    print(f"{stub}: the public checks pass on {len(cases)} small cases "
          "(shapes, finite values, numbers, inputs unchanged). The hidden tests try more.")
