"""How fast each layer learns: per-layer gradient norms.

In a sigmoid network sigma'(z) <= 1/4, and BP2 multiplies delta by W^T and by
sigma'(z) once per layer, so the error signal usually shrinks on its way back to
the first layers: they learn slowest. Large z (big weights, unscaled inputs)
makes sigma'(z) tiny and the shrinking worse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .backprop import backprop_batch


def layer_gradient_norms(
    X: np.ndarray, Y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean norms of the mean gradient per layer, first hidden layer first.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``; weights, biases as in ``feedforward``.

    Returns:
        ``(weight_norms, bias_norms)``, each ``(L,)``: ||dC/dW^l|| / N and
        ||dC/db^l|| / N (the bias norm is ||delta^l|| averaged, Nielsen's "speed of
        learning" of layer l).
    """
    nabla_w, nabla_b = backprop_batch(X, Y, weights, biases)
    N = len(X)
    return (
        np.array([np.linalg.norm(nw) / N for nw in nabla_w]),
        np.array([np.linalg.norm(nb) / N for nb in nabla_b]),
    )
