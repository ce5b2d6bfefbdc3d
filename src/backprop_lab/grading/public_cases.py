"""Write the public cases file that ships beside the student notebooks.

Small cases drawn like the hidden ones but from their own seeds: for each, the
arguments, the expected result (finite differences where the stub computes a
gradient, else the reference engine's answer), a description and the batch length.
"""

from __future__ import annotations

from pathlib import Path

from ..course.compare import as_tree
from ..course.smooth import SmoothFunction
from ..course.wire import pack
from .cases import DRAW, rng_for, storable
from .judge import expected_value

PUBLIC_CASES = 3


def public_cases(stubs=tuple(DRAW)) -> dict:
    out = {}
    for stub in stubs:
        drawn = DRAW[stub](rng_for(stub, "public"), 2 * PUBLIC_CASES)
        if stub == "numerical_gradient":
            drawn = [c for c in drawn if isinstance(c.args[0], SmoothFunction)]
        chosen = drawn[:PUBLIC_CASES]
        out[stub] = [
            {
                "args": storable(case.args),
                "expected": as_tree(expected_value(
                    stub, case, "finite_differences" if case.finite_differences else "reference")),
                "context": case.context,
                "batch": case.batch,
            }
            for case in chosen
        ]
    return out


def write_public_cases(path: Path) -> Path:
    path.write_bytes(pack(public_cases()))
    return path
