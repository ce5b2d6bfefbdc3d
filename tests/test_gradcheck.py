"""Every gradient agrees with centered finite differences; the fast check equals the plain one."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import chains, problems

from backprop_lab.engine import (
    backprop_1D,
    backprop_batch,
    backprop_loops,
    backprop_row_major,
    backprop_vectorized,
    cost,
    get_params,
    gradient_check,
    network_numerical_gradient,
    numerical_gradient,
    relative_error,
    set_params,
)

FD = 1e-7  # centered differences, eps 1e-5, float64


@pytest.mark.task("backprop_batch")
@given(problems())
def test_batch_gradient_matches_finite_differences(p):
    assert gradient_check(p.X, p.Y, p.weights, p.biases, backprop_batch) < FD


@pytest.mark.task("backprop_vectorized")
@pytest.mark.task("backprop_loops")
@given(problems(max_batch=1))
def test_single_example_tiers_match_finite_differences(p):
    x, y = p.example(0)
    numeric = network_numerical_gradient(p.X, p.Y, p.weights, p.biases, fast=False)
    for tier in (backprop_vectorized, backprop_loops):
        assert relative_error(get_params(*tier(x, y, p.weights, p.biases)), numeric) < FD


@pytest.mark.task("backprop_1D")
@given(chains())
def test_1d_chain_matches_finite_differences(p):
    x, y = float(p.X[0, 0]), float(p.Y[0, 0])
    w = [float(W[0, 0]) for W in p.weights]
    b = [float(v[0, 0]) for v in p.biases]
    L = len(w)

    def chain_cost(theta):
        a = x
        for i in range(L):
            a = 1 / (1 + np.exp(-(theta[i] * a + theta[L + i])))
        return 0.5 * (a - y) ** 2

    dw, db = backprop_1D(x, y, w, b)
    assert relative_error(np.array(dw + db), numerical_gradient(chain_cost, np.array(w + b))) < FD


@pytest.mark.task("backprop_row_major")
@given(problems())
def test_row_major_matches_finite_differences(p):
    Ws, bs = [W.T.copy() for W in p.weights], [b.T.copy() for b in p.biases]

    def row_cost(theta):
        W_, b_ = set_params(theta, Ws, bs)
        A = p.X
        for W, b in zip(W_, b_):
            A = 1 / (1 + np.exp(-(A @ W + b)))
        return 0.5 * np.sum((A - p.Y) ** 2)

    analytic = get_params(*backprop_row_major(p.X, p.Y, Ws, bs))
    assert relative_error(analytic, numerical_gradient(row_cost, get_params(Ws, bs))) < FD


@pytest.mark.task("gradient_check")
@given(problems())
def test_fast_numerical_gradient_equals_the_plain_one(p):
    fast = network_numerical_gradient(p.X, p.Y, p.weights, p.biases, fast=True)
    plain = network_numerical_gradient(p.X, p.Y, p.weights, p.biases, fast=False)
    assert relative_error(fast, plain) < 1e-8


@pytest.mark.task("gradient_check")
def test_fast_path_chunks_give_the_same_answer():
    # A tiny chunk budget forces many chunks per layer, including a ragged last one.
    from backprop_lab.engine import gradcheck, init_network

    rng = np.random.default_rng(3)
    weights, biases = init_network([5, 7, 7, 3], rng)
    X, Y = rng.standard_normal((9, 5)), rng.uniform(size=(9, 3))
    whole = network_numerical_gradient(X, Y, weights, biases)
    original = gradcheck._row_nudge_gradient.__kwdefaults__["max_elements"]
    gradcheck._row_nudge_gradient.__kwdefaults__["max_elements"] = 7 * 9 * 3  # 3 rows a chunk
    try:
        chunked = network_numerical_gradient(X, Y, weights, biases)
    finally:
        gradcheck._row_nudge_gradient.__kwdefaults__["max_elements"] = original
    assert np.array_equal(whole, chunked)


@pytest.mark.task("numerical_gradient")
def test_numerical_gradient_is_exact_for_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    theta = np.array([0.5, -1.5])
    grad = numerical_gradient(lambda t: 0.5 * t @ A @ t, theta)
    assert np.allclose(grad, A @ theta, rtol=0, atol=1e-9)


@pytest.mark.task("numerical_gradient")
def test_numerical_gradient_is_centered_not_one_sided():
    # f = t^3 at t=1: centered (f(1+e)-f(1-e))/2e = 3 + e^2; one-sided = 3 + 3e + e^2.
    eps = 1e-3
    grad = numerical_gradient(lambda t: float(t[0] ** 3), np.array([1.0]), eps)
    assert abs(grad[0] - (3 + eps**2)) < 1e-9


@pytest.mark.task("get_params")
@pytest.mark.task("set_params")
@given(problems(max_batch=1))
def test_get_and_set_params_round_trip_in_the_specified_order(p):
    theta = get_params(p.weights, p.biases)
    expected = np.concatenate([W.ravel() for W in p.weights] + [b.ravel() for b in p.biases])
    assert theta.shape == (sum(W.size + b.size for W, b in zip(p.weights, p.biases)),)
    assert np.array_equal(theta, expected)
    weights, biases = set_params(theta * 2, p.weights, p.biases)
    assert all(np.array_equal(W2, 2 * W) for W2, W in zip(weights, p.weights))
    assert all(np.array_equal(b2, 2 * b) for b2, b in zip(biases, p.biases))


def test_set_params_rejects_a_wrong_length():
    with pytest.raises(ValueError, match=r"need \(6,\)"):
        set_params(np.zeros(3), [np.zeros((2, 2))], [np.zeros((2, 1))])


@pytest.mark.task("relative_error")
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=10))
def test_relative_error_definition(values):
    a = np.array(values)
    b = a + 1.0
    expected = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-15)
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == (1.0 if np.any(a) else 0.0)


@pytest.mark.task("relative_error")
def test_relative_error_survives_tiny_and_huge_magnitudes():
    for scale in (1e-300, 1e-200, 1e200, 1e300):
        a = np.array([3.0, 4.0]) * scale
        assert relative_error(a, -a) == 1.0
        assert relative_error(a, 2 * a) == pytest.approx(1 / 3, rel=1e-15)


@pytest.mark.task("gradient_check")
def test_gradient_check_catches_a_wrong_gradient():
    from backprop_lab.engine import init_network

    rng = np.random.default_rng(0)
    weights, biases = init_network([3, 4, 2], rng)
    X, Y = rng.standard_normal((6, 3)), rng.uniform(size=(6, 2))

    def doubled(*args):
        nw, nb = backprop_batch(*args)
        return [2 * g for g in nw], [2 * g for g in nb]

    assert gradient_check(X, Y, weights, biases, backprop_batch) < FD
    assert gradient_check(X, Y, weights, biases, doubled) > 0.3
    assert cost(X, Y, weights, biases) > 0
