"""Gradient checking: flatten parameters, centered differences, relative error.

The one module every gradient check in the project goes through (tests, benchmarks,
hidden tests and public checks alike).

Parameter vector order (``get_params``): every weight matrix raveled in C order, layer
by layer, then every bias vector, layer by layer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .activations import sigmoid
from .backprop import backprop_batch
from .network import Params, cost, feedforward


def get_params(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> np.ndarray:
    """Flatten a network into one vector theta.

    Args:
        weights: ``weights[l]`` is ``(n_{l+1}, n_l)``; biases: ``biases[l]`` is ``(n_{l+1}, 1)``.

    Returns:
        theta, ``(P,)`` with P the number of parameters: weights (C order), then biases.
    """
    parts = [np.asarray(p, dtype=np.float64).ravel() for p in [*weights, *biases]]
    return np.concatenate(parts) if parts else np.zeros(0)


def set_params(
    theta: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Inverse of :func:`get_params`: cut theta into arrays shaped like the templates.

    Args:
        theta: ``(P,)``.
        weights, biases: templates; only their shapes are read.

    Returns:
        ``(new_weights, new_biases)``, fresh arrays (the templates are not written to).
    """
    theta = np.asarray(theta, dtype=np.float64)
    shapes = [np.shape(p) for p in [*weights, *biases]]
    sizes = [int(np.prod(s)) for s in shapes]
    if theta.shape != (sum(sizes),):
        raise ValueError(f"theta has shape {theta.shape}; these templates need ({sum(sizes)},)")
    pieces = np.split(theta, np.cumsum(sizes)[:-1])
    arrays = [piece.reshape(shape).copy() for piece, shape in zip(pieces, shapes, strict=True)]
    return arrays[: len(weights)], arrays[len(weights) :]


def numerical_gradient(
    f: Callable[[np.ndarray], float], theta: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """Centered differences: g_i = (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps).

    Truncation error is O(eps^2), against O(eps) for a one-sided difference.

    Args:
        f: a scalar function of a ``(P,)`` vector.
        theta: ``(P,)``, the point; not modified.
        eps: the step.

    Returns:
        The gradient estimate, ``(P,)``.
    """
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.empty(theta.size)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus.flat[i] += eps
        minus.flat[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b||_2 / (||a||_2 + ||b||_2), and 0.0 when both are zero.

    Scale-free: about 1e-7 or less means agreement for a float64 gradient check,
    1e-4 or more means a bug. Arrays of any shape are compared as flat vectors.
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"cannot compare {a.size} numbers with {b.size}")
    # Divide by the largest magnitude first: the norms square their entries, which
    # would underflow to 0 near 1e-160 (or overflow near 1e160) and lie about the ratio.
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if scale == 0:
        return 0.0
    a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def network_numerical_gradient(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    eps: float = 1e-5,
    *,
    fast: bool = True,
) -> np.ndarray:
    """Centered-difference gradient of the batch cost, in :func:`get_params` order.

    ``fast=False`` is the plain definition: two full forward passes per parameter.
    ``fast=True`` uses that nudging one parameter of layer l changes only one row of
    z^l: that row is recomputed for all of a layer's parameters at once, enters the
    next layer as a rank-one update, and only the layers after that are recomputed.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``; weights, biases as in :func:`feedforward`.
        eps: the step.

    Returns:
        ``(P,)``.
    """
    if not fast:
        theta = get_params(weights, biases)
        return numerical_gradient(
            lambda t: cost(X, Y, *set_params(t, weights, biases)), theta, eps
        )
    zs, activations = feedforward(X, weights, biases)
    Yt = np.asarray(Y, dtype=np.float64).T
    ones = np.ones((1, Yt.shape[1]))
    grad_w, grad_b = [], []
    for l, W in enumerate(weights):
        n_out, n_in = W.shape
        nudge = functools.partial(_row_nudge_gradient, l, zs=zs, activations=activations,
                                  weights=weights, biases=biases, Yt=Yt, eps=eps)
        # Weight (j, k) moves row j of z^l by eps * a_k; bias j moves it by eps * 1.
        weight_rows, weight_inputs = np.divmod(np.arange(n_out * n_in), n_in)
        grad_w.append(nudge(weight_rows, activations[l], weight_inputs).reshape(W.shape))
        grad_b.append(nudge(np.arange(n_out), ones, np.zeros(n_out, int)).reshape(n_out, 1))
    return get_params(grad_w, grad_b)


def _row_nudge_gradient(l, rows, sources, picks, *, zs, activations, weights, biases, Yt, eps,
                        max_elements=1 << 22):
    """(C(+eps) - C(-eps)) / (2 eps) for the nudges z^l[rows[p]] += eps * sources[picks[p]]."""
    L, N = len(weights), Yt.shape[1]
    widest = max(w.shape[0] for w in weights[l:])
    chunk = max(1, max_elements // (N * widest))
    out = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        p = slice(start, start + chunk)
        j, D = rows[p], sources[picks[p]]
        changes = []
        for sign in (1.0, -1.0):
            a_rows = sigmoid(zs[l][j] + sign * eps * D)  # (P, N): the nudged rows of a^l
            if l == L - 1:  # output layer: only these rows of the cost change
                r_new, r_old = a_rows - Yt[j], activations[L][j] - Yt[j]
                changes.append(0.5 * np.sum(r_new * r_new - r_old * r_old, axis=1))
                continue
            # Rank-one update of the next layer: z' = z + W[:, j] (a_j' - a_j).
            da = a_rows - activations[l + 1][j]
            a = sigmoid(zs[l + 1][None] + weights[l + 1][:, j].T[:, :, None] * da[:, None, :])
            for m in range(l + 2, L):
                a = sigmoid(weights[m] @ a + biases[m])
            r = a - Yt
            changes.append(0.5 * np.sum(r * r, axis=(1, 2)))
        out[p] = (changes[0] - changes[1]) / (2 * eps)
    return out


def gradient_check(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    backprop: Callable = backprop_batch,
    eps: float = 1e-5,
) -> float:
    """Relative error between ``backprop``'s batch gradient and centered differences.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``; weights, biases as in :func:`feedforward`.
        backprop: ``(X, Y, weights, biases) -> (nabla_w, nabla_b)``.

    Returns:
        :func:`relative_error` of the two flattened gradients.
    """
    analytic = get_params(*backprop(X, Y, weights, biases))
    return relative_error(analytic, network_numerical_gradient(X, Y, weights, biases, eps))
