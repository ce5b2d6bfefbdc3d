"""The inputs hidden tests call each stub on, drawn from seeds students never see.

Networks have 1-4 layers of widths 1-7 (all widths equal in about a third of the draws,
so a wrong layer or a missing transpose still fits) and batches of 1-64 rows. BP1-BP4
alternate single examples with batches whose length N differs from every layer width
(so neither a transposition nor a broadcast can hide), and ``sgd_epoch`` always takes
several mini-batches with a short last one. Every case carries its finite-difference
oracle: the expected result computed by centered differences of the cost, independent
of the reference engine's backprop.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..engine import add_bias_column, feedforward, numerical_gradient
from ..engine import sigmoid as _sigmoid
from .case import Case, network
from .oracles import FD_EPS, chain_cost, fd_delta, fd_params, fd_weight
from .question import BASE_PARTS
from .registry import question
from .secret import DEVELOPMENT_KEY


def rng_for(stub: str, part: str, key: bytes = DEVELOPMENT_KEY) -> np.random.Generator:
    """The generator of one part's cases under ``key`` (see :mod:`.secret`)."""
    digest = hashlib.sha256(key + f":{stub}:{part}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def activation_cases(rng, n, huge: float = 1000.0):
    """A float, then arrays whose ends are -40 and 40 or -``huge`` and ``huge``."""
    cases = []
    for i in range(n):
        if i == 0:
            z = float(rng.normal(scale=3))
            cases.append(Case((z,), "a single float"))
            continue
        shape = (int(rng.integers(2, 9)),) if i == 1 else (  # any shape: a vector too
            int(rng.integers(1, 8)), int(rng.integers(1, 9)))
        z = rng.normal(scale=4, size=shape)
        z.flat[0], z.flat[-1] = (-huge, huge) if i % 2 else (-40.0, 40.0)
        extreme = abs(z.flat[0])
        kind = "an array"
        if i == 2:  # integer input: the result is float64 all the same (np.exp(-z) is)
            z, kind = np.rint(z).astype(np.int64), "an integer array"
            if z.size < 3:  # with a 0 in it, whose sigma (0.5) truncates: never only +-huge
                z = np.array([[-int(extreme), 0, int(extreme)]])
        cases.append(Case((z,), f"{kind} of shape {z.shape} with values up to ±{extreme:g}"))
    return cases


def sigmoid_prime_cases(rng, n):
    # Up to 500, where exp(-z) / (1 + exp(-z))**2, a correct sigma', is still not NaN
    # (at -1000 it is inf / inf).
    cases = activation_cases(rng, n, huge=500.0)
    for case in cases:
        z = case.args[0]
        case.finite_differences = lambda z=z: (_sigmoid(np.add(z, FD_EPS)) -
                                               _sigmoid(np.subtract(z, FD_EPS))) / (2 * FD_EPS)
    return cases


def feedforward_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, X, _, where = network(rng)
        out.append(Case((X, W, B), where))
    return out


def backprop_1d_cases(rng, n):
    out = []
    for _ in range(n):
        L = int(rng.integers(1, 5))
        x, y = float(rng.normal()), float(rng.uniform())
        w, b = [float(v) for v in rng.normal(size=L)], [float(v) for v in rng.normal(size=L)]

        def fd(x=x, y=y, L=L, theta=(*w, *b)):
            g = numerical_gradient(lambda t: chain_cost(x, y, t[:L], t[L:]), np.array(theta),
                                   FD_EPS)
            return [list(g[:L]), list(g[L:])]

        out.append(Case((x, y, w, b), f"a chain of {L} neurons", finite_differences=fd))
    return out


def single_example_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, X, Y, where = network(rng, batch=1)
        out.append(Case((X.T.copy(), Y.T.copy(), W, B), where, examples=1,
                        finite_differences=lambda X=X, Y=Y, W=W, B=B: fd_params(X, Y, W, B)))
    return out


def bp_cases(equation: int):
    """BP1-BP4 on a layer of a random network; every other case a batch of N > 1."""

    def draw(rng, n):
        out = []
        for i in range(n):
            _, W, B, X, Y, where = network(rng, min_layers=2 if equation == 2 else 1,
                                           batch=1 if i % 2 == 0 else None, distinct=i % 2 == 1)
            zs, activations = feedforward(X, W, B)
            L, N = len(W), len(X)
            l = L - 1 if equation == 1 else int(rng.integers(0, L - 1 if equation == 2 else L))
            delta = fd_delta(zs[l], l, W, B, Y)
            if equation == 1:
                args, fd = (activations[-1], zs[-1], Y.T.copy()), delta
            elif equation == 2:
                args, fd = (W[l + 1], fd_delta(zs[l + 1], l + 1, W, B, Y), zs[l]), delta
            elif equation == 3:
                args, fd = (delta,), delta.sum(axis=1, keepdims=True)  # = dC/db^l by the nudges
            else:
                args = (delta, activations[l])
                fd = fd_weight(zs[l], activations[l], l, W, B, Y)
            out.append(Case(args, f"layer {l + 1} of {where}", examples=N,
                            batch=N if equation > 2 and N > 1 else None,
                            finite_differences=lambda fd=fd: fd))
        return out

    return draw


def batch_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, X, Y, where = network(rng)
        out.append(Case((X, Y, W, B), where, batch=len(X), examples=len(X),
                        finite_differences=lambda X=X, Y=Y, W=W, B=B: fd_params(X, Y, W, B)))
    return out


#: The two batch lengths of a "no loop over examples" pair: the same network and rows.
FEW, MANY = 2, 12


def batch_pairs(rng, n):
    """Pairs of cases on one network, N = FEW then N = MANY of the same rows: a stub whose
    notebook code runs more lines for MANY loops over the examples (judged in
    :func:`..judging.judge.judge`)."""
    out = []
    for _ in range(max(n // 2, 1)):
        _, W, B, X, Y, where = network(rng, batch=MANY)
        for N in (FEW, MANY):
            out.append(Case((X[:N].copy(), Y[:N].copy(), W, B),
                            where.replace(f" and a batch of {MANY}", "") + f" and a batch of {N}",
                            batch=N, examples=N))
    return out


def add_bias_cases(rng, n):
    out = []
    for _ in range(n):
        n_out, n_in = (int(v) for v in rng.integers(1, 8, size=2))
        out.append(Case((rng.normal(size=(n_out, n_in)), rng.normal(size=(n_out, 1))),
                        f"W of shape {(n_out, n_in)}"))
    return out


def augmented_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, X, _, where = network(rng)
        out.append(Case((X, [add_bias_column(w, b) for w, b in zip(W, B, strict=True)]), where))
    return out


def row_major_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, X, Y, where = network(rng)

        def fd(X=X, Y=Y, W=W, B=B):
            nabla_w, nabla_b = fd_params(X, Y, W, B)
            return [[g.T for g in nabla_w], [g.T for g in nabla_b]]

        out.append(Case((X, Y, [w.T.copy() for w in W], [b.T.copy() for b in B]),
                        where + " (row convention)", batch=len(X), finite_differences=fd))
    return out


def draw_cases(stub: str, part: str, n: int = 6, key: bytes = DEVELOPMENT_KEY) -> list[Case]:
    """The hidden cases for one part of one stub's question under ``key``: a submission's
    key when grading it (:func:`.secret.submission_key`), the public development key in
    the tests. The same key draws the same cases."""
    q = question(stub)
    if part not in BASE_PARTS and part not in q.extra_parts:
        return []  # not a part of this question
    cases = q.extra_parts.get(part, q.draw)(rng_for(stub, part, key), n)
    if part == "finite_differences":
        cases = [c for c in cases if c.finite_differences is not None]
    return cases
