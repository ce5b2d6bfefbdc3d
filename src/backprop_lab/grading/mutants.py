"""Known mistakes as mutants of the reference engine, and the diagnosis that uses them.

A mutant is the reference stub with one classic mistake made on purpose. When a
student's result is wrong, each mutant of that stub is run on the same inputs; a mutant
whose result matches the student's names the mistake.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from ..course.compare import as_tree


@dataclass(frozen=True)
class Mutant:
    code: str  # a mistake code from SPEC section 3
    fn: Callable  # same signature as the stub
    message: str  # what to look at, in the student's terms


MUTANTS: dict[str, list[Mutant]] = {}


def diagnose(stub: str, args: tuple, got, close) -> list[tuple[str, str]]:
    """(code, message) for every mutant of ``stub`` whose result on ``args`` matches ``got``."""
    found = []
    for mutant in MUTANTS.get(stub, []):
        try:
            value = as_tree(mutant.fn(*copy.deepcopy(args)))
        except Exception:  # a mutant that cannot run on these inputs matches nothing
            continue
        if _same(value, got, close):
            found.append((mutant.code, mutant.message))
    return found


def _same(a, b, close) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_same(x, y, close) for x, y in zip(a, b, strict=True)))
    if a is None or b is None:
        return False
    return a.shape == b.shape and close(a, b)
