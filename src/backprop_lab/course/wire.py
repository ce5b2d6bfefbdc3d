"""A pickle-free binary format for nested numbers: safe to read whatever wrote it.

``pack`` turns None, bools, ints, floats, strings, lists, tuples, str-keyed dicts and
numeric numpy arrays into one message::

    b"BPW1" | manifest length (uint32, little-endian) | JSON manifest | array bytes

The manifest is ``{"v": tree, "a": [[dtype, shape], ...]}``: the tree names array ``i``
as ``{"a": i}``, and the arrays' raw little-endian C-order bytes follow in that order.
Anything else is refused. ``unpack`` reverses it, and still reads the ``.npz`` messages
(``allow_pickle=False``) that ``pack`` wrote before (files built earlier, forged tests).

``unpack`` reads untrusted bytes (a kernel's results and requests) with bounded work:

- the bytes are measured before anything is parsed, and the manifest's brackets (an
  upper bound on its values) before it is parsed;
- every array's dtype must be one of :data:`DTYPES` (never an object or a pickle), its
  shape a list of at most 32 whole numbers from 0 to ``limits.numbers``, and the bytes
  the manifest declares must be exactly the bytes present, all before any array is made;
- the manifest's nodes, depth and numbers are counted while it is decoded (every
  reference to an array counts its numbers again: a manifest naming one array 300 times
  is 300 arrays' worth).

Past any :class:`WireLimits` it raises :class:`TooLargeError`; anything malformed is a
``ValueError`` that says what.
"""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAGIC = b"BPW1"
_HEAD = struct.Struct("<4sI")
#: The dtypes an array may travel as: bools, integers and floats, little-endian.
DTYPES = frozenset(np.dtype(c).newbyteorder("<").str
                   for c in np.typecodes["AllInteger"] + np.typecodes["Float"] + "?")
MOST_DIMENSIONS = 32


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
    arrays: list[np.ndarray] = []

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
            arrays.append(array.astype(array.dtype.newbyteorder("<"), copy=False))
            return {"a": len(arrays) - 1}
        if isinstance(value, (list, tuple)):
            return {"l" if isinstance(value, list) else "t": [encode(v) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"d": {k: encode(v) for k, v in value.items()}}
        raise TypeError(f"cannot pack a {type(value).__name__}")

    tree = encode(obj)
    manifest = json.dumps({"v": tree, "a": [[a.dtype.str, list(a.shape)] for a in arrays]},
                          separators=(",", ":")).encode()
    return b"".join([_HEAD.pack(MAGIC, len(manifest)), manifest,
                     *(a.tobytes() for a in arrays)])


def unpack(data: bytes, limits: WireLimits | None = None):
    """The value ``pack`` made of ``data``, or :class:`TooLargeError` past ``limits``."""
    limits = limits or WireLimits()
    if len(data) > limits.bytes:
        raise TooLargeError(f"the message has {len(data):,} bytes, over the limit of "
                       f"{limits.bytes:,}")
    if data[:4] == MAGIC:
        tree, fetch = _open_plain(data, limits)
    elif data[:2] == b"PK":
        tree, fetch = _open_npz(data, limits)
    else:
        raise ValueError("not a packed message (it starts with neither BPW1 nor an archive)")
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
        if kind == "v" and (value is None or isinstance(value, (bool, str))):
            return value
        if kind == "i" and type(value) is int:
            return value
        if kind == "f" and isinstance(value, str):
            return float(value)
        if kind == "a":
            array = fetch(value)
            counted["numbers"] += array.size
            if counted["numbers"] > limits.numbers:
                raise TooLargeError(f"the message names more than {limits.numbers:,} numbers "
                               "(each mention of an array counts its numbers)")
            return array
        if kind == "l" and isinstance(value, list):
            return [decode(v, depth + 1) for v in value]
        if kind == "t" and isinstance(value, list):
            return tuple(decode(v, depth + 1) for v in value)
        if kind == "d" and isinstance(value, dict):
            return {k: decode(v, depth + 1) for k, v in value.items()}
        raise ValueError(f"a malformed message (node {kind!r})")

    return decode(tree, 0)


def _open_plain(data: bytes, limits: WireLimits) -> tuple[object, Callable]:
    """The manifest's tree of a BPW1 message, and how to get its arrays (each made
    once, on first mention, after every declared size was checked against the bytes)."""
    if len(data) < _HEAD.size:
        raise ValueError(f"a truncated message ({len(data)} bytes, no room for its header)")
    _, length = _HEAD.unpack_from(data)
    start = _HEAD.size + length
    if start > len(data):
        raise ValueError(f"a truncated message (its manifest is said to have {length:,} "
                         f"bytes; {len(data) - _HEAD.size:,} follow the header)")
    text = data[_HEAD.size:start]
    brackets = text.count(b"{") + text.count(b"[")
    if brackets > 4 * limits.nodes + 2:  # a value: {..} and a [..] or {..} in it; an array 2
        raise TooLargeError(f"the message has more than {limits.nodes:,} values (its "
                            f"manifest opens {brackets:,} brackets)")
    try:
        manifest = json.loads(text)
    except RecursionError:
        raise TooLargeError(f"the message nests deeper than {limits.depth}") from None
    except ValueError as error:  # not JSON, or not UTF-8
        raise ValueError(f"a malformed message (its manifest is not JSON: {error})") from None
    if not isinstance(manifest, dict) or set(manifest) != {"v", "a"} or not isinstance(
            manifest["a"], list):
        raise ValueError("a malformed message (its manifest is not {\"v\": ..., \"a\": [...]})")
    specs = manifest["a"]
    if len(specs) > limits.nodes:
        raise TooLargeError(f"the message holds {len(specs):,} arrays, over the limit of "
                            f"{limits.nodes:,} values")
    layout, offset = [], start
    for i, spec in enumerate(specs):
        dtype, shape, size = _declared(i, spec, limits)
        layout.append((dtype, shape, size, offset))
        offset += size * dtype.itemsize
        if offset > len(data):
            raise ValueError(f"a truncated message (its arrays are said to need more than "
                             f"the {len(data) - start:,} bytes that follow the manifest)")
    if offset != len(data):
        raise ValueError(f"a malformed message ({len(data) - offset:,} bytes after its arrays)")
    made: dict[int, np.ndarray] = {}

    def fetch(ref) -> np.ndarray:
        if type(ref) is not int or not 0 <= ref < len(layout):
            raise ValueError(f"a malformed message (it names an array {ref!r} it does not "
                             "hold)")
        if ref not in made:
            dtype, shape, size, at = layout[ref]
            flat = np.frombuffer(data, dtype=dtype, count=size, offset=at)
            made[ref] = flat.reshape(shape).astype(dtype.newbyteorder("="))  # a writable copy
        return made[ref]

    return manifest["v"], fetch


def _declared(i: int, spec, limits: WireLimits) -> tuple[np.dtype, tuple[int, ...], int]:
    """Array ``i``'s dtype, shape and number count as its manifest declares them, checked."""
    if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str)
            and isinstance(spec[1], list)):
        raise ValueError(f"a malformed message (array {i} is not [dtype, shape])")
    name, shape = spec
    if name not in DTYPES:
        raise ValueError(f"a malformed message (array {i} has dtype {name[:20]!r}: only "
                         "bools, integers and floats travel)")
    if len(shape) > MOST_DIMENSIONS or not all(
            type(n) is int and 0 <= n <= limits.numbers for n in shape):
        raise ValueError(f"a malformed message (array {i} has shape {str(shape)[:60]}: at "
                         f"most {MOST_DIMENSIONS} sides of 0 to {limits.numbers:,})")
    size = math.prod(shape)
    if size > limits.numbers:
        raise TooLargeError(f"the message names more than {limits.numbers:,} numbers (array "
                            f"{i} has {size:,})")
    return np.dtype(name), tuple(shape), size


def _open_npz(data: bytes, limits: WireLimits) -> tuple[object, Callable]:
    """The manifest's tree of an ``.npz`` message (the format before BPW1), its arrays."""
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
        tree = json.loads(str(arrays.pop("__manifest__")))
    except RecursionError:
        raise TooLargeError(f"the message nests deeper than {limits.depth}") from None
    except (KeyError, ValueError) as error:
        raise ValueError(f"a malformed message (no readable manifest: {error})") from None

    def fetch(ref) -> np.ndarray:
        if not isinstance(ref, str) or ref not in arrays or arrays[ref].dtype.kind not in "biuf":
            raise ValueError(f"a malformed message (it names an array {ref!r} it does not "
                             "hold)")
        return arrays[ref]

    return tree, fetch


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
