"""How arguments and requests travel between the grader and the kernel, kernel side.

Student-safe. Values travel as text: :func:`encode` and :func:`decode` over the
pickle-free :mod:`.wire` format. Arguments arrive as shipped and are revived into what a
stub is called with (:func:`revive`); a function argument of a hidden case arrives as a
reference, and becomes a function whose values the grader computes
(:func:`grader_function`). A stub's call to one of its building blocks becomes a
request to the grader (:func:`proxy`).
"""

from __future__ import annotations

import base64
import sys

import numpy as np

from .smooth import SmoothFunction
from .standins import CannotTake
from .wire import pack, unpack

PROXY_MARK = "BPLAB-PROXY "
FUNCTION_MARK = "BPLAB-FUNCTION "


def encode(value) -> str:
    return base64.b64encode(pack(value)).decode("ascii")


def decode(text: str):
    return unpack(base64.b64decode(text))


def revive(value, ask=None):
    """Arguments as shipped -> as passed: ``{"smooth_A": A}`` (a public case) becomes a
    SmoothFunction, ``{"grader_function": i}`` (a hidden case) a function whose values
    come from the grader over ``ask``."""
    if isinstance(value, dict) and set(value) == {"smooth_A"}:
        return SmoothFunction(value["smooth_A"])
    if isinstance(value, dict) and set(value) == {"grader_function"} and ask is not None:
        return grader_function(int(value["grader_function"]), ask)
    if isinstance(value, tuple):
        return tuple(revive(v, ask) for v in value)
    return value


def grader_function(index: int, ask):
    """A scalar function of a vector whose values only the grader knows."""

    def f(theta):
        reply = decode(ask(FUNCTION_MARK + encode({"index": index,
                                                   "theta": np.asarray(theta)})))
        if "error" in reply:
            raise ValueError(reply["error"])
        return reply["value"]

    return f


def _plain(value):
    """``value`` with whatever the wire cannot carry (functions) replaced by None."""
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str, np.ndarray, np.number)):
        return value
    return None


def proxy(name: str, ask):
    """An ``answer`` (see :func:`.standins.stand_in`) from the grader, over ``ask``."""

    def answer(args, kwargs):
        try:
            request = encode({"name": name, "args": list(args), "kwargs": kwargs})
        except TypeError as error:  # a function or an object: only numbers travel
            raise CannotTake(f"is answered by the grader, which cannot be sent this call "
                             f"({error})") from None
        reply = decode(ask(PROXY_MARK + request))
        if reply.get("cannot"):
            raise CannotTake(reply["cannot"])
        if reply.get("error"):
            raise RuntimeError(reply["error"])
        return reply["value"]

    return answer


def unflushed(ask):
    """``ask`` (ipykernel's ``raw_input``) without the flush of stdout and stderr it does
    before each request: two hand-offs to the kernel's I/O thread, about a third of a
    request's time. What a stub prints still goes out, at the I/O thread's next flush
    (only a thread of the stub's own that prints while a request waits prints nothing)."""

    def request(prompt: str) -> str:
        out, err = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = None  # ipykernel skips the flush of a stream that is None
        try:
            return ask(prompt)
        finally:
            sys.stdout, sys.stderr = out, err

    return request
