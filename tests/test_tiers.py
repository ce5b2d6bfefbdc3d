"""The tiers of backprop agree with each other: 1-D chain, loops, vectorized, batch, row-major."""

import numpy as np
import pytest
from hypothesis import given
from strategies import chains, problems

from backprop_lab.engine import (
    backprop_1D,
    backprop_batch,
    backprop_loops,
    backprop_row_major,
    backprop_vectorized,
    get_params,
    relative_error,
)

TIGHT = 1e-12


def flat(grads):
    return get_params(*grads)


@pytest.mark.task("backprop_loops")
@pytest.mark.task("backprop_vectorized")
@given(problems(max_batch=1))
def test_loops_vectorized_and_batch_of_one_agree(p):
    x, y = p.example(0)
    loops = backprop_loops(x, y, p.weights, p.biases)
    vectorized = backprop_vectorized(x, y, p.weights, p.biases)
    batch = backprop_batch(p.X, p.Y, p.weights, p.biases)
    for grads in (loops, vectorized, batch):
        assert [g.shape for g in grads[0]] == [W.shape for W in p.weights]
        assert [g.shape for g in grads[1]] == [b.shape for b in p.biases]
    assert relative_error(flat(loops), flat(vectorized)) < TIGHT
    assert relative_error(flat(batch), flat(vectorized)) < TIGHT


@pytest.mark.task("backprop_batch")
@given(problems())
def test_batch_is_the_sum_of_vectorized_over_rows(p):
    total = None
    for i in range(len(p.X)):
        g = flat(backprop_vectorized(*p.example(i), p.weights, p.biases))
        total = g if total is None else total + g
    assert relative_error(flat(backprop_batch(p.X, p.Y, p.weights, p.biases)), total) < TIGHT


@pytest.mark.task("backprop_1D")
@given(chains())
def test_1d_chain_agrees_with_loops(p):
    x, y = p.example(0)
    dw, db = backprop_1D(float(x[0, 0]), float(y[0, 0]),
                         [float(W[0, 0]) for W in p.weights], [float(b[0, 0]) for b in p.biases])
    assert all(isinstance(v, float) for v in dw + db) and len(dw) == len(db) == len(p.weights)
    nabla_w, nabla_b = backprop_loops(x, y, p.weights, p.biases)
    expected = np.array([g[0, 0] for g in nabla_w] + [g[0, 0] for g in nabla_b])
    assert relative_error(np.array(dw + db), expected) < TIGHT


@pytest.mark.task("backprop_row_major")
@given(problems())
def test_row_major_is_the_column_convention_transposed(p):
    Ws = [W.T.copy() for W in p.weights]
    bs = [b.T.copy() for b in p.biases]
    nabla_W, nabla_b = backprop_row_major(p.X, p.Y, Ws, bs)
    assert [g.shape for g in nabla_W] == [W.shape for W in Ws]
    assert [g.shape for g in nabla_b] == [b.shape for b in bs]
    column_w, column_b = backprop_batch(p.X, p.Y, p.weights, p.biases)
    assert relative_error(flat(([g.T for g in nabla_W], [g.T for g in nabla_b])),
                          flat((column_w, column_b))) < TIGHT
