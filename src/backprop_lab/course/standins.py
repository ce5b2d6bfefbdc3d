"""What a stub sees when it calls another stub, and where a function comes from.

Student-safe. When a graded stub calls another course stub, grading gives it a
*stand-in*: the reference answer, computed by an ``answer`` callable (the reference
itself in the grading process, a request to the grader in the kernel, recorded numbers
in the public checks). A call the reference cannot take (a student's own extra
parameter, ``sigmoid(a, True)``) is answered by the student's own function instead, and
a note says so.
"""

from __future__ import annotations

import copy
import os
import sys
import types
from collections.abc import Callable, Mapping

import numpy as np

#: The folders notebook cells compile to in this kernel (see ``calls.start``).
CELL_FILES: list[str] = []


class CannotTake(Exception):  # noqa: N818 (reads as "raise CannotTake(why)")
    """The reference cannot answer this call; the message says why, in a clause."""


def from_notebook(fn) -> bool:
    """Was ``fn`` compiled from a notebook cell (not imported, exec'd or built in)?

    Cells compile to files in one folder per kernel (IPython's ``ipykernel_<pid>``);
    ``calls.start`` records it. Where it did not run (under Otter), the folder name is
    the test.
    """
    code = getattr(fn, "__code__", None)
    return code is not None and is_cell_file(code.co_filename)


def is_cell_file(filename: str) -> bool:
    folder = os.path.dirname(filename)
    if CELL_FILES:
        return folder in CELL_FILES
    return os.path.basename(folder).startswith("ipykernel_")


_LIBRARIES = ("numpy", "scipy")
_BUILTIN_MODULES = ("builtins", "math", "cmath", *_LIBRARIES)


def library_function(fn) -> bool:
    """A NumPy or SciPy function, a ufunc or a built-in: graded like any answer."""
    if isinstance(fn, types.MethodType):  # scipy.stats.logistic.cdf
        return library_function(fn.__func__)
    module = str(getattr(fn, "__module__", None) or "").split(".")[0]
    if isinstance(fn, np.ufunc):
        return "(vectorized)" not in fn.__name__  # np.frompyfunc wraps any Python code
    if isinstance(fn, types.BuiltinFunctionType):
        return module in _BUILTIN_MODULES
    if isinstance(fn, types.FunctionType):
        home = sys.modules.get(module)
        where = os.path.dirname(getattr(home, "__file__", "") or "") or "?"
        return module in _LIBRARIES and fn.__code__.co_filename.startswith(where)
    return type(fn).__name__ == "_ArrayFunctionDispatcher" and module in _LIBRARIES


def origin(fn) -> str:
    """Where a function that is not a notebook cell's comes from, for messages."""
    code = getattr(fn, "__code__", None)
    module = getattr(fn, "__module__", None)
    if code is not None and (not module or module == "__main__"):
        return code.co_filename
    return str(module or type(fn).__name__)


def foreign(stub: str, fn) -> str | None:
    """The reason ``fn`` earns nothing as ``stub`` when it is not the student's, else None."""
    if fn is None or fn is Ellipsis or not callable(fn):
        return None
    if from_notebook(fn) or library_function(fn):
        return None
    return f"{stub} is not a function defined in the notebook: it comes from {origin(fn)}"


def brief(value) -> str:
    """An argument as a message shows it: arrays by shape, short values as written."""
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    if isinstance(value, (list, tuple)):
        return f"<{type(value).__name__} of {len(value)}>"
    text = repr(value)
    return text if len(text) <= 20 else f"<{type(value).__name__}>"


def stand_in(name: str, answer: Callable, own, notes: list[str]):
    """``name`` as a graded stub sees it: ``answer(args, kwargs)``, else the student's own."""

    def reference(*args, **kwargs):
        try:
            return answer(args, kwargs)
        except CannotTake as why:
            shown = ", ".join([*map(brief, args), *(f"{k}={brief(v)}" for k, v in kwargs.items())])
            note = (f"The call {name}({shown}) was answered by your own {name}, because the "
                    f"course's {name} {why}.")
            if note not in notes:
                notes.append(note)
            if own is None or not callable(own):
                raise TypeError(f"the course's {name} {why}, and the notebook has no {name} "
                                "of its own") from None
            return own(*args, **kwargs)

    reference.__name__ = reference.__qualname__ = name
    return reference


def direct(fn: Callable) -> Callable:
    """An ``answer`` for :func:`stand_in` that calls ``fn`` here (the grading process)."""
    import inspect

    signature = inspect.signature(fn)
    shown = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                      for p in signature.parameters.values())

    def answer(args, kwargs):
        try:
            signature.bind(*args, **kwargs)
        except TypeError:
            raise CannotTake(f"takes only ({shown})") from None
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise CannotTake(f"raised {type(error).__name__} on it ({error})") from None

    return answer


def with_references(env: Mapping, stub: str, answers: Mapping[str, Callable],
                    notes: list[str]):
    """The student's ``stub``, seeing a stand-in for each stub in ``answers``.

    Every plain function defined in the notebook is re-created over one new globals
    dict, so helpers of the student's own that call a stub see the stand-in too, and a
    stand-in that falls back on the student's own version calls it over that dict.
    """
    target = env.get(stub)
    if not isinstance(target, types.FunctionType):
        return target
    home = target.__globals__  # the notebook's namespace, where the student defined it
    namespace = dict(home)
    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is home and name != stub:
            namespace[name] = _rebind(value, namespace, home)
    for name, answer in answers.items():
        if name != stub:
            namespace[name] = stand_in(name, answer, namespace.get(name), notes)
    graded = namespace[stub] = _rebind(target, namespace, home)  # recursion sees the same
    return graded


def _rebind(f: types.FunctionType, namespace: dict, home: dict,
            done: dict | None = None) -> types.FunctionType:
    """``f`` over ``namespace``; so are the notebook functions its closure holds (what a
    decorator written in the notebook wraps), so a decorated helper sees the stand-ins."""
    done = {} if done is None else done
    if id(f) in done:
        return done[id(f)]
    g = done[id(f)] = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__,
                                         f.__closure__)
    if f.__closure__:
        g = done[id(f)] = types.FunctionType(f.__code__, namespace, f.__name__,
                                             f.__defaults__,
                                             tuple(_cell(c, namespace, home, done)
                                                   for c in f.__closure__))
    g.__kwdefaults__ = copy.copy(f.__kwdefaults__)
    g.__dict__.update(f.__dict__)
    return g


def _cell(cell, namespace: dict, home: dict, done: dict):
    try:
        value = cell.cell_contents
    except ValueError:  # an empty cell
        return cell
    if isinstance(value, types.FunctionType) and value.__globals__ is home:
        return types.CellType(_rebind(value, namespace, home, done))
    return cell


def culprit(error: BaseException, stub: str) -> str | None:
    """The notebook function other than ``stub`` in which ``error`` was raised, if any."""
    frames, tb = [], error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        # Named functions only: a comprehension (<listcomp> on 3.11), a lambda or the
        # cell itself (<module>) belong to the function or cell they are written in.
        if is_cell_file(code.co_filename) and not code.co_name.startswith("<"):
            frames.append(code.co_name)
        tb = tb.tb_next
    if not frames or frames[-1] == stub:
        return None
    return frames[-1]
