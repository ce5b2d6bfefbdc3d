"""The class as rows of students: one counted row per roster student and assignment.

What holds (``OUT/students.csv`` and ``OUT/files_not_counted.csv``):

- Every roster student has exactly one row per assignment of the run (the assignments
  the graded files were routed to, whoever they name, or ``--assignment``): status
  ``missing`` with no file, else the row of the file that counts.
- Of several files of one student for one assignment, the latest counts (the file's
  modification time, which unpacking keeps from the zip; ties by name); the others are
  listed in ``others`` and in the files not counted.
- A file that could not be routed to an assignment (``invalid``) counts for its
  student when the run has one assignment; otherwise it is listed.
- Every file found that does not count is in ``files_not_counted.csv`` with its reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .collect import Entry
from .roster import Student

COLUMNS = ["student_id", "name", "email", "assignment", "status", "score", "max_score",
           "late", "submission", "others", "submitted_at"]
LATE_COLUMNS = ["manual", "raw_score", "days_late", "late_days_used", "penalty"]


def student_rows(records: list[dict], entries: list[Entry], students: list[Student],
                 questions: list[str], assignment: str | None = None
                 ) -> tuple[list[dict], list[dict]]:
    """(rows of students, files not counted), both as dicts for ``report.to_csv``."""
    by_source = {r.get("source"): r for r in records}
    mine = [e for e in entries if e.student and not e.reason and e.source in by_source]
    # The assignments of every file graded, matched to a student or not: a download in
    # which no file names a student (blind marking) still gives every student a row.
    assignments = [assignment] if assignment else sorted(
        {by_source[e.source]["assignment"] for e in entries
         if e.source in by_source and by_source[e.source].get("assignment")})
    not_counted = [{"file": e.label, "reason": e.reason} for e in entries if e.reason]
    rows = []
    for a in assignments:
        for s in students:
            files = [e for e in mine if e.student == s.id and (
                by_source[e.source].get("assignment") == a
                or (by_source[e.source].get("assignment") is None and len(assignments) == 1))]
            files.sort(key=lambda e: (e.mtime, e.label))
            row = {"student_id": s.id, "name": s.name, "email": s.email, "assignment": a,
                   "status": "missing", "score": 0.0, "max_score": "", "late": "",
                   "submission": "", "others": "", "submitted_at": "", "source": ""}
            if files:
                counted, others = files[-1], files[:-1]
                record = by_source[counted.source]
                row.update(status=record["status"], score=record["score"],
                           max_score=record["max_score"], late="yes" if counted.late else "",
                           submission=counted.label, source=counted.source,
                           submitted_at=datetime.fromtimestamp(counted.mtime, UTC).isoformat(),
                           others="; ".join(e.label for e in others))
                for q in record.get("questions", []):
                    row[q["name"]] = q["score"]
                not_counted += [{"file": e.label, "reason": f"not counted: {s.name} ({s.id}) "
                                 f"handed in a later file for {a}: {counted.label}"}
                                for e in others]
            rows.append(row)
    routed = {e.source for e in mine if by_source[e.source].get("assignment")}
    if len(assignments) > 1:
        not_counted += [{"file": e.label, "reason": "could not be routed to an assignment: "
                         + str(by_source[e.source].get("reason") or "")}
                        for e in mine if e.source not in routed]
    return rows, not_counted


def columns(questions: list[str], rows: list[dict]) -> list[str]:
    """COLUMNS (and the late columns, when a policy applied), then the questions the rows
    have, in course order."""
    present = {k for r in rows for k in r}
    return (COLUMNS + [c for c in LATE_COLUMNS if c in present]
            + [q for q in questions if q in present])
