"""The two other conventions students meet: biases folded into weights, and row-major code.

Augmented: W_aug = [W | b] is ``(n_out, n_in + 1)`` and acts on [a; 1], so
W_aug [a; 1] = W a + b.

Row-major (most frameworks): activations are rows, ``A^l`` is ``(N, n_l)``,
``Ws[l]`` is ``(n_in, n_out)`` = (W^l)^T and ``bs[l]`` is ``(1, n_out)``:

    Z^l = A^{l-1} Ws + bs,         Delta^L = (A^L - Y) ⊙ sigma'(Z^L)
    Delta^l = (Delta^{l+1} Ws_{l+1}^T) ⊙ sigma'(Z^l)
    dC/dWs = (A^{l-1})^T Delta^l,  dC/dbs = sum over rows of Delta^l

Every product of the column convention appears transposed: (W a)^T = a^T W^T.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .network import Params


def add_bias_column(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fold a bias into its weight matrix: W_aug = [W | b].

    Args:
        W: ``(n_out, n_in)``; b: ``(n_out, 1)``.

    Returns:
        W_aug, ``(n_out, n_in + 1)``, the bias as its last column.
    """
    return np.hstack([np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)])


def feedforward_augmented(X: np.ndarray, weights_aug: Sequence[np.ndarray]) -> np.ndarray:
    """Forward pass with biases folded in: a^l = sigma(W_aug^l [a^{l-1}; 1]).

    Args:
        X: ``(N, d)``, one sample per row.
        weights_aug: ``weights_aug[l]`` is ``(n_{l+1}, n_l + 1)``.

    Returns:
        a^L, ``(k, N)``.
    """
    activation = np.asarray(X, dtype=np.float64).T
    ones = np.ones((1, activation.shape[1]))
    for W_aug in weights_aug:
        activation = sigmoid(W_aug @ np.vstack([activation, ones]))
    return activation


def backprop_row_major(
    X: np.ndarray, Y: np.ndarray, Ws: Sequence[np.ndarray], bs: Sequence[np.ndarray]
) -> tuple[Params, Params]:
    """Batch gradients (summed over rows) in the row convention.

    Args:
        X: ``(N, d)``; Y: ``(N, k)``.
        Ws: ``Ws[l]`` is ``(n_l, n_{l+1})``; bs: ``bs[l]`` is ``(1, n_{l+1})``.

    Returns:
        ``(nabla_W, nabla_b)`` shaped like ``Ws`` and ``bs``.
    """
    A = np.asarray(X, dtype=np.float64)
    Zs, As = [], [A]
    for W, b in zip(Ws, bs, strict=True):
        Zs.append(A @ W + b)
        A = sigmoid(Zs[-1])
        As.append(A)
    L = len(Ws)
    nabla_W, nabla_b = [None] * L, [None] * L
    delta = (As[-1] - np.asarray(Y, dtype=np.float64)) * sigmoid_prime(Zs[-1])
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            delta = (delta @ Ws[l + 1].T) * sigmoid_prime(Zs[l])
        nabla_W[l] = As[l].T @ delta
        nabla_b[l] = delta.sum(axis=0, keepdims=True)
    return nabla_W, nabla_b
