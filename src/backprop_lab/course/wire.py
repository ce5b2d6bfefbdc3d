"""A pickle-free file format for nested numbers: safe to read whatever wrote it.

``pack`` turns None, bools, ints, floats, strings, lists, tuples, str-keyed dicts and
numeric numpy arrays into the bytes of an ``.npz`` (``allow_pickle=False``) holding the
arrays plus a JSON manifest; ``unpack`` reverses it. Anything else is refused.
"""

from __future__ import annotations

import io
import json

import numpy as np


def pack(obj) -> bytes:
    arrays: dict[str, np.ndarray] = {}

    def encode(value):
        if value is None or isinstance(value, (bool, str)):
            return {"v": value}
        if isinstance(value, int):
            return {"i": value}
        if isinstance(value, float):  # np.float64 too: its repr is not a float literal
            return {"f": repr(float(value))}
        if isinstance(value, np.ndarray) or isinstance(value, np.number):
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise TypeError(f"cannot pack an array of dtype {array.dtype}")
            key = f"a{len(arrays)}"
            arrays[key] = array
            return {"a": key}
        if isinstance(value, (list, tuple)):
            return {"l" if isinstance(value, list) else "t": [encode(v) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"d": {k: encode(v) for k, v in value.items()}}
        raise TypeError(f"cannot pack a {type(value).__name__}")

    manifest = json.dumps(encode(obj))
    buffer = io.BytesIO()
    np.savez(buffer, __manifest__=np.array(manifest), **arrays)
    return buffer.getvalue()


def unpack(data: bytes):
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    manifest = json.loads(str(arrays.pop("__manifest__")))

    def decode(node):
        ((kind, value),) = node.items()
        if kind == "v" or kind == "i":
            return value
        if kind == "f":
            return float(value)
        if kind == "a":
            return arrays[value]
        if kind == "l":
            return [decode(v) for v in value]
        if kind == "t":
            return tuple(decode(v) for v in value)
        if kind == "d":
            return {k: decode(v) for k, v in value.items()}
        raise ValueError(f"unknown node {kind!r}")

    return decode(manifest)
