"""The deadline policy applied to the students' rows, and told in their feedback.

Each counted row of an assignment the policy names takes its time from the policy's
``submitted`` table when the student is there (``submitted_at`` says the time used),
and gets ``raw_score`` (the autograder's score), ``days_late`` (started days after the
student's due time), ``late_days_used`` (from the budget, spent by
:func:`.late_days.allocate` to give the largest total) and ``penalty`` (the share lost);
``score`` becomes the score kept. The feedback record of the counted file gets a
``late`` entry and its ``.md`` a line saying the same.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..reporting.feedback_folder import write_atomic
from ..reporting.report import feedback_markdown
from .deadlines import Policy
from .late_days import allocate


def apply_policy(rows: list[dict], policy: Policy) -> list[dict]:
    """Update ``rows`` in place; returns the rows that a policy applied to."""
    touched = []
    for sid in dict.fromkeys(r["student_id"] for r in rows):
        mine = [r for r in rows if r["student_id"] == sid and r["submitted_at"]
                and r["assignment"] in policy.deadlines]
        deadlines = [policy.deadlines[r["assignment"]] for r in mine]
        for d, r in zip(deadlines, mine, strict=True):
            if sid in d.submitted:  # the LMS's time, given in the policy, over the file's
                r["submitted_at"] = d.submitted[sid].isoformat()
        late = [d.days_late(sid, datetime.fromisoformat(r["submitted_at"]))
                for d, r in zip(deadlines, mine, strict=True)]

        def kept(i: int, days: int, mine=mine, deadlines=deadlines) -> float:
            return float(mine[i]["score"]) * deadlines[i].kept(days)

        spent = (allocate(policy.late_day_budget, late, kept) if policy.late_day_budget
                 else [0] * len(mine))
        for i, row in enumerate(mine):
            days = late[i] - spent[i]
            row.update(raw_score=row["score"], days_late=late[i], late_days_used=spent[i],
                       penalty=round(1 - deadlines[i].kept(days), 6),
                       score=round(kept(i, days), 6))
            touched.append(row)
    return touched


def tell(out: Path, rows: list[dict], records: list[dict]) -> None:
    """Write each row's lateness into its counted file's feedback (``.json`` and ``.md``)."""
    stems = {r.get("source"): r["stem"] for r in records}
    for row in rows:
        stem = stems.get(row.get("source"))
        if not stem:
            continue
        path = out / "feedback" / f"{stem}.json"
        record = json.loads(path.read_text())
        late = {k: row[k] for k in ("submitted_at", "days_late", "late_days_used", "penalty",
                                    "raw_score", "score")}
        record["late"] = late
        write_atomic(path, json.dumps(record, indent=1))
        line = (f"\n**Deadline:** submitted {late['submitted_at']}, {late['days_late']} "
                f"day(s) late, {late['late_days_used']} late day(s) used; penalty "
                f"{100 * late['penalty']:.0f}%: score {float(late['raw_score']):g} -> "
                f"{float(late['score']):g}.\n")
        write_atomic(path.with_suffix(".md"), feedback_markdown(record) + line)
