"""Shared hypothesis strategies: random networks and batches for every engine test.

Layer sizes: 1-3 hidden layers, widths 1-8, batches 1-20; one draw in four makes all
widths equal, the case where a wrong layer or a missing transpose still has the right
shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from backprop_lab.engine import init_network


@dataclass
class Problem:
    sizes: list[int]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: np.ndarray  # (N, d)
    Y: np.ndarray  # (N, k)

    def example(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Row i as a column pair (x, y): ``(d, 1)`` and ``(k, 1)``."""
        return self.X[i][:, None], self.Y[i][:, None]


@st.composite
def layer_sizes(draw, min_hidden: int = 1, max_hidden: int = 3, max_width: int = 8) -> list[int]:
    depth = draw(st.integers(min_hidden, max_hidden)) + 2
    if draw(st.integers(0, 3)) == 0:
        return [draw(st.integers(1, max_width))] * depth
    return draw(st.lists(st.integers(1, max_width), min_size=depth, max_size=depth))


@st.composite
def problems(draw, sizes=None, max_batch: int = 20) -> Problem:
    sizes = draw(sizes if sizes is not None else layer_sizes())
    n = draw(st.integers(1, max_batch))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    weights, biases = init_network(sizes, rng)
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.uniform(0, 1, (n, sizes[-1]))
    return Problem(sizes, weights, biases, X, Y)


def chains(max_depth: int = 4):
    """Problems for a chain of single neurons: every width 1, depth 1..max_depth."""
    return problems(sizes=st.integers(1, max_depth).map(lambda L: [1] * (L + 1)))
