"""When two arrays count as equal: a relative test, and an absolute floor per quantity.

Student-safe: the public checks and the hidden judge use the same rule, so every correct
implementation passes both, under any draw of the cases (``tests/test_salt_sweep.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

TOLERANCE = 1e-6
#: The absolute floor of a comparison, as a share of the quantity's natural size: an
#: answer within FLOOR * scale of the expected one everywhere passes whatever its relative
#: error (``1 - s`` rounds to 0 at z = 40, so ``s * (1 - s)`` gives 0 for 4e-18 there).
FLOOR = 1e-12
#: The floor against centered differences: their own error is about 1e-16 * |C| / eps
#: (C the cost, up to a few hundred here; eps = 1e-5), whatever the size of the gradient,
#: so it applies to scales below 1 as if they were 1 (measured: up to 6e-12 on a layer
#: whose gradient is 2e-6).
FD_FLOOR = 1e-8


def inf_norm_close(a: np.ndarray, b: np.ndarray, tol: float = TOLERANCE) -> bool:
    """max|a - b| <= tol * (max|a| + max|b|): scale-free, and exact zeros compare equal."""
    scale = np.max(np.abs(a), initial=0.0) + np.max(np.abs(b), initial=0.0)
    return bool(np.max(np.abs(a - b), initial=0.0) <= tol * scale)


def largest(tree) -> float:
    """The largest finite magnitude in a float tree (0.0 for none)."""
    if isinstance(tree, (list, tuple)):
        return max((largest(t) for t in tree), default=0.0)
    if tree is None or tree is Ellipsis:
        return 0.0
    array = np.abs(np.asarray(tree, dtype=np.float64))
    return float(np.max(array[np.isfinite(array)], initial=0.0))


def absolute_floor(scale: float | None, expected, finite_differences: bool = False) -> float:
    """The difference below which a value passes whatever its relative error: ``scale``
    is the quantity's natural size where it is fixed (a question's ``Contract.scale``:
    sigma is at most 1, sigma' at most 1/4), else None, and the case's own scale counts,
    the largest magnitude it expects."""
    scale = largest(expected) if scale is None else scale
    return FD_FLOOR * max(scale, 1.0) if finite_differences else FLOOR * scale


def with_floor(close: Callable[[np.ndarray, np.ndarray], bool], atol: float):
    """``close``, or every difference at most ``atol``."""

    def close_or_within(a: np.ndarray, b: np.ndarray) -> bool:
        if close(a, b):
            return True
        with np.errstate(all="ignore"):
            gap = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
        return bool(np.all(gap <= atol))

    return close_or_within
