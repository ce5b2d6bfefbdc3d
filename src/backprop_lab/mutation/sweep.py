"""Random inputs for every stub, wider than the hidden cases, to tell equivalent mutants.

A mutant that gives the reference's results (relative error <= 1e-9 per array, the same
shapes, the same errors, the same arguments modified) on every input of a seeded sweep
is *equivalent*: no grade can or should tell it apart. The sweep covers each stub's
whole contract: batches of N = 1 and N > 1 for BP1-BP4, widths 1 and all-equal widths
(``cases.network`` draws those a third of the time), extreme activations, zero and tiny
arrays for ``relative_error``, mini-batches that do and do not divide N.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ..course.calls import Raw
from ..course.compare import _lists_of_floats, same_tree
from ..course.public import SmoothFunction
from ..course.tolerance import absolute_floor, with_floor
from ..engine import add_bias_column, feedforward, get_params, relative_error
from ..questions.cases import network
from ..running.harness import run

AGREE = 1e-9
SWEEP_SEED = 20261202


def _batch(rng) -> int:
    return 1 if rng.random() < 0.3 else int(rng.integers(2, 12))


def _net(rng, **kw):
    """sizes, weights, biases, X (N, d), Y (N, k) of a random network."""
    sizes, W, B, X, Y, _ = network(rng, max_layers=3, batch=_batch(rng), **kw)
    return sizes, W, B, X, Y


def _activation(rng, huge: float = 800.0):
    """A float, or an array of 1-3 dimensions ("any shape"), at times with +-``huge``."""
    if rng.random() < 0.2:
        return (float(rng.normal(scale=5)),)
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    z = rng.normal(scale=4, size=shape)
    if rng.random() < 0.5:
        z.flat[0], z.flat[-1] = -huge, huge
    return (z,)


def _activation_prime(rng):
    """As for sigma, up to +-500: the domain of sigma' in the contract, where the correct
    exp(-z) / (1 + exp(-z))**2 is not yet inf / inf (see ``cases._sigmoid_prime_cases``)."""
    return _activation(rng, huge=500.0)


def _feedforward(rng):
    _, W, B, X, _ = _net(rng)
    return (X, W, B)


def _chain(rng):
    L = int(rng.integers(1, 5))
    return (float(rng.normal()), float(rng.uniform()), [float(v) for v in rng.normal(size=L)],
            [float(v) for v in rng.normal(size=L)])


def _one_example(rng):
    _, W, B, X, Y = _net(rng)
    return (X[:1].T.copy(), Y[:1].T.copy(), W, B)


def _bp1(rng):
    _, W, B, X, Y = _net(rng)
    zs, activations = feedforward(X, W, B)
    return (activations[-1], zs[-1], Y.T.copy())


def _bp2(rng):
    _, W, B, X, _ = _net(rng, min_layers=2)
    zs, _ = feedforward(X, W, B)
    l = int(rng.integers(0, len(W) - 1))
    return (W[l + 1], rng.normal(size=zs[l + 1].shape), zs[l])


def _bp3(rng):
    return (rng.normal(size=(int(rng.integers(1, 8)), _batch(rng))),)


def _bp4(rng):
    _, W, B, X, _ = _net(rng)
    _, activations = feedforward(X, W, B)
    l = int(rng.integers(0, len(W)))
    return (rng.normal(size=(W[l].shape[0], len(X))), activations[l])


def _batch_problem(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, W, B)


def _set_params(rng):
    _, W, B, _, _ = _net(rng)
    return (rng.normal(size=get_params(W, B).size), W, B)


def _numerical_gradient(rng):
    P = int(rng.integers(1, 10))
    M = rng.normal(scale=float(rng.choice([0.3, 1.0, 3.0])), size=(P, P))
    return (SmoothFunction(M + M.T), rng.normal(size=P))


def _relative_error(rng):
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


def _sgd(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, W, B, int(rng.integers(1, len(X) + 2)), float(rng.uniform(0.1, 3.0)))


def _add_bias(rng):
    n_out, n_in = (int(v) for v in rng.integers(1, 8, size=2))
    return (rng.normal(size=(n_out, n_in)), rng.normal(size=(n_out, 1)))


def _augmented(rng):
    _, W, B, X, _ = _net(rng)
    return (X, [add_bias_column(w, b) for w, b in zip(W, B, strict=True)])


def _row_major(rng):
    _, W, B, X, Y = _net(rng)
    return (X, Y, [w.T.copy() for w in W], [b.T.copy() for b in B])


INPUTS: dict[str, Callable[[np.random.Generator], tuple]] = {
    "sigmoid": _activation, "sigmoid_prime": _activation_prime, "feedforward": _feedforward,
    "backprop_1D": _chain, "backprop_loops": _one_example, "bp1_output_error": _bp1,
    "bp2_hidden_error": _bp2, "bp3_bias_gradient": _bp3, "bp4_weight_gradient": _bp4,
    "backprop_vectorized": _one_example, "backprop_batch": _batch_problem,
    "get_params": lambda rng: _batch_problem(rng)[2:], "set_params": _set_params,
    "numerical_gradient": _numerical_gradient, "relative_error": _relative_error,
    "sgd_epoch": _sgd, "add_bias_column": _add_bias, "feedforward_augmented": _augmented,
    "backprop_row_major": _row_major,
}


def sweep_inputs(stub: str, n: int, seed: int = SWEEP_SEED) -> list[tuple]:
    """``n`` argument tuples for ``stub``, the same on every run."""
    rng = np.random.default_rng([seed, sum(map(ord, stub))])
    return [INPUTS[stub](rng) for _ in range(n)]


def agree(a: Raw, b: Raw, tolerance: float = AGREE, floor: float = 0.0) -> bool:
    """Two calls that no grade can tell apart (``b`` the reference's): same error or
    none, same arguments modified, same tree of arrays of the same shapes within
    ``tolerance``, or within the judge's absolute ``floor`` (see ``course.tolerance``)."""
    if (a.error is None) != (b.error is None) or a.not_implemented != b.not_implemented:
        return False
    # A 1-D array where a list of floats is expected is read as the judge reads it.
    return sorted(map(str, a.mutated)) == sorted(map(str, b.mutated)) and _same(
        _lists_of_floats(b.value, a.value), b.value, tolerance, floor)


def _same(a, b, tolerance: float, floor: float = 0.0) -> bool:
    if a is None or b is None:
        return a is b
    return same_tree(a, b, with_floor(lambda x, y: relative_error(x, y) <= tolerance, floor))


def _how_far(got: Raw, want: Raw) -> str:
    """"another result", with its relative error when the shapes agree."""
    try:
        a = _flat(_lists_of_floats(want.value, got.value))
        b = _flat(want.value)
        if a.shape == b.shape:
            return f"another result (relative error {relative_error(a, b):.1e})"
    except (TypeError, ValueError):
        pass
    return "another result (other shapes)"


def _flat(tree) -> np.ndarray:
    if isinstance(tree, list):
        return np.concatenate([_flat(t) for t in tree]) if tree else np.zeros(0)
    return np.ravel(np.asarray(tree, dtype=np.float64))


def describe(value) -> str:
    """Argument shapes, for a message: ``((3, 2), [(4, 3), (1, 4)], 0.5)``."""
    if isinstance(value, tuple | list):
        inner = ", ".join(describe(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, np.ndarray):
        return str(value.shape)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value) if isinstance(value, int) else type(value).__name__


def difference(env: Mapping, stub: str, inputs: list[tuple], expected: list[Raw],
               references: Mapping, seconds: float) -> str | None:
    """None when ``env[stub]`` agrees on every input with ``expected`` (the reference's
    raws on ``inputs``), else the first input where it does not (its argument shapes) and
    what it did there."""
    for args, want in zip(inputs, expected, strict=True):
        [got] = run(env, stub, [args], references, seconds)
        if not agree(got, want, floor=absolute_floor(stub, want.value)):
            what = got.error or ("modified " + ", ".join(map(str, got.mutated))
                                 if got.mutated != want.mutated else _how_far(got, want))
            return f"on arguments shaped {describe(args)}: {what}"
    return None
