"""Call a function on deep copies of its arguments and record what happened.

Student-safe: the public checks beside the notebook and the hidden harness both call
student code through :func:`call`, so a stub is judged on the same record either way:
its value as float64 arrays, the error it raised, how long it took, and which of its
arguments it modified in place.
"""

from __future__ import annotations

import copy
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .compare import NotNumericError, as_tree

CALL_SECONDS = 10.0


@dataclass
class Raw:
    """What one call did: its value as a float tree, or the error it raised."""

    value: object = None
    error: str | None = None
    not_implemented: bool = False
    mutated: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Timeout(BaseException):
    """Raised into a stub that runs past its time (BaseException: `except Exception` misses it)."""


def call(fn, args: tuple, seconds: float = CALL_SECONDS) -> Raw:
    """Call ``fn(*deep copies of args)``; record value, error, time and what it modified."""
    if fn is None or fn is Ellipsis or not callable(fn):
        return Raw(error="the function is not defined", not_implemented=True)
    given = copy.deepcopy(args)
    before = copy.deepcopy(args)
    raw = Raw()
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), _TimeLimit(seconds):
            warnings.simplefilter("ignore")
            value = fn(*given)
        raw.value = as_tree(value)
        raw.not_implemented = value is None or value is Ellipsis
    except NotImplementedError:
        raw.error, raw.not_implemented = "it raises NotImplementedError", True
    except _Timeout:
        raw.error = f"it did not finish within {seconds:g} seconds"
    except NotNumericError as error:
        raw.error = f"it returned something that is not numbers: {error}"
    except Exception as error:  # the student's own exception, reported to them
        raw.error = f"it raised {type(error).__name__}: {error}"
    raw.seconds = time.perf_counter() - start
    raw.mutated = _changed(before, given, ())
    return raw


def _changed(before, after, path) -> list[str]:
    if isinstance(before, np.ndarray):
        same = isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(
            after, before, equal_nan=True)
        return [] if same else [path]
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return [path]
        return [p for i, (b, a) in enumerate(zip(before, after, strict=True))
                for p in _changed(b, a, (*path, i))]
    if isinstance(before, float):
        return [] if after == before or (before != before and after != after) else [path]
    return []


class _TimeLimit:
    """SIGALRM after ``seconds`` in the main thread; no limit elsewhere."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(
            signal, "setitimer")

    def __enter__(self):
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False

    @staticmethod
    def _raise(signum, frame):
        raise _Timeout()
