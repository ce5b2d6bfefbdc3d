"""The sigmoid activation and its derivative.

    sigma(z)  = 1 / (1 + e^{-z})
    sigma'(z) = sigma(z) (1 - sigma(z)) = e^{-|z|} / (1 + e^{-|z|})^2
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def sigmoid(z: ArrayLike) -> np.ndarray | float:
    """Elementwise logistic sigma(z) = 1 / (1 + e^{-z}).

    Args:
        z: a float or an array of any shape.

    Returns:
        sigma(z), same shape as ``z`` (a float for a float), within 3 ulps of the exact
        value. For z < -709, e^{-z} overflows to inf and the result is 0.0 (the exact
        value is below 1e-308): no warning, no NaN; sigma(1000) is 1.0.
    """
    out = np.array(z, dtype=np.float64)  # a copy (0-d for a float), worked on in place
    np.negative(out, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return float(out) if out.ndim == 0 else out


def sigmoid_prime(z: ArrayLike) -> np.ndarray | float:
    """Elementwise derivative sigma'(z) = sigma(z) (1 - sigma(z)).

    Computed as e / (1 + e)^2 with e = e^{-|z|}: the same number (sigma is symmetric,
    sigma'(z) = sigma'(-z)), with one exponential that cannot overflow, and without
    the cancellation of ``1 - sigma(z)`` when sigma(z) is close to 1.

    Args:
        z: a float or an array of any shape.

    Returns:
        sigma'(z), same shape as ``z`` (a float for a float).
    """
    e = np.array(z, dtype=np.float64)  # a copy (0-d for a float), worked on in place
    np.abs(e, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    denominator = e + 1.0
    denominator *= denominator
    e /= denominator
    return float(e) if e.ndim == 0 else e
