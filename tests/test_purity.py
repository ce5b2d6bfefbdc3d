"""No engine function modifies its inputs: every array is passed read-only and compared after."""

import numpy as np
import pytest
from hypothesis import given
from strategies import problems

from backprop_lab import engine as E  # noqa: N812
from backprop_lab.questions.registry import names


def frozen(a):
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def calls(p):
    W = [frozen(w) for w in p.weights]
    B = [frozen(b) for b in p.biases]
    X, Y = frozen(p.X), frozen(p.Y)
    x, y = frozen(p.X[:1].T), frozen(p.Y[:1].T)
    zs, acts = E.feedforward(X, W, B)
    zs, acts = [frozen(z) for z in zs], [frozen(a) for a in acts]
    delta = frozen(np.ones_like(zs[-1]))
    theta = frozen(E.get_params(W, B))
    Ws, bs = [frozen(w.T) for w in W], [frozen(b.T) for b in B]
    return {
        "sigmoid": (E.sigmoid, (zs[0],)),
        "sigmoid_prime": (E.sigmoid_prime, (zs[0],)),
        "feedforward": (E.feedforward, (X, W, B)),
        "backprop_loops": (E.backprop_loops, (x, y, W, B)),
        "bp1_output_error": (E.bp1_output_error, (acts[-1], zs[-1], frozen(Y.T))),
        "bp2_hidden_error": (
            E.bp2_hidden_error, (W[-1], delta, zs[-2] if len(zs) > 1 else zs[-1][:0])
        ),
        "bp3_bias_gradient": (E.bp3_bias_gradient, (delta,)),
        "bp4_weight_gradient": (E.bp4_weight_gradient, (delta, acts[-2])),
        "backprop_vectorized": (E.backprop_vectorized, (x, y, W, B)),
        "backprop_batch": (E.backprop_batch, (X, Y, W, B)),
        "get_params": (E.get_params, (W, B)),
        "set_params": (E.set_params, (theta, W, B)),
        "numerical_gradient": (E.numerical_gradient, (lambda t: float(t @ t), theta)),
        "relative_error": (E.relative_error, (theta, theta)),
        "sgd_epoch": (E.sgd_epoch, (X, Y, W, B, 3, 0.5)),
        "add_bias_column": (E.add_bias_column, (W[0], B[0])),
        "feedforward_augmented": (
            E.feedforward_augmented, (X, [E.add_bias_column(w, b) for w, b in zip(W, B)])
        ),
        "backprop_row_major": (E.backprop_row_major, (X, Y, Ws, bs)),
        "network_numerical_gradient": (E.network_numerical_gradient, (X, Y, W, B)),
        "train": (E.train, (X, Y, W, B, 2, 3, 0.5)),
        "layer_gradient_norms": (E.layer_gradient_norms, (X, Y, W, B)),
    }


def arrays_in(value):
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in arrays_in(v)]
    return []


@given(problems(max_batch=6))
def test_no_function_writes_to_its_inputs(p):
    for name, (fn, args) in calls(p).items():
        before = [a.copy() for a in arrays_in(args)]
        if name == "bp2_hidden_error" and args[2].size == 0:
            continue  # a one-layer network has no hidden layer
        fn(*args)  # a write to a read-only array raises here
        after = arrays_in(args)
        assert all(np.array_equal(b, a) for b, a in zip(before, after)), name


def test_every_stub_is_covered_by_the_purity_check():
    p = type("P", (), {})()
    rng = np.random.default_rng(0)
    p.weights, p.biases = E.init_network([2, 3, 2], rng)
    p.X, p.Y = rng.standard_normal((4, 2)), rng.uniform(size=(4, 2))
    missing = set(names()) - set(calls(p)) - {"backprop_1D"}  # 1D takes floats only
    assert not missing


@pytest.mark.task("backprop_1D")
def test_backprop_1d_leaves_its_lists_alone():
    w, b = [1.0, 2.0], [0.5, -0.5]
    E.backprop_1D(0.3, 1.0, w, b)
    assert w == [1.0, 2.0] and b == [0.5, -0.5]
