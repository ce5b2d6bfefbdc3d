"""Backpropagation in four tiers that must agree: 1-D chain, loops, vectorized, batch.

The four equations, for one example (x, y), with ⊙ the elementwise product:

    BP1  delta^L = (a^L - y) ⊙ sigma'(z^L)
    BP2  delta^l = ((W^{l+1})^T delta^{l+1}) ⊙ sigma'(z^l)
    BP3  dC/db^l = delta^l
    BP4  dC/dW^l = delta^l (a^{l-1})^T

for the cost C_x = 1/2 ||a^L - y||^2. Lists are 0-based: ``weights[l]`` is W^{l+1}
and ``zs[l]`` is z^{l+1} (see :mod:`backprop_lab.engine.network`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .network import Params


def backprop_1D(
    x: float, y: float, w: Sequence[float], b: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Gradients for a chain of L single sigmoid neurons: a_i = sigma(w_i a_{i-1} + b_i).

    Scalar BP1-BP4: delta_L = (a_L - y) sigma'(z_L), delta_i = w_{i+1} delta_{i+1}
    sigma'(z_i), dC/db_i = delta_i, dC/dw_i = delta_i a_{i-1}, with a_0 = x.

    Args:
        x, y: the input and the target, floats.
        w, b: L >= 1 floats each; neuron i computes sigma(w[i] a + b[i]).

    Returns:
        ``(dw, db)``: lists of L floats.
    """
    if len(w) != len(b) or len(w) < 1:
        raise ValueError(f"w and b need the same length >= 1, got {len(w)} and {len(b)}")
    a, zs, activations = float(x), [], [float(x)]
    for w_i, b_i in zip(w, b, strict=True):
        z = float(w_i) * a + float(b_i)
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    L = len(w)
    dw, db = [0.0] * L, [0.0] * L
    delta = (activations[L] - float(y)) * sigmoid_prime(zs[L - 1])
    for i in range(L - 1, -1, -1):
        if i < L - 1:
            delta = float(w[i + 1]) * delta * sigmoid_prime(zs[i])
        db[i] = delta
        dw[i] = delta * activations[i]
    return dw, db


def backprop_loops(
    x: np.ndarray, y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Gradients for one example, one neuron (one scalar) at a time.

    The per-neuron equations, j indexing layer l and k layer l-1:
        z^l_j = sum_k w^l_jk a^{l-1}_k + b^l_j
        delta^L_j = (a^L_j - y_j) sigma'(z^L_j)
        delta^l_k = (sum_j w^{l+1}_jk delta^{l+1}_j) sigma'(z^l_k)
        dC/db^l_j = delta^l_j,   dC/dw^l_jk = delta^l_j a^{l-1}_k

    Args:
        x: ``(d, 1)``; y: ``(k, 1)``.
        weights: ``weights[l]`` is ``(n_{l+1}, n_l)``; biases: ``biases[l]`` is ``(n_{l+1}, 1)``.

    Returns:
        ``(nabla_w, nabla_b)`` shaped like ``weights`` and ``biases``.
    """
    a_prev = [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]
    activations, zs = [a_prev], []
    for W, b in zip(weights, biases, strict=True):
        n_out, n_in = W.shape
        z = [sum(W[j, k] * a_prev[k] for k in range(n_in)) + b[j, 0] for j in range(n_out)]
        a_prev = [sigmoid(float(z_j)) for z_j in z]
        zs.append(z)
        activations.append(a_prev)
    targets = [float(v) for v in np.asarray(y, dtype=np.float64).ravel()]
    L = len(weights)
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    delta = [
        (activations[L][j] - targets[j]) * sigmoid_prime(zs[L - 1][j])
        for j in range(len(zs[L - 1]))
    ]
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            W_next = weights[l + 1]
            n_next, n_here = W_next.shape
            delta = [
                sum(W_next[j, k] * delta[j] for j in range(n_next)) * sigmoid_prime(zs[l][k])
                for k in range(n_here)
            ]
        for j, delta_j in enumerate(delta):
            nabla_b[l][j, 0] = delta_j
            for k, a_k in enumerate(activations[l]):
                nabla_w[l][j, k] = delta_j * a_k
    return nabla_w, nabla_b


def bp1_output_error(a_L: np.ndarray, z_L: np.ndarray, y: np.ndarray) -> np.ndarray:
    """BP1: delta^L = (a^L - y) ⊙ sigma'(z^L).

    Args:
        a_L, z_L, y: ``(k, N)`` each (``N = 1`` for one example).

    Returns:
        delta^L, ``(k, N)``.
    """
    return (a_L - y) * sigmoid_prime(z_L)


def bp2_hidden_error(W_next: np.ndarray, delta_next: np.ndarray, z: np.ndarray) -> np.ndarray:
    """BP2: delta^l = ((W^{l+1})^T delta^{l+1}) ⊙ sigma'(z^l).

    Args:
        W_next: W^{l+1}, ``(n_{l+1}, n_l)``.
        delta_next: delta^{l+1}, ``(n_{l+1}, N)``.
        z: z^l, ``(n_l, N)``.

    Returns:
        delta^l, ``(n_l, N)``.
    """
    return (W_next.T @ delta_next) * sigmoid_prime(z)


def bp3_bias_gradient(delta: np.ndarray) -> np.ndarray:
    """BP3: dC/db^l = delta^l, summed over the samples of a batch.

    Args:
        delta: delta^l, ``(n_l, N)``.

    Returns:
        dC/db^l, ``(n_l, 1)`` (``delta`` itself, copied, when ``N = 1``).
    """
    return delta.sum(axis=1, keepdims=True)


def bp4_weight_gradient(delta: np.ndarray, a_prev: np.ndarray) -> np.ndarray:
    """BP4: dC/dW^l = delta^l (a^{l-1})^T; for a batch the product sums over samples.

    Args:
        delta: delta^l, ``(n_l, N)``.
        a_prev: a^{l-1}, ``(n_{l-1}, N)``.

    Returns:
        dC/dW^l, ``(n_l, n_{l-1})``.
    """
    return delta @ a_prev.T


def backprop_batch(
    X: np.ndarray, Y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Gradients of the batch cost (the sum of C_x over the rows), with no loop over samples.

    Each column of the ``(n, N)`` arrays is one sample, so BP1-BP4 apply unchanged and
    the products in BP3 and BP4 do the summing over samples. For speed, sigma'(z^l) is
    taken from the forward pass as a^l (1 - a^l), its definition, instead of from z^l,
    so z^l is not kept (see benchmarks/: this runs within about 1.3x of its products).

    Args:
        X: ``(N, d)``; Y: ``(N, k)``, one sample per row.
        weights: ``weights[l]`` is ``(n_{l+1}, n_l)``; biases: ``biases[l]`` is ``(n_{l+1}, 1)``.

    Returns:
        ``(nabla_w, nabla_b)`` shaped like ``weights`` and ``biases``.
    """
    # The forward pass of feedforward, keeping only the activations: each z^l becomes
    # a^l = 1 / (1 + e^{-z^l}) in its own array, with no copy. (Written out rather than
    # calling sigmoid with an extra argument: a stub calls others only as the contract says.)
    activations = [np.asarray(X, dtype=np.float64).T]
    for W, b in zip(weights, biases, strict=True):
        a = W @ activations[-1]
        a += b
        np.negative(a, out=a)
        with np.errstate(over="ignore"):
            np.exp(a, out=a)
        a += 1.0
        activations.append(np.reciprocal(a, out=a))
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    a = activations[-1]
    delta = a - np.asarray(Y, dtype=np.float64).T  # BP1: (a^L - y) * a^L (1 - a^L)
    delta *= a
    delta *= 1.0 - a
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            a = activations[l + 1]
            delta = weights[l + 1].T @ delta  # BP2
            delta *= a
            delta *= 1.0 - a
        nabla_b[l] = bp3_bias_gradient(delta)
        nabla_w[l] = bp4_weight_gradient(delta, activations[l])
    return nabla_w, nabla_b


def backprop_vectorized(
    x: np.ndarray, y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Gradients for one example from BP1-BP4 in matrix form.

    Args:
        x: ``(d, 1)``; y: ``(k, 1)``.
        weights, biases: as in :func:`backprop_batch`.

    Returns:
        ``(nabla_w, nabla_b)`` shaped like ``weights`` and ``biases``.
    """
    # Nielsen's backprop: a forward pass that keeps every z and a, then BP1-BP4 backwards.
    activation = np.asarray(x, dtype=np.float64)
    zs, activations = [], [activation]
    for W, b in zip(weights, biases, strict=True):
        zs.append(W @ activation + b)
        activation = sigmoid(zs[-1])
        activations.append(activation)
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = bp1_output_error(activations[-1], zs[-1], np.asarray(y, dtype=np.float64))
    nabla_b[-1] = bp3_bias_gradient(delta)
    nabla_w[-1] = bp4_weight_gradient(delta, activations[-2])
    for l in range(L - 2, -1, -1):
        delta = bp2_hidden_error(weights[l + 1], delta, zs[l])
        nabla_b[l] = bp3_bias_gradient(delta)
        nabla_w[l] = bp4_weight_gradient(delta, activations[l])
    return nabla_w, nabla_b
