"""Mini-batch gradient descent.

One step on a batch B: W <- W - eta / |B| * dC_B/dW, where C_B is the summed cost of
the batch (so the step uses the mean gradient over the batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .backprop import backprop_batch
from .network import Params, cost


def sgd_epoch(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    batch_size: int,
    eta: float,
) -> tuple[Params, Params]:
    """One epoch over the rows of X in order, in batches of ``batch_size``.

    The last batch is shorter when ``batch_size`` does not divide N, and it is used too.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``.
        weights, biases: as in :func:`backprop_lab.engine.network.feedforward`; not modified.
        batch_size: rows per step, >= 1.
        eta: the learning rate.

    Returns:
        ``(weights, biases)`` after the epoch, new arrays.
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    weights = [np.array(W, dtype=np.float64) for W in weights]
    biases = [np.array(b, dtype=np.float64) for b in biases]
    for start in range(0, len(X), int(batch_size)):
        X_batch, Y_batch = X[start : start + batch_size], Y[start : start + batch_size]
        nabla_w, nabla_b = backprop_batch(X_batch, Y_batch, weights, biases)
        step = eta / len(X_batch)
        weights = [W - step * nw for W, nw in zip(weights, nabla_w, strict=True)]
        biases = [b - step * nb for b, nb in zip(biases, nabla_b, strict=True)]
    return weights, biases


def train(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    epochs: int,
    batch_size: int,
    eta: float,
    rng: np.random.Generator | None = None,
) -> tuple[Params, Params, list[float]]:
    """Run ``epochs`` epochs of :func:`sgd_epoch`.

    Args:
        X, Y, weights, biases, batch_size, eta: as in :func:`sgd_epoch`.
        epochs: how many passes over the data.
        rng: when given, the rows are shuffled before every epoch.

    Returns:
        ``(weights, biases, losses)``: ``losses[e]`` is the mean cost per example,
        C / N, after epoch ``e``.
    """
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X)) if rng is not None else np.arange(len(X))
        weights, biases = sgd_epoch(X[order], Y[order], weights, biases, batch_size, eta)
        losses.append(cost(X, Y, weights, biases) / len(X))
    return list(weights), list(biases), losses
