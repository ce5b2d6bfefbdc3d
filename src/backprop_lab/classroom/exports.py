"""Exports an LMS imports (``OUT/exports/``, written with ``students.csv``).

- ``canvas.csv``: Canvas's gradebook import: the identifying columns Canvas exports and
  reads back (``Student, ID, SIS User ID, SIS Login ID, Section``; Canvas needs one of
  the first three, and keeps a row's other columns as they were), then one column per
  assignment. When the roster is Canvas's own export, its values are copied and an
  assignment's column takes the header of the roster's column for it (``A2 Backprop
  (1234)``: Canvas matches it to that assignment); otherwise the header is the
  assignment's name and Canvas creates the assignment.
- ``moodle.csv``: for Moodle's "Import grades: CSV file": ``ID number, Email address``,
  then one column per assignment; in Moodle, identify users by email address (or ID
  number) and map each column to its grade item. A column with a blank cell (a student
  with no email, or no Moodle ID number) is left out: Moodle's import keeps the previous
  row's user for a row whose identifying cell is blank, and would give that row's
  grades to them.
- ``<assignment>.csv``: one per assignment: the students in roster order, their status,
  total and every question in course order.
- ``feedback.zip``: per student a folder ``<id> <name>/`` holding the feedback (``.md``)
  of each counted file, to hand back.

Scores are the totals of ``students.csv``: manual points and deadline penalties included.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..reporting.feedback_folder import write_atomic
from ..reporting.report import to_csv
from .roster import Student, squeeze

CANVAS_IDS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_COLUMN = re.compile(r"^(?P<title>.*?)\s*\((?P<id>\d+)\)$")


def canvas_header(assignment: str, roster_columns: list[str]) -> str:
    """The roster's Canvas column for this assignment (``Title (id)``), else its name."""
    for column in roster_columns:
        found = CANVAS_COLUMN.match(column)
        if found and squeeze(found["title"]) in (squeeze(assignment),
                                                 squeeze(assignment.split("_", 1)[-1])):
            return column
    return assignment


def moodle_id_number(student: Student) -> str:
    """The roster's own ``ID number`` (a Moodle export's, maybe blank), else the id."""
    for column, value in student.raw.items():
        if " ".join(column.split()).casefold() == "id number":
            return value.strip()
    return student.id


def write_exports(out: Path, rows: list[dict], students: list[Student],
                  questions: list[str], records: list[dict]) -> Path:
    """Write every export; returns the folder."""
    folder = out / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    assignments = list(dict.fromkeys(r["assignment"] for r in rows))
    total = {(r["student_id"], r["assignment"]): r["score"] for r in rows}
    columns = list(students[0].raw) if students else []
    headers = {a: canvas_header(a, columns) for a in assignments}
    canvas = []
    for s in students:
        base = {c: s.raw.get(c, "") for c in CANVAS_IDS}
        if not base["Student"]:
            last, _, first = s.name.rpartition(" ")
            base["Student"] = f"{first}, {last}".strip(", ") if last else s.name
            base["SIS User ID"] = base["SIS User ID"] or s.id
        canvas.append({**base, **{headers[a]: total.get((s.id, a), "") for a in assignments}})
    write_atomic(folder / "canvas.csv", to_csv(canvas, CANVAS_IDS + list(headers.values())))
    # Moodle gives a row whose identifying cell is blank to the row before's student
    # (grade/import/csv/classes/load_data.php): no column with a blank is offered.
    known = {s.id: {"ID number": moodle_id_number(s), "Email address": s.email}
             for s in students}
    ids = [c for c in ("ID number", "Email address") if all(k[c] for k in known.values())]
    ids = ids or ["ID number"]  # none complete: the ids (Moodle stops at one it lacks)
    moodle = [{**{c: known[s.id][c] or s.id for c in ids},
               **{a: total.get((s.id, a), "") for a in assignments}} for s in students]
    write_atomic(folder / "moodle.csv", to_csv(moodle, [*ids, *assignments]))
    for a in assignments:
        mine = [r for r in rows if r["assignment"] == a]
        present = {k for r in mine for k in r}
        cols = ["student_id", "name", "email", "status", "score", "max_score"]
        write_atomic(folder / f"{a}.csv", to_csv([{c: r.get(c, "") for c in cols + [
            q for q in questions if q in present]} for r in mine],
            cols + [q for q in questions if q in present]))
    stems = {r.get("source"): r["stem"] for r in records}
    names = {s.id: s.name for s in students}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for r in rows:
            md = out / "feedback" / f"{stems.get(r.get('source'), '')}.md"
            if r.get("source") and md.is_file():
                who = re.sub(r"[^\w .@-]", "_", f"{r['student_id']} {names[r['student_id']]}")
                z.writestr(f"{who}/{r['assignment']}.md", md.read_bytes())
    (folder / "feedback.zip").write_bytes(buffer.getvalue())
    return folder
