"""Finite-difference oracles: expected results from centered differences of the cost.

Independent of the reference engine's backprop: they use only the forward pass.
"""

from __future__ import annotations

import numpy as np

from ..engine import network_numerical_gradient, set_params
from ..engine import sigmoid as _sigmoid

FD_EPS = 1e-5


def fd_params(X, Y, weights, biases):
    """Centered-difference (nabla_w, nabla_b) of the batch cost."""
    grad = network_numerical_gradient(X, Y, weights, biases, FD_EPS)
    return set_params(grad, weights, biases)


def chain_cost(x, y, w, b):
    """backprop_1D's cost: a chain of single neurons, scalar weights ``w[i]``, biases ``b[i]``."""
    a = x
    for w_i, b_i in zip(w, b, strict=True):
        a = _sigmoid(w_i * a + b_i)
    return 0.5 * (a - y) ** 2


def _cost_from(z, l, weights, biases, Y):
    """Each example's cost 1/2 ||a^L - y||^2, ``(N,)``, from ``zs[l] = z`` ``(n, N)`` on."""
    a = _sigmoid(z)
    for W, b in zip(weights[l + 1:], biases[l + 1:], strict=True):
        a = _sigmoid(W @ a + b)
    return 0.5 * np.sum((a - Y.T) ** 2, axis=0)


def fd_delta(z, l, weights, biases, Y):
    """delta = dC/dz of ``zs[l]`` ``(n, N)`` by centered differences (a row at a time:
    the examples are independent columns)."""
    delta = np.empty_like(z)
    for j in range(len(z)):
        step = np.zeros_like(z)
        step[j] = FD_EPS
        delta[j] = (_cost_from(z + step, l, weights, biases, Y)
                    - _cost_from(z - step, l, weights, biases, Y)) / (2 * FD_EPS)
    return delta


def fd_weight(z, a_prev, l, weights, biases, Y):
    """dC/dW of ``weights[l]`` ``(n, m)`` by centered differences of the batch cost:
    nudging W[j, k] by eps moves row j of ``z`` ``(n, N)`` by eps * a_prev[k] ``(m, N)``."""
    grad = np.empty((len(z), len(a_prev)))
    for j in range(len(z)):
        for k in range(len(a_prev)):
            step = np.zeros_like(z)
            step[j] = FD_EPS * a_prev[k]
            grad[j, k] = (np.sum(_cost_from(z + step, l, weights, biases, Y))
                          - np.sum(_cost_from(z - step, l, weights, biases, Y))) / (2 * FD_EPS)
    return grad
