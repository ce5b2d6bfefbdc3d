"""Manual points (``grade --roster --manual points.csv``): the hand-graded questions
(a4's written ``vanishing_gradients``, 2 points), merged into the students' rows.

The CSV has one row per student and question: ``student_id, question, points`` (an
optional ``comment`` is ignored). What holds: every entry is checked before anything is
merged: the student is on the roster, the question is a hand-graded question of the
course (the autograder zips say which, and their points), the points are a number
between 0 and the question's points, no entry is given twice; otherwise the run stops
listing every bad entry. Each row of an assignment with hand-graded questions then has
one column per such question (empty when not entered yet), ``score`` and ``max_score``
include them, and ``manual`` says how many are still to come. Manual points are added
before a deadline penalty, which applies to the whole score.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import ClassroomError
from .roster import Student


class ManualError(ClassroomError):
    """The manual points cannot be merged; the message lists every bad entry."""


def manual_questions(records: list[dict]) -> dict[str, dict[str, float]]:
    """assignment -> {hand-graded question: its points}, from the feedback records."""
    out: dict[str, dict[str, float]] = {}
    for r in records:
        for m in r.get("manual") or []:
            if isinstance(m, dict) and r.get("assignment"):
                out.setdefault(r["assignment"], {})[str(m.get("name"))] = float(m.get("points", 0))
    return out


def read_manual(path: Path, students: list[Student],
                questions: dict[str, dict[str, float]]) -> dict[tuple[str, str], float]:
    """(student id, question) -> points, every entry checked."""
    try:
        rows = list(csv.DictReader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as error:
        raise ManualError(f"the manual points {path} cannot be read: {error}") from None
    ids = {s.id for s in students}
    points_of = {q: p for qs in questions.values() for q, p in qs.items()}
    found: dict[tuple[str, str], float] = {}
    bad = []
    for line, row in enumerate(rows, start=2):
        sid = (row.get("student_id") or "").strip()
        question = (row.get("question") or "").strip()
        text = (row.get("points") or "").strip()
        where = f"line {line}"
        if sid not in ids:
            bad.append(f"{where}: {sid!r} is not on the roster")
        elif question not in points_of:
            bad.append(f"{where}: {question!r} is not a hand-graded question (these are: "
                       f"{', '.join(sorted(points_of)) or 'none in the assignments graded'})")
        elif (sid, question) in found:
            bad.append(f"{where}: {question} of {sid} is given twice")
        else:
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if not 0 <= value <= points_of[question]:
                bad.append(f"{where}: {text!r} is not between 0 and {points_of[question]:g}")
            else:
                found[sid, question] = value
    if bad:
        raise ManualError(f"the manual points {path}: " + "; ".join(bad))
    return found


def merge_manual(rows: list[dict], points: dict[tuple[str, str], float],
                 questions: dict[str, dict[str, float]]) -> None:
    """Add the manual points to ``rows`` in place (see the module's docstring)."""
    for row in rows:
        asked = questions.get(row["assignment"], {})
        if not asked:
            continue
        got = {q: points.get((row["student_id"], q)) for q in asked}
        for q, value in got.items():
            row[q] = "" if value is None else value
        row["score"] = float(row["score"] or 0) + sum(v for v in got.values() if v is not None)
        base = float(row["max_score"]) if row["max_score"] not in ("", None) else None
        if base is not None:
            row["max_score"] = base + sum(asked.values())
        row["manual"] = f"{sum(v is None for v in got.values())} to come"
