"""Call a function on deep copies of its arguments and record what happened.

Student-safe: the public checks beside the notebook and the hidden harness both call
student code through :func:`call`, so a stub is judged on the same record either way:
its value as float64 arrays, the error it raised, how long it took, and which of its
arguments it modified in place.

:func:`serve` is what ``backprop-lab grade`` runs in the student's kernel once the
notebook has run: it calls one stub on the inputs the grader sent and prints the raw
results. A stub that calls another course stub gets the *reference* answer of that stub
from the grading process (over the kernel's stdin channel; see :mod:`.standins`), so no
reference code is ever in the kernel. Nothing here judges or scores.
"""

from __future__ import annotations

import copy
import os
import signal
import sys
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from .lines import LineCounter
from .shipped import FUNCTION_MARK, PROXY_MARK, _plain, decode, encode, proxy, revive
from .standins import CELL_FILES, culprit, from_notebook, with_references
from .values import NotNumericError, as_tree, integer_paths, narrow_paths

__all__ = ["FUNCTION_MARK", "PROXY_MARK", "Raw", "call", "decode", "encode", "from_notebook",
           "revive", "serve", "tampered", "with_references"]

RAW_MARK = "BPLAB-RAW "
FLAG_MARK = "BPLAB-FLAG "

CALL_SECONDS = 10.0
TIMED_OUT = "it did not finish within"
OUT_OF_TIME = f"{TIMED_OUT} the submission's time limit"


@dataclass
class Raw:
    """What one call did: its value as a float tree, or the error it raised."""

    value: object = None
    error: str | None = None
    not_implemented: bool = False
    mutated: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # calls answered by the student's own stub
    integer: list[tuple] = field(default_factory=list)  # paths of integer arrays returned
    narrow: list[tuple] = field(default_factory=list)  # paths of arrays not float64
    #: The arguments as they were after the call (the hidden grader compares them itself),
    #: and after the caller then added 1 to every returned array: what changes between the
    #: two is an argument the result shares memory with.
    after: object = field(default=None, repr=False)
    poked: object = field(default=None, repr=False)
    aliased: list = field(default_factory=list)  # paths of arguments a result aliases
    lines: int | None = None  # Python lines run in notebook code, when counted (.lines)


class _Timeout(BaseException):
    """Raised into a stub that runs past its time (BaseException: `except Exception` misses it)."""


def call(fn, args: tuple, seconds: float = CALL_SECONDS, name: str | None = None,
         count_lines: bool = False, skip: frozenset[str] = frozenset()) -> Raw:
    """Call ``fn(*deep copies of args)``; record value, error, time and what it modified.

    ``name`` is the stub's name: an error raised in another function of the notebook
    (a pasted helper) is reported as that function's.
    """
    name = name or getattr(fn, "__name__", "the function")
    if fn is None:
        return Raw(error="the function is not defined", not_implemented=True)
    if fn is Ellipsis:
        return Raw(error="it is still ...", not_implemented=True)
    if not callable(fn):
        return Raw(error=f"{name} is a {type(fn).__name__}, not a function")
    given = copy.deepcopy(args)
    before = copy.deepcopy(args)
    raw, value = Raw(), None
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), _TimeLimit(seconds):
            warnings.simplefilter("ignore")
            if count_lines:
                with LineCounter(skip) as counted:
                    value = fn(*given)
                raw.lines = counted.count
            else:
                value = fn(*given)
        raw.integer = integer_paths(value)
        raw.narrow = narrow_paths(value)
        raw.value = as_tree(value)
        raw.not_implemented = value is None or value is Ellipsis
    except _Timeout:
        raw.error = f"{TIMED_OUT} {seconds:.3g} seconds"
    except NotNumericError as error:
        raw.error = f"it returned something that is not numbers: {error}"
    except Exception as error:  # the student's own exception, reported to them
        helper = culprit(error, name)
        if helper is not None:
            raw.error = (f"it called your {helper}, which raised {type(error).__name__}: "
                         f"{error} (the error is in {helper}, not in {name} itself)")
        elif isinstance(error, NotImplementedError):
            raw.error, raw.not_implemented = "it raises NotImplementedError", True
        elif _shape_error(error):
            raw.error = (f"two arrays whose shapes do not fit were combined (NumPy's "
                         f"{type(error).__name__}: {error}). Print the shapes on the line "
                         "that fails: a weight matrix or activation from another layer, or "
                         "a missing .T, is the usual cause")
        else:
            raw.error = f"it raised {type(error).__name__}: {error}"
    raw.seconds = time.perf_counter() - start
    raw.mutated = _changed(before, given, ())
    raw.after = copy.deepcopy(given)
    # What a caller may do to a result must not reach the arguments: add 1 to every
    # returned array, look at the arguments, then put every array back as it was.
    saved = [(array, array.copy()) for array in _arrays(value) if array.flags.writeable]
    for array, _ in saved:
        with np.errstate(all="ignore"):
            np.add(array, 1, out=array, casting="unsafe")
    raw.poked = copy.deepcopy(given)
    for array, before in reversed(saved):
        array[...] = before
    raw.aliased = [p for p in _changed(raw.after, raw.poked, ()) if p not in raw.mutated]
    return raw


def _arrays(value, seen: set | None = None) -> list[np.ndarray]:
    """The arrays in a returned value, each once."""
    seen = set() if seen is None else seen
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v, seen)]
    if isinstance(value, np.ndarray) and id(value) not in seen and value.dtype.kind in "biuf":
        seen.add(id(value))
        return [value]
    return []


def _shape_error(error: Exception) -> bool:
    """NumPy's complaint about two shapes that do not fit together."""
    text = str(error)
    return isinstance(error, ValueError) and any(
        words in text for words in ("mismatch in its core dimension", "could not be broadcast",
                                    "not aligned", "shapes"))


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
            signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 1e-3))  # 0 would disarm

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False

    @staticmethod
    def _raise(signum, frame):
        raise _Timeout()


def timed_calls(fn, calls: list[tuple], seconds: float = CALL_SECONDS,
                budget: float | None = None, name: str | None = None,
                notes: list[str] | None = None, count_lines: bool = False) -> list[Raw]:
    """:func:`call` on each argument tuple, each within ``seconds`` and all within
    ``budget``; once a call runs out of time, the calls after it fail at once, alike.

    ``notes`` is the list the stand-ins of :mod:`.standins` write to: each call's
    notes go into its record."""
    deadline = None if budget is None else time.monotonic() + budget
    raws: list[Raw] = []
    for args in calls:
        left = seconds if deadline is None else min(seconds, deadline - time.monotonic())
        if raws and raws[-1].error and raws[-1].error.startswith(TIMED_OUT):
            raws.append(Raw(error=raws[-1].error))
        elif left <= 0:
            raws.append(Raw(error=OUT_OF_TIME))
        else:
            if notes is not None:
                notes.clear()
            raw = call(fn, args, left, name=name, count_lines=count_lines)
            raw.notes = list(notes or [])
            if left < seconds and (raw.error or "").startswith(TIMED_OUT):
                raw.error = OUT_OF_TIME  # cut by the budget, not by its own limit
            raws.append(raw)
    return raws


# --- in the kernel ------------------------------------------------------------------

def start(cell_probe) -> None:
    """First thing in the kernel, before any student code: remember what a notebook
    cell's code looks like, and report reaches for private files as they happen."""
    CELL_FILES.append(os.path.dirname(cell_probe.__code__.co_filename))
    fd = int(os.environ.get("BPLAB_FLAG_FD", "-1"))
    watched = ("backprop_lab", "autograder", "/solutions/", "/assignments/", "/feedback/",
               "gradebook")
    looks = {"open": "opened", "glob.glob": "searched for", "os.listdir": "listed",
             "os.scandir": "listed"}

    def audit(event, args):  # an audit hook cannot be removed once added
        if event in looks and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            # (Otter's own modules, imported by a notebook, live in otter/run/run_autograder)
            if any(w in path for w in watched) and "/site-packages/otter/" not in path:
                _flag(fd, f"{looks[event]} a private path: {path}")
        elif event == "import" and args and str(args[0]).split(".")[0] == "backprop_lab":
            _flag(fd, f"imported {args[0]}")

    sys.addaudithook(audit)


def _flag(fd: int, text: str) -> None:
    if fd >= 0:
        try:
            os.write(fd, (FLAG_MARK + text.replace("\n", " ") + "\n").encode())
        except OSError:
            pass


#: Functions a submission might replace to fool a checker; replacing them is flagged.
WATCHED = ("numpy.allclose", "numpy.isclose", "numpy.array_equal", "numpy.linalg.norm",
           "numpy.testing.assert_allclose", "numpy.testing.assert_array_equal",
           "copy.deepcopy", "bplab.calls.call", "bplab.calls.serve", "bplab.compare.as_tree")


def tampered() -> list[str]:
    """The watched functions that now hold code written in the notebook."""
    found = []
    for dotted in WATCHED:
        module_name, _, attr = dotted.rpartition(".")
        module = sys.modules.get(module_name)
        if module is not None and from_notebook(getattr(module, attr, None)):
            found.append(f"replaced {dotted} with code from the notebook")
    return found


def report_tampering() -> None:
    """Print what :func:`tampered` finds, for the grader (a step of its own, so that a
    submission replacing :func:`serve` is still reported unless it replaces this too)."""
    print(FLAG_MARK + encode(tampered()), flush=True)


def serve(stub: str, payload: str, builds_on: list[str], env: dict, ask,
          seconds: float = CALL_SECONDS, budget: float | None = None,
          count_lines: bool = False) -> None:
    """Call ``env[stub]`` on each argument tuple in ``payload``, each call within
    ``seconds`` and all within ``budget``; print the raw results, each with the
    arguments as they were after the call.

    Each stub in ``builds_on`` is answered by the grader (see :func:`proxy`). Nothing
    here decides anything that moves a score: the grader checks what it reads."""
    from .shipped import unflushed

    calls = decode(payload)
    ask = unflushed(ask)
    notes: list[str] = []
    fn = with_references(env, stub, {name: proxy(name, ask) for name in builds_on}, notes)
    raws = []
    for raw in timed_calls(fn, [revive(args, ask) for args in calls], seconds, budget,
                           name=stub, notes=notes, count_lines=count_lines):
        after, poked, raw.after, raw.poked = _plain(raw.after), _plain(raw.poked), None, None
        raws.append({**asdict(raw), "after": after, "poked": poked})
    print(RAW_MARK + encode({"raws": raws, "flags": []}), flush=True)
