"""Hidden cases as the kernel gets them, and what the grader does for the functions in them.

Numbers travel as they are (:mod:`..course.wire`). A function argument (the ``f`` of
``numerical_gradient``) never travels: the kernel gets ``{"grader_function": i}``, which
:func:`..course.calls.revive` turns into a function that asks the grader for ``f(theta)``
(:func:`evaluate`). So nothing in the kernel holds the function's formula or its gradient:
the only way to the answer is to call it, as a numerical gradient does.

After each call the kernel sends back the arguments as they are then; the grader compares
them with what it sent (:func:`modified`), so "inputs unchanged" is decided here, not by
code in the kernel.
"""

from __future__ import annotations

import numpy as np

from ..course.calls import FUNCTION_MARK, _changed, decode, encode

#: A function request carries one vector of this many numbers at most.
MOST_VARIABLES = 10_000
MOST_REQUEST_CHARS = 1 << 20


def shipped(args: tuple, index: int) -> tuple:
    """The case's arguments as the kernel gets them: functions become references."""
    return tuple({"grader_function": index} if callable(a) else a for a in args)


def evaluate(prompt: str, drawn: list) -> str | None:
    """The reply to a function request from the kernel (None when ``prompt`` is another
    kind of request): ``f(theta)`` of the case it names, or why not."""
    if not prompt.startswith(FUNCTION_MARK):
        return None
    if len(prompt) > MOST_REQUEST_CHARS:
        return encode({"error": "f takes one vector of numbers; this request is too large"})
    try:
        request = decode(prompt[len(FUNCTION_MARK):])
        index, theta = int(request["index"]), request["theta"]
        f = next(a for a in drawn[index].args if callable(a))
    except Exception:
        return encode({"error": "a malformed request for f"})
    theta = np.asarray(theta)
    if theta.dtype.kind not in "biuf" or theta.size > MOST_VARIABLES:
        return encode({"error": "f takes one vector of numbers"})
    try:
        with np.errstate(all="ignore"):
            return encode({"value": float(f(theta.astype(np.float64)))})
    except Exception as error:  # a theta of the wrong length, say
        return encode({"error": f"f could not be evaluated there ({type(error).__name__}: "
                                f"{error})"})


def modified(sent: tuple, after) -> list[tuple]:
    """The paths of the arguments a call changed: what the grader sent against what the
    kernel sent back after the call (a missing or malformed report changes everything)."""
    if not isinstance(after, (list, tuple)) or len(after) != len(sent):
        return [(i,) for i in range(len(sent))]
    paths = []
    for i, (before, now) in enumerate(zip(sent, after, strict=True)):
        if isinstance(before, dict):  # a function: nothing to compare
            continue
        paths += _changed(before, now, (i,))
    return paths
