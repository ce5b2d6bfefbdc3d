"""Call a function on deep copies of its arguments and record what happened.

Student-safe: the public checks beside the notebook and the hidden harness both call
student code through :func:`call`, so a stub is judged on the same record either way:
its value as float64 arrays, the error it raised, how long it took, and which of its
arguments it modified in place.

:func:`serve` is what ``backprop-lab grade`` runs in the student's kernel once the
notebook has run: it calls one stub on the inputs the grader sent and prints the raw
results. A stub that calls another stub it builds on gets the *reference* answer of
that stub from the grading process (over the kernel's stdin channel), so no reference
code is ever in the kernel. Nothing here judges or scores.
"""

from __future__ import annotations

import base64
import copy
import os
import signal
import sys
import threading
import time
import types
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from .compare import NotNumericError, as_tree
from .wire import pack, unpack

RAW_MARK = "BPLAB-RAW "
PROXY_MARK = "BPLAB-PROXY "
FLAG_MARK = "BPLAB-FLAG "

CALL_SECONDS = 10.0
TIMED_OUT = "it did not finish within"


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
        raw.error = f"{TIMED_OUT} {seconds:.3g} seconds"
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
                budget: float | None = None) -> list[Raw]:
    """:func:`call` on each argument tuple, each within ``seconds`` and all within
    ``budget``; once a call runs out of time, the calls after it fail at once, alike."""
    deadline = None if budget is None else time.monotonic() + budget
    raws: list[Raw] = []
    for args in calls:
        left = seconds if deadline is None else min(seconds, deadline - time.monotonic())
        if raws and raws[-1].error and raws[-1].error.startswith(TIMED_OUT):
            raws.append(Raw(error=raws[-1].error))
        elif left <= 0:
            raws.append(Raw(error=f"{TIMED_OUT} the submission's time limit"))
        else:
            raws.append(call(fn, args, left))
    return raws



def with_references(env: Mapping, stub: str, references: Mapping[str, object]):
    """The student's ``stub``, seeing ``references`` in place of the stubs it builds on.

    Every plain function defined in the notebook is re-created over one new globals
    dict, so helpers of the student's own that call a stub see the reference too.
    """
    target = env.get(stub)
    if not isinstance(target, types.FunctionType):
        return target
    home = target.__globals__  # the notebook's namespace, where the student defined it
    namespace = dict(home)
    namespace.update({name: ref for name, ref in references.items() if name != stub})
    for name, value in list(namespace.items()):
        if (isinstance(value, types.FunctionType) and value.__globals__ is home
                and name != stub and name not in references):
            namespace[name] = _rebind(value, namespace)
    return _rebind(target, namespace)


def _rebind(f: types.FunctionType, namespace: dict) -> types.FunctionType:
    g = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = copy.copy(f.__kwdefaults__)
    g.__dict__.update(f.__dict__)
    return g


# --- in the kernel ------------------------------------------------------------------

_CELL_FILES: list[str] = []


def encode(value) -> str:
    return base64.b64encode(pack(value)).decode("ascii")


def decode(text: str):
    return unpack(base64.b64decode(text))


def revive(value):
    """Arguments as shipped -> as passed: ``{"smooth_A": A}`` becomes a SmoothFunction."""
    from .public import SmoothFunction

    if isinstance(value, dict) and set(value) == {"smooth_A"}:
        return SmoothFunction(value["smooth_A"])
    if isinstance(value, tuple):
        return tuple(revive(v) for v in value)
    return value


def proxy(name: str, ask):
    """A stand-in for the reference ``name``: each call is answered by the grader."""

    def reference(*args, **kwargs):
        request = {"name": name, "args": list(args), "kwargs": kwargs}
        answer = decode(ask(PROXY_MARK + encode(request)))
        if answer.get("error"):
            raise RuntimeError(answer["error"])
        return answer["value"]

    reference.__name__ = reference.__qualname__ = name
    return reference


def start(cell_probe) -> None:
    """First thing in the kernel, before any student code: remember what a notebook
    cell's code looks like, and report reaches for private files as they happen."""
    _CELL_FILES.append(os.path.dirname(cell_probe.__code__.co_filename))
    fd = int(os.environ.get("BPLAB_FLAG_FD", "-1"))
    watched = ("backprop_lab", "autograder", "/solutions/", "/assignments/", "/feedback/",
               "gradebook")
    looks = {"open": "opened", "glob.glob": "searched for", "os.listdir": "listed",
             "os.scandir": "listed"}

    def audit(event, args):  # an audit hook cannot be removed once added
        if event in looks and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            if any(w in path for w in watched):
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


def from_notebook(fn) -> bool:
    """Was ``fn`` compiled from a notebook cell (not imported, exec'd or built in)?

    Cells compile to files in one folder per kernel (IPython's ``ipykernel_<pid>``);
    :func:`start` records it. Where it did not run (under Otter), the folder name is
    the test.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    folder = os.path.dirname(code.co_filename)
    if _CELL_FILES:
        return folder in _CELL_FILES
    return os.path.basename(folder).startswith("ipykernel_")


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
          seconds: float = CALL_SECONDS, budget: float | None = None) -> None:
    """Call ``env[stub]`` on each argument tuple in ``payload``, each call within
    ``seconds`` and all within ``budget``; print the raw results."""
    calls = decode(payload)
    target, flags = env.get(stub), []
    if target is not None and callable(target) and not from_notebook(target):
        flags.append(f"{stub} is not a function defined in the notebook "
                     f"({getattr(target, '__module__', None) or type(target).__name__})")
        target = None
    fn = with_references({**env, stub: target}, stub,
                         {name: proxy(name, ask) for name in builds_on})
    raws = [asdict(r) for r in timed_calls(fn, [revive(args) for args in calls], seconds, budget)]
    print(RAW_MARK + encode({"raws": raws, "flags": flags}), flush=True)
