"""The sigmoid activation and its derivative.

    sigma(z)  = 1 / (1 + e^{-z})
    sigma'(z) = sigma(z) (1 - sigma(z)) = sigma(z) sigma(-z)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit


def sigmoid(z: ArrayLike) -> np.ndarray | float:
    """Elementwise logistic sigma(z) = 1 / (1 + e^{-z}).

    Args:
        z: a float or an array of any shape.

    Returns:
        sigma(z), same shape as ``z`` (a float for a float). ``expit`` never
        overflows: sigma(-1000) is 0.0 and sigma(1000) is 1.0, with no warning.
    """
    out = expit(np.asarray(z, dtype=np.float64))
    return float(out) if out.ndim == 0 else out


def sigmoid_prime(z: ArrayLike) -> np.ndarray | float:
    """Elementwise derivative sigma'(z) = sigma(z) (1 - sigma(z)).

    Computed as sigma(z) sigma(-z), the same number since 1 - sigma(z) = sigma(-z),
    but without the cancellation of ``1 - sigma(z)`` when sigma(z) is close to 1.

    Args:
        z: a float or an array of any shape.

    Returns:
        sigma'(z), same shape as ``z`` (a float for a float).
    """
    z = np.asarray(z, dtype=np.float64)
    out = expit(z) * expit(-z)
    return float(out) if out.ndim == 0 else out
