import warnings

import numpy as np
import pytest

from backprop_lab.engine import sigmoid, sigmoid_prime

pytestmark = pytest.mark.task("sigmoid")


def test_sigmoid_extremes_are_finite_and_warning_free():
    z = np.array([-1000.0, -745.0, -50.0, 0.0, 50.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, sp = sigmoid(z), sigmoid_prime(z)
        scalar = sigmoid(-1000.0)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(sp))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert scalar == 0.0 and isinstance(scalar, float)
    assert sp[3] == 0.25 and sp[0] == 0.0 and sp[-1] == 0.0


def test_sigmoid_matches_the_textbook_formula_where_that_formula_is_safe():
    z = np.linspace(-30, 30, 601)
    textbook = 1.0 / (1.0 + np.exp(-z))
    assert np.max(np.abs(sigmoid(z) - textbook)) < 1e-15
    assert np.max(np.abs(sigmoid_prime(z) - textbook * (1 - textbook))) < 1e-15


def test_sigmoid_prime_keeps_relative_accuracy_in_the_tail():
    # sigma'(40) = e^-40 / (1 + e^-40)^2; sigma(1 - sigma) would give 0 here.
    exact = np.exp(-40.0) / (1 + np.exp(-40.0)) ** 2
    assert abs(sigmoid_prime(40.0) - exact) / exact < 1e-14


def test_shapes_and_types_are_kept():
    z = np.zeros((3, 2))
    assert sigmoid(z).shape == (3, 2) and sigmoid(z).dtype == np.float64
    assert isinstance(sigmoid_prime(1.0), float)


def test_sigmoid_and_its_derivative_are_within_a_few_ulps_of_scipy():
    from scipy.special import expit

    z = np.linspace(-708, 708, 200_001)
    exact = expit(z)
    assert np.max(np.abs(sigmoid(z) - exact) / np.spacing(exact)) <= 3
    exact_prime = expit(z) * expit(-z)
    assert np.max(np.abs(sigmoid_prime(z) - exact_prime) / np.spacing(exact_prime)) <= 4
