"""Whether a mutant is equivalent: its results on wide random inputs (a question's
``sweep``, :mod:`..questions.sweeps`) against the reference's.

A mutant that gives the reference's results (relative error <= 1e-9 per array, the same
shapes, the same errors, the same arguments modified) on every input of a seeded sweep
is *equivalent*: no grade can or should tell it apart. The sweep covers each stub's
whole contract: batches of N = 1 and N > 1 for BP1-BP4, widths 1 and all-equal widths
(``cases.network`` draws those a third of the time), extreme activations, zero and tiny
arrays for ``relative_error``, mini-batches that do and do not divide N.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..course.calls import Raw
from ..course.compare import _lists_of_floats, same_tree
from ..course.tolerance import absolute_floor, with_floor
from ..engine import relative_error
from ..questions.registry import question
from ..running.harness import run

AGREE = 1e-9
SWEEP_SEED = 20261202


def sweep_inputs(stub: str, n: int, seed: int = SWEEP_SEED) -> list[tuple]:
    """``n`` argument tuples for ``stub``, the same on every run."""
    rng = np.random.default_rng([seed, sum(map(ord, stub))])
    q = question(stub)
    if q.sweep is None:  # no wide inputs declared: as many of its hidden cases
        return [case.args for case in q.draw(rng, n)]
    return [q.sweep(rng) for _ in range(n)]


def agree(a: Raw, b: Raw, tolerance: float = AGREE, floor: float = 0.0) -> bool:
    """Two calls that no grade can tell apart (``b`` the reference's): same error or
    none, same arguments modified, same tree of arrays of the same shapes within
    ``tolerance``, or within the judge's absolute ``floor`` (see ``course.tolerance``)."""
    if (a.error is None) != (b.error is None) or a.not_implemented != b.not_implemented:
        return False
    # A 1-D array where a list of floats is expected is read as the judge reads it.
    return sorted(map(str, a.mutated)) == sorted(map(str, b.mutated)) and _same(
        _lists_of_floats(b.value, a.value), b.value, tolerance, floor)


def _same(a, b, tolerance: float, floor: float = 0.0) -> bool:
    if a is None or b is None:
        return a is b
    return same_tree(a, b, with_floor(lambda x, y: relative_error(x, y) <= tolerance, floor))


def _how_far(got: Raw, want: Raw) -> str:
    """"another result", with its relative error when the shapes agree."""
    try:
        a = _flat(_lists_of_floats(want.value, got.value))
        b = _flat(want.value)
        if a.shape == b.shape:
            return f"another result (relative error {relative_error(a, b):.1e})"
    except (TypeError, ValueError):
        pass
    return "another result (other shapes)"


def _flat(tree) -> np.ndarray:
    if isinstance(tree, list):
        return np.concatenate([_flat(t) for t in tree]) if tree else np.zeros(0)
    return np.ravel(np.asarray(tree, dtype=np.float64))


def describe(value) -> str:
    """Argument shapes, for a message: ``((3, 2), [(4, 3), (1, 4)], 0.5)``."""
    if isinstance(value, tuple | list):
        inner = ", ".join(describe(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, np.ndarray):
        return str(value.shape)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value) if isinstance(value, int) else type(value).__name__


def difference(env: Mapping, stub: str, inputs: list[tuple], expected: list[Raw],
               references: Mapping, seconds: float) -> str | None:
    """None when ``env[stub]`` agrees on every input with ``expected`` (the reference's
    raws on ``inputs``), else the first input where it does not (its argument shapes) and
    what it did there."""
    for args, want in zip(inputs, expected, strict=True):
        [got] = run(env, stub, [args], references, seconds)
        if not agree(got, want, floor=absolute_floor(question(stub).scale, want.value)):
            what = got.error or ("modified " + ", ".join(map(str, got.mutated))
                                 if got.mutated != want.mutated else _how_far(got, want))
            return f"on arguments shaped {describe(args)}: {what}"
    return None
