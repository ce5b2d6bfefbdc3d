"""The regrade ledger: whose score changed, per question, from what to what.

``grade`` takes a snapshot of the feedback of every file it is about to grade again
(its autograder changed, the file changed, or ``--force``), and after grading compares
(``write_ledger``). What holds:

- ``OUT/regrades.csv`` lists this run's changes: ``submission, assignment, question,
  old, new, change, why`` (``why``: the autograder changed, the file changed, or it was
  regraded as it was), one row per question whose score moved, and a ``(total)`` row per
  file whose total moved; a question that appeared or vanished has an empty side.
- ``OUT/regrades-history.csv`` gets the same rows, with the time of the run, appended.
- A run that regrades nothing already graded leaves both files as they were; the report
  shows the latest ledger.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from ..reporting.feedback_folder import write_atomic
from ..reporting.report import to_csv

COLUMNS = ["submission", "assignment", "question", "old", "new", "change", "why"]


def snapshot(feedback: Path, stems: list[str]) -> dict[str, dict]:
    """The feedback records that these stems have now (before they are graded again)."""
    old = {}
    for stem in stems:
        try:
            record = json.loads((feedback / f"{stem}.json").read_text())
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(record, dict) and record.get("status"):
            old[stem] = record
    return old


def _scores(record: dict) -> dict[str, float]:
    out = {q.get("name"): q.get("score") for q in record.get("questions") or []
           if isinstance(q, dict)}
    out["(total)"] = record.get("score")
    return out


def changes(old: dict[str, dict], new: dict[str, dict]) -> list[dict]:
    """The ledger's rows for the stems in both."""
    rows = []
    for stem in sorted(set(old) & set(new)):
        before, after = old[stem], new[stem]
        if before.get("autograder") != after.get("autograder"):
            why = (f"the autograder changed ({before.get('autograder') or '?'} -> "
                   f"{after.get('autograder') or '?'})")
        elif before.get("sha256") != after.get("sha256"):
            why = "the file changed"
        else:
            why = "regraded as it was"
        a, b = _scores(before), _scores(after)
        for question in [*(q for q in b if q != "(total)"), *(q for q in a if q not in b),
                         "(total)"]:
            x, y = a.get(question), b.get(question)
            if x != y:
                change = (y - x) if isinstance(x, int | float) and isinstance(y, int | float) \
                    else ""
                rows.append({"submission": after.get("submission", stem),
                             "assignment": after.get("assignment") or "", "question": question,
                             "old": "" if x is None else x, "new": "" if y is None else y,
                             "change": change, "why": why})
    return rows


def write_ledger(out: Path, old: dict[str, dict]) -> list[dict]:
    """Compare the snapshot with the feedback now; write the ledger when anything moved."""
    if not old:
        return []
    rows = changes(old, snapshot(out / "feedback", list(old)))
    if not rows:
        return []
    write_atomic(out / "regrades.csv", to_csv(rows, COLUMNS))
    history = out / "regrades-history.csv"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["time", *COLUMNS], lineterminator="\n")
    if not history.exists():
        writer.writeheader()
    writer.writerows({"time": stamp, **r} for r in rows)
    with open(history, "a", encoding="utf-8") as f:
        f.write(buffer.getvalue())
    return rows
