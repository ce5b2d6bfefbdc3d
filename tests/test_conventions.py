import numpy as np
import pytest
from hypothesis import given
from strategies import problems

from backprop_lab.engine import add_bias_column, feedforward, feedforward_augmented, relative_error


@pytest.mark.task("add_bias_column")
def test_add_bias_column_puts_the_bias_last():
    W = np.arange(6.0).reshape(2, 3)
    b = np.array([[10.0], [20.0]])
    assert np.array_equal(add_bias_column(W, b), [[0, 1, 2, 10], [3, 4, 5, 20]])


@pytest.mark.task("feedforward_augmented")
@given(problems())
def test_augmented_forward_equals_the_plain_one(p):
    aug = [add_bias_column(W, b) for W, b in zip(p.weights, p.biases)]
    out = feedforward_augmented(p.X, aug)
    _, activations = feedforward(p.X, p.weights, p.biases)
    assert out.shape == (p.sizes[-1], len(p.X))
    assert relative_error(out, activations[-1]) < 1e-14


@pytest.mark.task("feedforward")
@given(problems())
def test_feedforward_shapes(p):
    zs, activations = feedforward(p.X, p.weights, p.biases)
    N = len(p.X)
    assert len(activations) == len(p.weights) + 1
    assert np.array_equal(activations[0], p.X.T)
    assert [z.shape for z in zs] == [(n, N) for n in p.sizes[1:]]
    assert [a.shape for a in activations] == [(n, N) for n in p.sizes]
