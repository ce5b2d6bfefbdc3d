"""A corpus of natural mistakes (issue 19, item 6): stub cells as students write them.

Each :class:`Entry` is the whole cell of one stub, written in one student's style (loops,
vectorized, ``np.einsum``, helpers, ``expit``, list comprehensions, in-place updates,
float32 ...). A *mistake* holds one error and says which mistake code its feedback should
name (``code``; None when no code of the catalog fits). A *control* is a correct but
unusual way of writing the stub: it must keep full marks. None of the sources is the
catalog's mutant (``questions/a*.py``) as written there.

tests/test_natural_mistakes.py grades every entry and measures the shares caught,
isolated and named.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

#: ``code`` of a control: it is correct, nothing is to be named.
CORRECT = "correct"


@dataclass(frozen=True)
class Entry:
    id: str
    stub: str
    says: str  # one line: what the student did
    code: str | None  # the mistake code its feedback should name, None, or CORRECT
    source: str  # the whole stub cell

    @property
    def correct(self) -> bool:
        return self.code == CORRECT


def mistake(id: str, stub: str, says: str, code: str | None, source: str) -> Entry:
    return Entry(id, stub, says, code, textwrap.dedent(source).strip() + "\n")


def control(id: str, stub: str, says: str, source: str) -> Entry:
    return Entry(id, stub, says, CORRECT, textwrap.dedent(source).strip() + "\n")


def corpus() -> list[Entry]:
    """Every entry, in course order."""
    from . import a1, a2, a3, a4

    entries = [*a1.ENTRIES, *a2.ENTRIES, *a3.ENTRIES, *a4.ENTRIES]
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    return entries
