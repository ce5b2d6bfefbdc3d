"""Call a student's stub on chosen inputs and return the raw results; judge nothing.

This is the only part of grading that touches student code. A stub is called with a
stand-in for every *other* course stub in its globals, answered by the reference (so a
mistake in one stub costs points only where that stub is graded; a call the reference
cannot take goes to the student's own version, see :mod:`..course.standins`), on deep
copies of the inputs; the copies are compared with the originals afterwards to see what
the call modified.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..course.calls import CALL_SECONDS, Raw, call
from ..course.standins import direct, foreign, with_references


def run(env: Mapping, stub: str, cases_args: list[tuple], references: Mapping,
        seconds: float = CALL_SECONDS, count_lines: bool = False) -> list[Raw]:
    """Call ``stub`` from the notebook namespace ``env`` once per argument tuple, with
    the reference version of each stub it may call (see ``judge.BUILDS_ON``), each call
    stopped after ``seconds`` (and its notebook lines counted when ``count_lines``)."""
    from ..judging.judge import BUILDS_ON, COUNTED
    from ..questions.registry import question

    # a stub with a part judged by its line counts has them counted in every call
    count_lines = count_lines or bool(COUNTED & set(question(stub).extra_parts))

    refused = foreign(stub, env.get(stub))
    if refused:
        return [Raw(error=refused + ", so it earns nothing", not_implemented=True)
                for _ in cases_args]
    allowed = BUILDS_ON.get(stub, frozenset())
    notes: list[str] = []
    answers = {name: direct(ref) for name, ref in references.items() if name in allowed}
    fn = with_references(env, stub, answers, notes)
    raws = []
    for args in cases_args:
        notes.clear()
        raw = call(fn, args, seconds, name=stub, count_lines=count_lines)
        raw.notes = list(notes)
        raws.append(raw)
    return raws
