"""Helpers for the mutants of :mod:`.mutants`: code with its classic mistakes on switches.

Written the way a student writes it, so that a mutant can be planted in a notebook cell
as it stands (:func:`.mutants.planted`): the functions here use only ``np``, each other
and the stubs the graded stub builds on (``judge.BUILDS_ON``: ``sigmoid``,
``sigmoid_prime``, and ``backprop_batch`` for ``sgd_epoch``), which are the reference
versions at grading time, here and in a notebook alike. Every keyword's default is the
correct code, and each mutant turns on one mistake. A gradient tier's mistake gives the
same numbers however the tier is written (loops, matrices, the row convention), so the
tiers share one forward and one backward pass.
"""

from __future__ import annotations

import numpy as np

# The stubs the mutants call; the mutants' own bodies run in this module's namespace.
from ..engine import backprop_batch, sigmoid, sigmoid_prime


def forward_columns(A, weights, biases):
    """zs and activations of a network fed the columns of A, activations[0] = A."""
    zs, activations = [], [A]
    for W, b in zip(weights, biases, strict=True):
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    return zs, activations


def backward_pass(zs, activations, y, weights, cost=1, prime1="z", prime2="z", w_next=1,
                  a_prev=0, transpose=False, summed=True):
    """BP1-BP4 over columns (one per example), then (nabla_w, nabla_b) summed over them.

    Mistakes: ``cost`` multiplies a^L - y (2, or -1 for y - a^L); ``prime1``, ``prime2``
    say what BP1's and BP2's sigma' is taken of ("z", "a", or None: left out); BP2 steps
    back through ``weights[l + w_next]`` (None: through no weight at all) and BP4 pairs
    delta with ``activations[l + a_prev]``; ``transpose`` writes BP4 as a_prev delta^T;
    ``summed=False`` keeps one bias column per example.
    """

    def slope(l, which):  # sigma'(z^l) as this student computes it
        if which == "z":
            return sigmoid_prime(zs[l])
        if which == "a":
            return sigmoid_prime(activations[l + 1])
        return 1.0

    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = cost * (activations[L] - y) * slope(L - 1, prime1)
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            back = delta if w_next is None else weights[l + w_next].T @ delta
            delta = back * slope(l, prime2)
        a = activations[l + a_prev]
        nabla_w[l] = a @ delta.T if transpose else delta @ a.T
        nabla_b[l] = delta.sum(axis=1, keepdims=True) if summed else delta
    return nabla_w, nabla_b


def for_one_example(x, y, weights, biases, **mistake):
    """backprop_loops and backprop_vectorized: x is (d, 1), one column."""
    zs, activations = forward_columns(x, weights, biases)
    return backward_pass(zs, activations, y, weights, **mistake)


def for_a_batch(X, Y, weights, biases, mean=False, **mistake):
    """backprop_batch; ``mean`` divides the gradients by the batch length N."""
    zs, activations = forward_columns(X.T, weights, biases)
    nabla_w, nabla_b = backward_pass(zs, activations, Y.T, weights, **mistake)
    if mean:
        nabla_w = [g / len(X) for g in nabla_w]
        nabla_b = [g / len(X) for g in nabla_b]
    return nabla_w, nabla_b


def for_rows(X, Y, Ws, bs, **mistake):
    """backprop_row_major: the same network in columns, its gradients turned back to rows."""
    weights, biases = [W.T for W in Ws], [b.T for b in bs]
    nabla_w, nabla_b = for_a_batch(X, Y, weights, biases, **mistake)
    return [g.T for g in nabla_w], [g.T for g in nabla_b]


def for_a_chain(x, y, w, b, **mistake):
    """backprop_1D: a chain of single neurons is a network of width 1."""
    weights = [np.array([[float(v)]]) for v in w]
    biases = [np.array([[float(v)]]) for v in b]
    nabla_w, nabla_b = for_one_example(np.array([[float(x)]]), np.array([[float(y)]]),
                                       weights, biases, **mistake)
    return [float(g[0, 0]) for g in nabla_w], [float(g[0, 0]) for g in nabla_b]


def differences(f, theta, eps, ahead=1, behind=1):
    """(f(theta + ahead eps e_i) - f(theta - behind eps e_i)) / ((ahead + behind) eps).

    Centered with the defaults; ``behind=0`` is the forward difference, ``ahead=0`` the
    backward one.
    """
    grad = np.zeros(len(theta))
    for i in range(len(theta)):
        step = np.zeros(len(theta))
        step[i] = eps
        grad[i] = (f(theta + ahead * step) - f(theta - behind * step)) / ((ahead + behind) * eps)
    return grad


def nudged_in_place(f, theta, eps):
    """Centered differences that nudge theta itself and never put theta[i] back."""
    grad = np.zeros(len(theta))
    for i in range(len(theta)):
        theta[i] += eps
        up = f(theta)
        theta[i] -= 2 * eps
        grad[i] = (up - f(theta)) / (2 * eps)
    return grad


def cut(theta, weights, biases, order="C"):
    """set_params, filling each array in ``order`` ("F": column by column)."""
    arrays, start = [], 0
    for template in [*weights, *biases]:
        shape = np.shape(template)
        size = int(np.prod(shape))
        arrays.append(np.reshape(theta[start:start + size], shape, order=order).copy())
        start += size
    return arrays[:len(weights)], arrays[len(weights):]


def epoch(X, Y, weights, biases, batch_size, eta, sign=-1, per="len(batch)", last=True):
    """sgd_epoch, stepping ``sign`` times eta / len(batch) times the gradient.

    Mistakes: ``per`` says what eta is divided by ("batch_size", or None: nothing);
    ``last=False`` leaves out the shorter last batch.
    """
    end = len(X) if last else len(X) - batch_size + 1
    for start in range(0, end, batch_size):
        X_batch, Y_batch = X[start:start + batch_size], Y[start:start + batch_size]
        nabla_w, nabla_b = backprop_batch(X_batch, Y_batch, weights, biases)
        divisor = {"len(batch)": len(X_batch), "batch_size": batch_size, None: 1}[per]
        step = sign * eta / divisor
        weights = [W + step * g for W, g in zip(weights, nabla_w, strict=True)]
        biases = [b + step * g for b, g in zip(biases, nabla_b, strict=True)]
    return weights, biases

