"""A 1-1-1 chain whose gradients are worked out by hand, pinning the actual numbers.

Chosen so that every z is 0: sigma(0) = 1/2 and sigma'(0) = 1/4, and every number
below is a short binary fraction, so the checks are exact equalities.

    x = 1, y = 1, w1 = 2, b1 = -2, w2 = 4, b2 = -2
    z1 = w1 x + b1 = 0          a1 = 1/2
    z2 = w2 a1 + b2 = 0         a2 = 1/2
    BP1  delta2 = (a2 - y) sigma'(z2) = (-1/2)(1/4) = -1/8
    BP2  delta1 = w2 delta2 sigma'(z1) = 4 (-1/8)(1/4) = -1/8
    BP3  dC/db2 = -1/8,  dC/db1 = -1/8
    BP4  dC/dw2 = delta2 a1 = -1/16,  dC/dw1 = delta1 x = -1/8
"""

import math

import numpy as np
import pytest

from backprop_lab.engine import (
    backprop_1D,
    backprop_batch,
    backprop_loops,
    backprop_row_major,
    backprop_vectorized,
)

W = [np.array([[2.0]]), np.array([[4.0]])]
B = [np.array([[-2.0]]), np.array([[-2.0]])]
DW, DB = [-1 / 8, -1 / 16], [-1 / 8, -1 / 8]


@pytest.mark.task("backprop_1D")
def test_chain_by_hand_1d():
    assert backprop_1D(1.0, 1.0, [2.0, 4.0], [-2.0, -2.0]) == (DW, DB)


@pytest.mark.parametrize("tier", [backprop_loops, backprop_vectorized])
def test_chain_by_hand_single_example_tiers(tier):
    nabla_w, nabla_b = tier(np.array([[1.0]]), np.array([[1.0]]), W, B)
    assert [g.item() for g in nabla_w] == DW and [g.item() for g in nabla_b] == DB


def test_chain_by_hand_batch_and_row_major_sum_over_rows():
    # Two identical rows: the batch gradient is twice the single one.
    X, Y = np.ones((2, 1)), np.ones((2, 1))
    nabla_w, nabla_b = backprop_batch(X, Y, W, B)
    assert [g.item() for g in nabla_w] == [2 * v for v in DW]
    assert [g.item() for g in nabla_b] == [2 * v for v in DB]
    nabla_W, nabla_bs = backprop_row_major(X, Y, W, B)  # 1x1 matrices: transposes vanish
    assert [g.item() for g in nabla_W] == [2 * v for v in DW]


@pytest.mark.task("backprop_1D")
def test_a_three_neuron_chain_off_zero_by_hand():
    # x = 0.5, y = 0, w = (1, -2, 0.5), b = (0, 1, 0): the chain rule written out.
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    ds = lambda z: s(z) * (1 - s(z))  # noqa: E731
    z1 = 1 * 0.5 + 0
    a1 = s(z1)
    z2 = -2 * a1 + 1
    a2 = s(z2)
    z3 = 0.5 * a2 + 0
    a3 = s(z3)
    d3 = (a3 - 0) * ds(z3)
    d2 = 0.5 * d3 * ds(z2)
    d1 = -2 * d2 * ds(z1)
    dw, db = backprop_1D(0.5, 0.0, [1.0, -2.0, 0.5], [0.0, 1.0, 0.0])
    assert dw == pytest.approx([d1 * 0.5, d2 * a1, d3 * a2], rel=1e-14)
    assert db == pytest.approx([d1, d2, d3], rel=1e-14)
