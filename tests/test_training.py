"""sgd_epoch against a per-sample, Nielsen-style update written here, and train's loss."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import problems

from backprop_lab.course.data import step_data
from backprop_lab.engine import backprop_loops, init_network, relative_error, sgd_epoch, train


def nielsen_epoch(X, Y, weights, biases, batch_size, eta):
    """update_mini_batch over batches in order, summing per-sample gradients."""
    weights, biases = [W.copy() for W in weights], [b.copy() for b in biases]
    for k in range(0, len(X), batch_size):
        batch = list(zip(X[k : k + batch_size], Y[k : k + batch_size]))
        nabla_w = [np.zeros(W.shape) for W in weights]
        nabla_b = [np.zeros(b.shape) for b in biases]
        for x, y in batch:
            dnw, dnb = backprop_loops(x[:, None], y[:, None], weights, biases)
            nabla_w = [nw + d for nw, d in zip(nabla_w, dnw)]
            nabla_b = [nb + d for nb, d in zip(nabla_b, dnb)]
        weights = [W - (eta / len(batch)) * nw for W, nw in zip(weights, nabla_w)]
        biases = [b - (eta / len(batch)) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


@pytest.mark.task("sgd_epoch")
@given(problems(max_batch=12), st.integers(1, 5), st.floats(0.1, 3.0))
def test_sgd_epoch_equals_per_sample_updates(p, batch_size, eta):
    got_w, got_b = sgd_epoch(p.X, p.Y, p.weights, p.biases, batch_size, eta)
    want_w, want_b = nielsen_epoch(p.X, p.Y, p.weights, p.biases, batch_size, eta)
    for got, want in zip(got_w + got_b, want_w + want_b):
        assert got.shape == want.shape
        assert relative_error(got, want) < 1e-12


@pytest.mark.task("sgd_epoch")
def test_the_last_short_batch_is_used_with_its_own_length():
    # 7 rows in batches of 3: steps on rows 0-2, 3-5, then row 6 alone.
    rng = np.random.default_rng(5)
    weights, biases = init_network([2, 3, 1], rng)
    X, Y = rng.standard_normal((7, 2)), rng.uniform(size=(7, 1))
    six_w, six_b = sgd_epoch(X[:6], Y[:6], weights, biases, 3, 0.5)
    last_w, last_b = sgd_epoch(X[6:], Y[6:], six_w, six_b, 3, 0.5)
    all_w, all_b = sgd_epoch(X, Y, weights, biases, 3, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(all_w + all_b, last_w + last_b))
    assert not all(np.array_equal(a, b) for a, b in zip(all_w, six_w))


def test_train_lowers_the_loss_on_the_step_data():
    X, Y = step_data(40, rng=1)
    weights, biases = init_network([1, 3, 1], np.random.default_rng(2))
    _, _, losses = train(X, Y, weights, biases, epochs=60, batch_size=8, eta=3.0,
                         rng=np.random.default_rng(3))
    assert len(losses) == 60 and all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0]
