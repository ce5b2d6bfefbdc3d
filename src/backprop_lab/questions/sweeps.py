"""Wide random inputs for the mutation tool (a question's ``sweep``): wider than its hidden
cases, to tell equivalent mutants. Each covers its stub's whole contract: batches of
N = 1 and N > 1 for BP1-BP4, widths 1 and all-equal widths (``cases.network`` draws those
a third of the time), extreme activations, zero and tiny arrays for ``relative_error``,
mini-batches that do and do not divide N."""

from __future__ import annotations

import numpy as np

from .. import engine
from ..course.smooth import SmoothFunction
from .case import network


def _batch(rng) -> int:
    return 1 if rng.random() < 0.3 else int(rng.integers(2, 12))


def _net(rng, **kw):
    """sizes, weights, biases, X (N, d), Y (N, k) of a random network."""
    sizes, W, B, X, Y, _ = network(rng, max_layers=3, batch=_batch(rng), **kw)
    return sizes, W, B, X, Y


def activation(rng, huge: float = 800.0):
    """A float, or an array of 1-3 dimensions ("any shape"), at times with +-``huge``."""
    if rng.random() < 0.2:
        return (float(rng.normal(scale=5)),)
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    z = rng.normal(scale=4, size=shape)
    if rng.random() < 0.5:
        z.flat[0], z.flat[-1] = -huge, huge
    return (z,)


def activation_prime(rng):
    """As for sigma, up to +-500: the domain of sigma' in the contract, where the correct
    exp(-z) / (1 + exp(-z))**2 is not yet inf / inf (see ``cases.sigmoid_prime_cases``)."""
    return activation(rng, huge=500.0)


def feedforward(rng):
    _, W, B, X, _ = _net(rng)
    return (X, W, B)


def chain(rng):
    L = int(rng.integers(1, 5))
    return (float(rng.normal()), float(rng.uniform()), [float(v) for v in rng.normal(size=L)],
            [float(v) for v in rng.normal(size=L)])


def one_example(rng):
    _, W, B, X, Y = _net(rng)
    return (X[:1].T.copy(), Y[:1].T.copy(), W, B)


def bp1(rng):
    _, W, B, X, Y = _net(rng)
    zs, activations = engine.feedforward(X, W, B)
    return (activations[-1], zs[-1], Y.T.copy())


def bp2(rng):
    _, W, B, X, _ = _net(rng, min_layers=2)
    zs, _ = engine.feedforward(X, W, B)
    l = int(rng.integers(0, len(W) - 1))
    return (W[l + 1], rng.normal(size=zs[l + 1].shape), zs[l])


def bp3(rng):
    return (rng.normal(size=(int(rng.integers(1, 8)), _batch(rng))),)


def bp4(rng):
    _, W, B, X, _ = _net(rng)
    _, activations = engine.feedforward(X, W, B)
    l = int(rng.integers(0, len(W)))
    return (rng.normal(size=(W[l].shape[0], len(X))), activations[l])


def batch_problem(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, W, B)


def set_params(rng):
    _, W, B, _, _ = _net(rng)
    return (rng.normal(size=engine.get_params(W, B).size), W, B)


def numerical_gradient(rng):
    P = int(rng.integers(1, 10))
    M = rng.normal(scale=float(rng.choice([0.3, 1.0, 3.0])), size=(P, P))
    return (SmoothFunction(M + M.T), rng.normal(size=P))


def relative_error(rng):
    """Zeros, equal arrays, one zero array, close arrays, at scales 1e-5 to 1e5 (not
    1e+-200, where the plain formula's norms underflow: the contract defines the formula only,
    and the course counts the plain formula right)."""
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    kind = int(rng.integers(0, 5))
    if kind == 0:
        return (np.zeros(shape), np.zeros(shape))
    scale = 10.0 ** float(rng.choice([-5, 0, 5])) if kind == 1 else 1.0
    a = rng.normal(size=shape) * scale
    if kind == 2:
        return (a, a.copy())
    if kind == 3:
        return (a, np.zeros(shape))
    return (a, a + rng.normal(scale=10.0 ** int(rng.integers(-8, 1)), size=shape) * scale)


def sgd(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, W, B, int(rng.integers(1, len(X) + 2)), float(rng.uniform(0.1, 3.0)))


def add_bias(rng):
    n_out, n_in = (int(v) for v in rng.integers(1, 8, size=2))
    return (rng.normal(size=(n_out, n_in)), rng.normal(size=(n_out, 1)))


def augmented(rng):
    _, W, B, X, _ = _net(rng)
    return (X, [engine.add_bias_column(w, b) for w, b in zip(W, B, strict=True)])


def row_major(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, [w.T.copy() for w in W], [b.T.copy() for b in B])


def parameters_of_a_batch(rng):
    return batch_problem(rng)[2:]
