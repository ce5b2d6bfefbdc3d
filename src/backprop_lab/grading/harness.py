"""Call a student's stub on chosen inputs and return the raw results; judge nothing.

This is the only part of grading that touches student code. A stub is called with the
reference version of every *other* stub in its globals (so a mistake in one stub costs
points only where that stub is graded), on deep copies of the inputs; the copies are
compared with the originals afterwards to see what the call modified.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Mapping

from ..course.calls import Raw, call


def with_references(env: Mapping, stub: str, references: Mapping[str, object]):
    """The student's ``stub``, seeing ``references`` in place of the other stubs.

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


def run(env: Mapping, stub: str, cases_args: list[tuple], references: Mapping) -> list[Raw]:
    """Call ``stub`` from the notebook namespace ``env`` once per argument tuple."""
    fn = with_references(env, stub, references)
    return [call(fn, args) for args in cases_args]
