"""Call a student's stub on chosen inputs and return the raw results; judge nothing.

This is the only part of grading that touches student code. A stub is called with the
reference version of every *other* stub in its globals (so a mistake in one stub costs
points only where that stub is graded), on deep copies of the inputs; the copies are
compared with the originals afterwards to see what the call modified.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..course.calls import Raw, call, with_references


def run(env: Mapping, stub: str, cases_args: list[tuple], references: Mapping) -> list[Raw]:
    """Call ``stub`` from the notebook namespace ``env`` once per argument tuple, with
    the reference version of each stub it builds on (see ``judge.BUILDS_ON``)."""
    from .judge import BUILDS_ON

    allowed = BUILDS_ON.get(stub, frozenset())
    fn = with_references(env, stub, {k: v for k, v in references.items() if k in allowed})
    return [call(fn, args) for args in cases_args]
