"""Where a result differs from the expected one: the first entry, the layers, the first
part. Used to keep that place when a case is cut down (:mod:`.shrinking`) and to print
it (:mod:`.counterexample`). Values are float trees (:func:`..course.values.as_tree`);
entries differ when ``|e - g| > 1e-6 (|e| + |g|)``, the judge's relative tolerance.
"""

from __future__ import annotations

import numpy as np


def differing_layers(expected, got) -> set[int]:
    """The indices of the per-layer entries of a tuple result that differ from the
    expected ones (empty when unknown)."""
    found: set[int] = set()
    if not (isinstance(expected, list) and isinstance(got, list)):
        return found
    for e_list, g_list in zip(expected, got, strict=False):
        if isinstance(e_list, list) and isinstance(g_list, list):
            for i, (e, g) in enumerate(zip(e_list, g_list, strict=False)):
                if first_difference(e, g) is not None:
                    found.add(i)
    return found


def first_difference(expected, got) -> tuple[int, ...] | None:
    """The index of the first entry of an array result that differs (None: unknown or
    none)."""
    if not (isinstance(expected, np.ndarray) and isinstance(got, np.ndarray)
            and expected.shape == got.shape):
        return None
    off = _off(expected, got)
    return tuple(int(i) for i in np.argwhere(off)[0]) if off.any() else None


def differing_leaf(expected, got, path: tuple[int, ...] = ()) -> tuple:
    """The path of the first leaf that differs, with both leaves (the whole values when
    they are not alike)."""
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            found = differing_leaf(e, g, (*path, i))
            if found[0] is not None:
                return found
        return None, expected, got
    if isinstance(expected, list) or isinstance(got, list) or got is None:
        return path, expected, got
    e, g = np.asarray(expected), np.asarray(got)
    same = e.shape == g.shape and not _off(e, g).any()
    return (None if same else path), expected, got


def first_leaf(expected, path: tuple[int, ...] = ()) -> tuple:
    """The path of the first array or number of ``expected``, with it."""
    if isinstance(expected, list) and expected:
        return first_leaf(expected[0], (*path, 0))
    return path, expected, None


def _off(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Where two arrays of one shape differ (NaN differs from everything)."""
    with np.errstate(all="ignore"):
        return ~(np.abs(expected - got) <= 1e-6 * (np.abs(expected) + np.abs(got)))
