"""A sigmoid network in Nielsen's column convention: initialise, feed forward, cost.

``weights[l]`` is ``(n_{l+1}, n_l)`` and ``biases[l]`` is ``(n_{l+1}, 1)`` for
``l = 0 .. L-1``, where ``sizes = [n_0, n_1, ..., n_L]`` lists the layer widths.

Indexing: the equations number layers 1..L and write z^l = W^l a^{l-1} + b^l.
Here lists start at 0, so ``weights[l]`` is W^{l+1}, ``zs[l]`` is z^{l+1} and
``activations[l]`` is a^l (``activations[0]`` is the input). This is the one
place where code and equations count differently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import sigmoid

Params = list[np.ndarray]


def init_network(
    sizes: Sequence[int], rng: np.random.Generator, *, init: str = "normal"
) -> tuple[Params, Params]:
    """Random weights and biases for a network with layer widths ``sizes``.

    Args:
        sizes: ``[n_0, ..., n_L]``, input width first, at least two entries.
        rng: the generator all randomness comes from.
        init: ``"normal"``: every weight and bias from N(0, 1) (Nielsen's
            ``network.py``); ``"scaled"``: weights from N(0, 1/n_in), biases
            from N(0, 1), which keeps z^l of order one in wide layers.

    Returns:
        ``(weights, biases)``: ``weights[l]`` is ``(sizes[l+1], sizes[l])``,
        ``biases[l]`` is ``(sizes[l+1], 1)``, all float64.
    """
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ValueError(f"sizes must list at least two positive widths, got {list(sizes)}")
    if init not in ("normal", "scaled"):
        raise ValueError(f"init must be 'normal' or 'scaled', got {init!r}")
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        std = 1.0 if init == "normal" else 1.0 / np.sqrt(n_in)
        weights.append(rng.standard_normal((n_out, n_in)) * std)
        biases.append(rng.standard_normal((n_out, 1)))
    return weights, biases


def feedforward(
    X: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Forward pass of a batch: z^l = W^l a^{l-1} + b^l, a^l = sigma(z^l).

    Args:
        X: ``(N, d)``, one sample per row.
        weights: ``weights[l]`` is ``(n_{l+1}, n_l)``.
        biases: ``biases[l]`` is ``(n_{l+1}, 1)``, broadcast over the N columns.

    Returns:
        ``(zs, activations)``: ``zs[l]`` is ``(n_{l+1}, N)``; ``activations[0]``
        is ``X.T`` (``(d, N)``) and ``activations[l+1] = sigmoid(zs[l])``, so
        ``len(activations) == L + 1``.
    """
    activation = np.asarray(X, dtype=np.float64).T
    zs, activations = [], [activation]
    for W, b in zip(weights, biases, strict=True):
        z = W @ activation
        z += b
        activation = sigmoid(z)
        zs.append(z)
        activations.append(activation)
    return zs, activations


def cost(
    X: np.ndarray, Y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> float:
    """Batch cost C = sum over rows x of 1/2 ||a^L(x) - y(x)||^2.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``; weights, biases as in :func:`feedforward`.
    """
    _, activations = feedforward(X, weights, biases)
    residual = activations[-1] - np.asarray(Y, dtype=np.float64).T
    return 0.5 * float(np.sum(residual * residual))
