"""The vanishing-gradient measurement shows what the course says it shows."""

import numpy as np

from backprop_lab.engine import backprop_batch, init_network, layer_gradient_norms


def wide_problem(init, input_scale):
    rng = np.random.default_rng(0)
    weights, biases = init_network([50, 30, 30, 30, 30, 10], rng, init=init)
    X = rng.standard_normal((100, 50)) * input_scale
    Y = rng.uniform(size=(100, 10))
    return X, Y, weights, biases


def test_norms_are_per_layer_means():
    X, Y, weights, biases = wide_problem("normal", 1.0)
    w_norms, b_norms = layer_gradient_norms(X, Y, weights, biases)
    nabla_w, nabla_b = backprop_batch(X, Y, weights, biases)
    assert w_norms.shape == b_norms.shape == (5,)
    assert np.isclose(b_norms[0], np.linalg.norm(nabla_b[0]) / 100)


def test_early_layers_learn_slower_in_a_deep_sigmoid_network():
    _, b_norms = layer_gradient_norms(*wide_problem("normal", 1.0))
    assert b_norms[0] < b_norms[-1] / 10


def test_larger_inputs_saturate_the_first_layer_and_slow_it_down():
    firsts = [layer_gradient_norms(*wide_problem("normal", s))[1] for s in (0.1, 1.0, 10.0)]
    assert firsts[0][0] > firsts[1][0] > firsts[2][0]
    # The last layer barely notices: its inputs are sigmoids, bounded whatever X is.
    assert abs(firsts[0][-1] - firsts[2][-1]) < 0.1 * firsts[1][-1]


def test_scaled_initialisation_shrinks_the_signal_by_about_sigma_prime_per_layer():
    # With W ~ N(0, 1/n_in), ||W^T delta|| is about ||delta||, and sigma'(z) <= 1/4,
    # so each layer sees at most about a quarter of the next layer's error.
    _, scaled = layer_gradient_norms(*wide_problem("scaled", 1.0))
    ratios = scaled[:-1] / scaled[1:]
    assert np.all(ratios < 0.3), ratios
