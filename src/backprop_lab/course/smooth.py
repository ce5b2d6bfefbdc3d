"""The smooth test function that ``numerical_gradient`` is checked on (public and hidden)."""

from __future__ import annotations

import numpy as np


class SmoothFunction:
    """f(theta) = 1/2 theta^T A theta + sum(sin(theta)), whose gradient is A theta + cos(theta).

    ``A`` is ``(P, P)``; ``theta`` is ``(P,)``.
    """

    def __init__(self, A: np.ndarray):
        self.A = np.asarray(A, dtype=np.float64)

    def __call__(self, theta) -> float:
        theta = np.asarray(theta, dtype=np.float64)
        return float(0.5 * theta @ self.A @ theta + np.sum(np.sin(theta)))

    def gradient(self, theta) -> np.ndarray:
        return self.A @ theta + np.cos(theta)
