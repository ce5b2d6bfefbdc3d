"""The BPW1 wire format (course/wire.py): what a forged message can and cannot make the
grader do. Each refusal has its control: the honest message, or the same forgery with
the limit raised, decodes (or is measured doing the work the defence prevents).

The bounds shared with the ``.npz`` format are in tests/test_bounds.py (issue 16).
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc

import numpy as np
import pytest

from backprop_lab.course import wire
from backprop_lab.course.wire import TooLargeError, WireLimits, pack, unpack


def forge(manifest, body: bytes = b"", length: int | None = None) -> bytes:
    """A BPW1 message with any manifest (a dict, or raw bytes) and any array bytes."""
    text = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    return b"BPW1" + struct.pack("<I", len(text) if length is None else length) + text + body


def one_array(dtype: str, shape, body: bytes) -> bytes:
    return forge({"v": {"a": 0}, "a": [[dtype, shape]]}, body)


def peak_bytes(fn) -> tuple[object, int]:
    """What ``fn()`` returns or raises, and the most memory it held at once."""
    tracemalloc.start()
    try:
        try:
            result = fn()
        except ValueError as error:
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_values_of_every_kind_survive_the_round_trip():
    rng = np.random.default_rng(0)
    value = {"arrays": [rng.normal(size=(3, 2)), np.arange(5, dtype=np.int32),
                        np.array([True, False]), np.zeros((0, 4)), np.float32(1.5),
                        rng.normal(size=(4, 3)).T, np.arange(3, dtype=">f8")],
             "plain": (None, True, 3, -2.5, "x", [1e-300, float("inf")]), "n": 10**30}
    back = unpack(pack(value))
    for got, sent in zip(back["arrays"], value["arrays"]):
        assert got.shape == np.shape(sent) and np.array_equal(got, sent)
        assert got.dtype == np.asarray(sent).dtype.newbyteorder("=")
        assert got.flags.writeable and got.dtype.isnative  # a stub may write into its inputs
    assert back["plain"] == value["plain"] and back["n"] == 10**30
    # Control: arrays read straight from the message's bytes would be read-only.
    assert not np.frombuffer(pack(np.zeros(2))[-16:]).flags.writeable


def test_an_npz_message_written_before_bpw1_still_reads():
    buffer = io.BytesIO()
    np.savez(buffer, __manifest__=np.array('{"l": [{"a": "a0"}, {"i": 7}]}'), a0=np.ones(3))
    old = buffer.getvalue()
    assert old[:2] == b"PK" and pack([np.ones(3), 7])[:4] == b"BPW1"
    got = unpack(old)
    assert np.array_equal(got[0], np.ones(3)) and got[1] == 7


def test_every_truncation_is_a_clear_error():
    whole = pack({"w": [np.arange(12.0).reshape(3, 4), np.arange(3)], "s": "text"})
    assert np.array_equal(unpack(whole)["w"][0], np.arange(12.0).reshape(3, 4))  # control
    for cut in range(len(whole)):
        with pytest.raises(ValueError, match="truncated|malformed|not a packed"):
            unpack(whole[:cut])


def test_a_shape_larger_than_the_bytes_is_refused_before_anything_is_made():
    declared = [1_000_000]  # 8 MB of float64 declared, 16 bytes sent
    error, peak = peak_bytes(lambda: unpack(one_array("<f8", declared, bytes(16))))
    assert isinstance(error, ValueError) and "truncated" in str(error), error
    assert peak < 1 << 20, peak
    # Control: with the bytes there, the array is made, and the measure sees it.
    got, peak = peak_bytes(lambda: unpack(one_array("<f8", declared, bytes(8_000_000))))
    assert isinstance(got, np.ndarray) and got.shape == (1_000_000,)
    assert peak >= 8_000_000, peak


@pytest.mark.parametrize("shape", [[-1], [2, -3], [10**30], [2**63, 0], [1.5], [True],
                                   ["2"], list(range(1, 40)), "16"])
def test_a_negative_huge_or_not_whole_shape_is_refused(shape):
    with pytest.raises(ValueError, match="shape|not \\[dtype, shape\\]"):
        unpack(one_array("<f8", shape, bytes(16)))
    # Control: the same message with an honest shape decodes.
    assert unpack(one_array("<f8", [2], bytes(16))).shape == (2,)


def test_a_shape_of_more_numbers_than_allowed_is_refused_before_its_bytes_are_counted():
    message = one_array("<f8", [4_000_000, 4_000_000], bytes(16))
    with pytest.raises(TooLargeError, match="more than 4,000,000 numbers"):
        unpack(message)
    # Control: past a raised limit, the declared size is then checked against the bytes.
    with pytest.raises(ValueError, match="truncated"):
        unpack(message, WireLimits(numbers=10**14))


@pytest.mark.parametrize("dtype", ["O", "|O", "object", "<U2", "|S8", "|V8", "<M8[s]",
                                   ">f8", "float64", "<c16", "<f8\x00"])
def test_only_bools_integers_and_floats_travel(dtype):
    with pytest.raises(ValueError, match="dtype"):
        unpack(one_array(dtype, [1], bytes(8)))
    assert unpack(one_array("<f8", [1], bytes(8))).dtype == np.float64  # control
    with pytest.raises(TypeError):  # nor are they written
        pack(np.array([object()]))


def test_a_structured_dtype_is_refused():
    message = forge({"v": {"a": 0}, "a": [[[["x", "<f8"]], [1]]]}, bytes(8))
    with pytest.raises(ValueError, match="not \\[dtype, shape\\]"):
        unpack(message)


def test_a_manifest_that_lies_is_refused():
    honest = one_array("<f8", [2], np.array([1.0, 2.0]).tobytes())
    assert unpack(honest).tolist() == [1.0, 2.0]  # control
    lies = {
        "bytes after its arrays": one_array("<f8", [2], bytes(24)),
        "manifest longer than the message": forge({"v": {"i": 1}, "a": []}, length=1000),
        "names an array it does not hold": forge({"v": {"a": 1}, "a": [["<f8", [1]]]},
                                                 bytes(8)),
        "names an array by an npz key": forge({"v": {"a": "a0"}, "a": [["<f8", [1]]]},
                                              bytes(8)),
        "an int that is a string": forge({"v": {"i": "12"}, "a": []}),
        "a float that is a number": forge({"v": {"f": 1.5}, "a": []}),
        "a plain value that is a list": forge({"v": {"v": [1, 2]}, "a": []}),
        "no array list": forge({"v": {"i": 1}}),
        "not JSON": forge(b"{\"v\": [", b""),
        "not UTF-8": forge(b"\xff\xfe{}", b""),
    }
    for lie, message in lies.items():
        with pytest.raises(ValueError, match="malformed|truncated"):
            unpack(message)
            pytest.fail(lie)
    # A length past the end is named as such (not read as a shorter, broken manifest).
    with pytest.raises(ValueError, match="manifest is said to have 1,000 bytes"):
        unpack(lies["manifest longer than the message"])


def test_plain_values_cannot_smuggle_uncounted_nodes():
    """A ``{"v": [...]}`` list would be returned as parsed, past the node count."""
    small = WireLimits(nodes=1000)
    with pytest.raises(ValueError, match="malformed"):
        unpack(forge({"v": {"v": list(range(5000))}, "a": []}), small)
    # Control: the same numbers written as pack writes them are counted, and refused.
    with pytest.raises(TooLargeError, match="more than 1,000 values"):
        unpack(pack(list(range(5000))), small)


def test_the_manifests_brackets_are_counted_before_it_is_parsed():
    lists = 200_000  # 600 KB of empty lists: parsed, about 11 MB of Python lists
    message = forge(b'{"v": {"v": [' + b"[]," * lists + b'[]]}, "a": []}')
    error, peak = peak_bytes(lambda: unpack(message, WireLimits(nodes=1000)))
    assert isinstance(error, TooLargeError) and "brackets" in str(error), error
    assert peak < 2 << 20, peak
    # Control: with the node limit raised, the manifest is parsed first (then refused as
    # malformed), and parsing it costs many times the message's bytes.
    error, peak = peak_bytes(lambda: unpack(message, WireLimits(nodes=10**6)))
    assert isinstance(error, ValueError) and "malformed" in str(error), error
    assert peak > 8 << 20, peak


def test_the_bpw1_dtypes_are_exactly_the_numeric_ones():
    assert {"<f8", "<f4", "<i8", "|b1", "|u1"} <= wire.DTYPES
    assert not {np.dtype(t).str for t in ("O", "U1", "S1", "V1", "M8[s]", "c16")} & wire.DTYPES
