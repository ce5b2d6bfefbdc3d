"""The hidden cases of a3 (gradient checking and training): parameters as one vector, a
numerical gradient, a relative error, an epoch of mini-batch SGD."""

from __future__ import annotations

import numpy as np

from ..course.smooth import SmoothFunction
from ..engine import get_params
from .case import Case, network
from .oracles import fd_params


def get_params_cases(rng, n):
    return [Case((W, B), where) for _, W, B, _, _, where in (network(rng) for _ in range(n))]


def set_params_cases(rng, n):
    out = []
    for _ in range(n):
        _, W, B, _, _, where = network(rng)
        theta = rng.normal(size=get_params(W, B).size)
        out.append(Case((theta, W, B), where))
    return out


#: A step at which a centered difference of the smooth function is off by about 2e-5 of
#: the gradient: a stub that ignores ``eps`` (and uses 1e-5) is told apart.
COARSE_EPS = 1e-2


def numerical_gradient_cases(rng, n):
    """Smooth functions with known gradients, from gentle to steep, over 1-12 variables;
    every third case passes ``eps=0.01`` (compared with the reference only: at that step
    the estimate differs from the true gradient, as it should)."""
    out = []
    for i in range(n):
        P = int(rng.integers(1, 13))
        M = rng.normal(scale=float(rng.choice([0.3, 1.0, 3.0])), size=(P, P))
        f, theta = SmoothFunction(M + M.T), rng.normal(size=P)
        if i % 3 == 2:
            out.append(Case((f, theta, COARSE_EPS), f"a smooth function of {P} variables "
                            f"and eps = {COARSE_EPS:g}"))
            continue
        out.append(Case((f, theta), f"a smooth function of {P} variables",
                        finite_differences=lambda f=f, theta=theta: f.gradient(theta)))
    return out


def relative_error_cases(rng, n):
    """Two zero vectors (0.0), then pairs of arrays: one of them zero (the answer is 1.0),
    and one pair of the size of a vanishing gradient (1e-9: no fixed epsilon belongs in
    the denominator)."""
    out = [Case((np.zeros(3), np.zeros(3)), "two zero vectors")]
    for i in range(1, n):
        shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        a = rng.normal(size=shape)
        b = a + rng.normal(scale=10.0 ** rng.integers(-8, 1), size=shape)
        if i == 1:
            a, what = np.zeros(shape), f"a zero array and an array of shape {shape}"
        elif i == 2:
            a, b, what = a * 1e-9, b * 1e-9, f"two arrays of shape {shape} near 1e-9"
        else:
            what = f"two arrays of shape {shape}"
        out.append(Case((a, b), what))
    return out


def sgd_cases(rng, n):
    """Several mini-batches, the last one shorter: order, step size and short batch count.

    The last three cases are the edges: mini-batches of one example, one mini-batch of the
    whole batch, and a batch_size that divides N (no short batch at the end)."""
    out = []
    for i in range(n):
        edge = i - (n - 3)  # 0, 1, 2 for the last three cases
        N = int(rng.integers(3, 7) if edge == 0 else rng.choice([8, 12, 18]) if edge == 2
                else rng.integers(5, 25))
        _, W, B, X, Y, where = network(rng, max_layers=3, batch=N)
        if edge == 0:
            batch_size = 1
        elif edge == 1:
            batch_size = N
        else:
            divides = edge == 2  # else a short last mini-batch
            batch_size = int(rng.choice([k for k in range(2, N) if (N % k == 0) == divides
                                         and N // k <= 6]))
        eta = float(rng.uniform(0.1, 3.0))

        def fd(X=X, Y=Y, W=W, B=B, batch_size=batch_size, eta=eta):
            for start in range(0, len(X), batch_size):
                X_b, Y_b = X[start:start + batch_size], Y[start:start + batch_size]
                nabla_w, nabla_b = fd_params(X_b, Y_b, W, B)
                step = eta / len(X_b)
                W = [w - step * g for w, g in zip(W, nabla_w, strict=True)]
                B = [b - step * g for b, g in zip(B, nabla_b, strict=True)]
            return [W, B]

        out.append(Case((X, Y, W, B, batch_size, eta),
                        f"{where}, batch_size {batch_size} ({_mini_batches(N, batch_size)}), "
                        f"eta {eta:.3g}",
                        examples=N, finite_differences=fd))
    return out


def _mini_batches(N: int, batch_size: int) -> str:
    count, short = -(-N // batch_size), N % batch_size
    if count == 1:
        return "one mini-batch"
    return f"{count} mini-batches" + (f", the last of {short}" if short else " of equal size")
