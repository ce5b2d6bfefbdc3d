"""Known mistakes as mutants of the reference engine, and the diagnosis that uses them.

A mutant is a stub written with one classic mistake, as a student writes it: a ``def``
with the stub's exact signature whose body makes the mistake, most often by calling a
helper of :mod:`.mistakes` with one switch on. When a student's result is wrong, each
mutant of that stub runs on the same inputs; one whose result matches the student's
names the mistake, with a message that says which equation or line to look at.

Three rules keep the diagnoses consistent with the generic ones of
:mod:`backprop_lab.course.compare` (twice, minus, transposed, divided by N, not summed,
NaN, wrong shape), which see some mistakes from the numbers alone:

- a mutant that gives the reference's answer on an input shows no mistake there, so it
  names nothing (a right value that fails only "inputs unchanged" gets no code);
- a mutant whose code the generic comparison already named on that result adds nothing:
  one explanation per mistake (the mutant is the fallback where the numbers alone don't
  tell, e.g. a row-major bias that was not summed);
- one message per code.
"""

from __future__ import annotations

import copy
import inspect
import re
import textwrap
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..course.compare import _lists_of_floats, as_tree, compare
from ..questions import mistakes
from ..questions.registry import question, questions


@dataclass(frozen=True)
class Mutant:
    code: str  # a mistake code from docs/contract.md, section 3
    fn: Callable  # same signature as the stub
    message: str  # what to look at, in the student's terms
    source: str = ""  # the def of ``fn``, named like the stub (see :func:`planted`)


def _parameters(stub: str) -> str:
    params = inspect.signature(question(stub).reference).parameters.values()
    return ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                     for p in params)


def mutant(stub: str, code: str, body: str, message: str) -> Mutant:
    """The mutant whose source is ``def <stub>(<spec signature>):`` over ``body``."""
    source = f"def {stub}({_parameters(stub)}):\n" + "".join(
        f"    {line}\n" for line in body.strip("\n").splitlines())
    namespace = dict(vars(mistakes))  # np, the stubs it may call, the helpers
    exec(compile(source, f"<mutant {code} of {stub}>", "exec"), namespace)
    return Mutant(code, namespace[stub], message, source)


def planted(m: Mutant) -> str:
    """The mutant as a student's notebook cell: its def, then the helpers it calls."""
    parts, seen, todo = [m.source], set(), [m.fn.__code__]
    while todo:
        code = todo.pop(0)
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for name in code.co_names:
            helper = vars(mistakes).get(name)
            if (name not in seen and inspect.isfunction(helper)
                    and helper.__module__ == mistakes.__name__):
                seen.add(name)
                parts.append(inspect.getsource(helper))
                todo.append(helper.__code__)
    return "\n\n".join(parts)


# --- the catalog --------------------------------------------------------------------

def from_function(stub: str, code: str, fn: Callable, message: str) -> Mutant:
    """The mutant of a :class:`~..questions.question.Mistake` given as a function: its
    source, renamed like the stub, is what :func:`planted` writes into a notebook."""
    source = textwrap.dedent(inspect.getsource(fn))
    source = re.sub(rf"def {re.escape(fn.__name__)}\(", f"def {stub}(", source, count=1)
    return Mutant(code, fn, message, source)


def _catalog() -> dict[str, list[Mutant]]:
    return {q.name: [mutant(q.name, m.code, m.mutant, m.message) if isinstance(m.mutant, str)
                     else from_function(q.name, m.code, m.mutant, m.message)
                     for m in q.mistakes]
            for q in questions().values() if q.mistakes}


MUTANTS: dict[str, list[Mutant]] = _catalog()


# --- diagnosis ----------------------------------------------------------------------

def diagnose(stub: str, args: tuple, got, close) -> list[tuple[str, str]]:
    """(code, message) for every mutant of ``stub`` whose result on ``args`` matches ``got``."""
    mutants = MUTANTS.get(stub, [])
    expected = _result(question(stub).reference, args) if mutants else None
    if expected is None:
        return []
    got = _lists_of_floats(expected, got)
    try:  # what the numbers alone already say (judge.py reports it too)
        contract = question(stub).contract
        batch = len(args[0]) if question(stub).batched else None
        named = compare(expected, got, contract.labeller(), batch=batch, close=close,
                        hints=contract.hints).diagnoses  # the judge's own comparison
    except Exception:
        named = []
    found: list[tuple[str, str]] = []
    for m in mutants:
        if m.code in named or any(code == m.code for code, _ in found):
            continue
        value = _result(m.fn, args)
        if value is not None and not _same(value, expected, close) and _same(value, got, close):
            found.append((m.code, m.message))
    return found


def _result(fn, args):
    """fn(*copies of args) as a float tree, or None if it fails."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return as_tree(fn(*copy.deepcopy(args)))
    except Exception:  # a mutant that cannot run on these inputs matches nothing
        return None


def _same(a, b, close) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_same(x, y, close) for x, y in zip(a, b, strict=True)))
    if a is None or b is None or a is Ellipsis or b is Ellipsis:
        return False
    a, b = np.asarray(a), np.asarray(b)  # a list of floats may hold numpy scalars
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)  # NaN and infinities must sit in the same places
    if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(
            a[~finite], b[~finite], equal_nan=True):
        return False
    return bool(close(a[finite], b[finite])) if finite.any() else True
