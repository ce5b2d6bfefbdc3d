"""The wire format before BPW1 (``.npz`` with a JSON manifest), kept as the yardstick of
benchmarks/bench_wire.py: a copy of src/backprop_lab/course/wire.py as of commit eb9d218.

bench_wire.py times it against the new format, and ships it as ``bplab/wire.py`` into a
kernel to time a whole grading the old way. Not used by the package.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WireLimits:
    """How much one message may hold (the defaults carry the course's largest calls
    many times over)."""

    bytes: int = 64 << 20
    numbers: int = 4_000_000
    nodes: int = 100_000
    depth: int = 64


class TooLargeError(ValueError):
    """A message past a :class:`WireLimits`; the message says which and by how much."""


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


def unpack(data: bytes, limits: WireLimits | None = None):
    """The value ``pack`` made of ``data``, or :class:`TooLargeError` past ``limits``."""
    limits = limits or WireLimits()
    if len(data) > limits.bytes:
        raise TooLargeError(f"the message has {len(data):,} bytes, over the limit of "
                       f"{limits.bytes:,}")
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValueError(f"not a packed message ({error})") from None
    if len(entries) > limits.nodes:
        raise TooLargeError(f"the message holds {len(entries):,} arrays, over the limit of "
                            f"{limits.nodes:,} values")
    unpacked = sum(i.file_size for i in entries)
    if unpacked > limits.bytes:  # a compressed entry that would unpack past the limit
        raise TooLargeError(f"the message unpacks to {unpacked:,} bytes, over the limit of "
                       f"{limits.bytes:,}")
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    try:
        manifest = json.loads(str(arrays.pop("__manifest__")))
    except RecursionError:
        raise TooLargeError(f"the message nests deeper than {limits.depth}") from None
    counted = {"nodes": 0, "numbers": 0}

    def decode(node, depth: int):
        counted["nodes"] += 1
        if counted["nodes"] > limits.nodes:
            raise TooLargeError(f"the message has more than {limits.nodes:,} values")
        if depth > limits.depth:
            raise TooLargeError(f"the message nests deeper than {limits.depth}")
        if not isinstance(node, dict) or len(node) != 1:
            raise ValueError("a malformed message")
        ((kind, value),) = node.items()
        if kind == "v" or kind == "i":
            return value
        if kind == "f":
            return float(value)
        if kind == "a":
            array = arrays[value]
            counted["numbers"] += array.size
            if counted["numbers"] > limits.numbers:
                raise TooLargeError(f"the message names more than {limits.numbers:,} numbers "
                               "(each mention of an array counts its numbers)")
            return array
        if kind == "l":
            return [decode(v, depth + 1) for v in value]
        if kind == "t":
            return tuple(decode(v, depth + 1) for v in value)
        if kind == "d":
            return {k: decode(v, depth + 1) for k, v in value.items()}
        raise ValueError(f"unknown node {kind!r}")

    return decode(manifest, 0)


@dataclass(frozen=True)
class Size:
    """How much a decoded value holds: its numbers, and a bound on the work of any
    chain of matrix products and elementwise steps over it (numbers x longest side)."""

    numbers: int
    longest: int

    @property
    def work(self) -> int:
        return self.numbers * max(1, self.longest)


def size_of(value) -> Size:
    numbers, longest, stack = 0, 1, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            numbers += item.size
            longest = max(longest, *item.shape, 1)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (int, float)):
            numbers += 1
    return Size(numbers, longest)
