"""Whatever a stub returns, as numbers the judge can compare: float64 arrays in lists.

Student-safe. :func:`as_tree` never lets a strange value through: strings, dicts,
objects, generators, complex numbers, ragged object arrays and absurdly large arrays
raise :class:`NotNumericError` with a sentence saying what the value is. ``None`` and
``...`` inside a list are kept, so the comparison can name the slot that holds them.
"""

from __future__ import annotations

import types

import numpy as np

#: More numbers than any answer in this course holds (the largest is a few thousand).
MAX_NUMBERS = 1_000_000


class NotNumericError(TypeError):
    """A result that is not an array, a number, or a list or tuple of those."""


def as_tree(value, what: str = "the result"):
    """Numbers and arrays become float64 ndarrays; lists and tuples become lists."""
    if value is None or value is Ellipsis:
        return value
    if isinstance(value, (list, tuple)):
        return [as_tree(v, f"{what}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (bool, np.bool_)):
        raise NotNumericError(f"{what} is a bool, not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return np.array(value, dtype=np.float64)
    if isinstance(value, np.ndarray):
        return _array(value, what)
    raise NotNumericError(f"{what} is {_kind(value)}, not an array or a number")


def _array(value: np.ndarray, what: str) -> np.ndarray:
    if value.dtype.kind == "O":
        raise NotNumericError(f"{what} is an array of Python objects (dtype object): "
                              "np.array of a ragged list, or of arrays of different shapes?")
    if value.dtype.kind == "c":
        raise NotNumericError(f"{what} holds complex numbers")
    if value.dtype.kind not in "biuf":
        raise NotNumericError(f"{what} is an array of dtype {value.dtype}, not numbers")
    if value.size > MAX_NUMBERS:
        raise NotNumericError(f"{what} holds {value.size} numbers, far more than any answer "
                              "here")
    return np.array(value, dtype=np.float64)


def _kind(value) -> str:
    if isinstance(value, (str, bytes)):
        return f"a string ({str(value)[:40]!r})"
    if isinstance(value, types.GeneratorType):
        return "a generator: return a list (list(...)) or an array"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number"
    return f"a {type(value).__name__}"


def integer_paths(value, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Index paths of the integer arrays (dtype int or uint) in a returned value."""
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in integer_paths(v, (*path, i))]
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu" and value.ndim > 0:
        return [path]
    return []


def narrow_paths(value, path: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Index paths of the NumPy arrays and scalars in a returned value whose dtype is
    not float64 (float32 and float16, or integers): the contract is float64 throughout."""
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in narrow_paths(v, (*path, i))]
    if isinstance(value, (np.ndarray, np.number)) and value.dtype.kind in "iuf" and (
            value.dtype != np.float64):
        return [path]
    return []
