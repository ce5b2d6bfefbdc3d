import numpy as np

from backprop_lab.course.data import circles, step_data


def test_step_data_is_evenly_spaced_with_sign_labels():
    X, Y = step_data(40)
    assert X.shape == (40, 1) and Y.shape == (40, 1)
    assert X[0, 0] == -5.0 and X[-1, 0] == 5.0
    assert np.allclose(np.diff(X[:, 0]), 10 / 39)
    assert np.array_equal(Y[:, 0], (X[:, 0] > 0).astype(float))


def test_step_data_shuffles_by_seed_or_generator():
    a, b = step_data(20, rng=7), step_data(20, rng=7)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[0], step_data(20)[0])
    g1, g2 = step_data(20, np.random.default_rng(1)), step_data(20, np.random.default_rng(1))
    assert np.array_equal(g1[0], g2[0])
    assert np.array_equal(np.sort(a[0], axis=0), step_data(20)[0])


def test_circles_is_seeded_and_labelled():
    X, Y = circles(100, 3)
    X2, _ = circles(100, 3)
    assert X.shape == (100, 2) and Y.shape == (100, 1) and X.dtype == np.float64
    assert np.array_equal(X, X2) and set(np.unique(Y)) == {0.0, 1.0}
    inner = np.linalg.norm(X[Y[:, 0] == 1], axis=1).mean()
    outer = np.linalg.norm(X[Y[:, 0] == 0], axis=1).mean()
    assert inner < outer
    Xg, _ = circles(100, np.random.default_rng(3))
    assert Xg.shape == (100, 2)
