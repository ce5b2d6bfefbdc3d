"""One hidden case, and the random network most cases are drawn on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine import init_network


@dataclass
class Case:
    """One call of a stub: its arguments, a description for messages, and oracles."""

    args: tuple
    context: str
    batch: int | None = None  # N where the result is a sum over N examples
    finite_differences: Callable[[], object] | None = field(default=None, repr=False)
    examples: int | None = None  # N, the number of examples (columns) in the call


def network(rng, *, min_layers=1, max_layers=4, max_batch=64, batch=None, width=None,
            distinct=False):
    """A random network and batch; ``distinct``: N in 2..12, unlike every layer width."""
    L = int(rng.integers(min_layers, max_layers + 1))
    if width is not None or rng.random() < 1 / 3:
        sizes = [int(width or rng.integers(1, 8))] * (L + 1)
    else:
        sizes = [int(n) for n in rng.integers(1, 8, size=L + 1)]
    weights, biases = init_network(sizes, rng)
    if distinct:
        batch = int(rng.choice([n for n in range(2, 13) if n not in sizes]))
    N = int(batch if batch is not None else rng.integers(1, max_batch + 1))
    X = rng.standard_normal((N, sizes[0]))
    Y = rng.uniform(0.0, 1.0, (N, sizes[-1]))
    where = f"a network with layer sizes {sizes}" + (f" and a batch of {N}" if N > 1 else "")
    return sizes, weights, biases, X, Y, where
