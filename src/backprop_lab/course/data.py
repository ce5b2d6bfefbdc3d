"""The course's toy data sets. Student-safe: ships beside the student notebooks."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_circles


def _seed(rng: np.random.Generator | int) -> int:
    """An int seed from a Generator (drawn from it) or an int (as is)."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**31 - 1))
    return int(rng)


def step_data(
    n: int = 40, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The 1-D step: n inputs evenly spaced on [-5, 5], label 1 where x > 0, else 0.

    The label is the sign of x written as a sigmoid target in {0, 1}.

    Args:
        n: number of points, >= 2.
        rng: ``None`` keeps the points in increasing order; a Generator or a seed
            shuffles the rows (the same seed, the same order).

    Returns:
        ``(X, Y)``: ``X`` is ``(n, 1)``, ``Y`` is ``(n, 1)``, float64.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    x = np.linspace(-5.0, 5.0, n)
    X, Y = x[:, None], (x > 0).astype(np.float64)[:, None]
    if rng is not None:
        order = np.random.default_rng(_seed(rng)).permutation(n)
        X, Y = X[order], Y[order]
    return X, Y


def circles(
    n: int = 200,
    rng: np.random.Generator | int = 0,
    noise: float = 0.08,
    factor: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy concentric rings from scikit-learn's ``make_circles``.

    Args:
        n: number of points.
        rng: a Generator (a seed is drawn from it) or an int seed.
        noise: standard deviation of the Gaussian noise added to the points.
        factor: inner radius over outer radius, in (0, 1).

    Returns:
        ``(X, Y)``: ``X`` is ``(n, 2)``; ``Y`` is ``(n, 1)``, 1.0 on the inner ring.
    """
    X, labels = make_circles(n_samples=n, noise=noise, factor=factor, random_state=_seed(rng))
    return X.astype(np.float64), labels.astype(np.float64)[:, None]
