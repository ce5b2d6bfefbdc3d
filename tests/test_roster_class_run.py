"""A class run end to end on a download as Moodle 4.1+ delivers it (issue 20, "Done when").

One real ``grade --roster --policy --manual`` run on a4 (two notebooks, real kernels): every
roster student has exactly one counted row, the late penalty (from the upload times given
in the policy, as Moodle's zip carries only the download time) and the hand-graded points
are applied, and the Moodle and Canvas exports read back by the importers' own rules
(transcribed in ``test_exports``). The control is the gradebook of the same run, which
``grade`` writes as always: the autograder's scores, without penalty or manual points.
"""

from __future__ import annotations

import csv

import pytest
from conftest import ROOT
from test_exports import canvas_reads, moodle_import
from test_roster import MOODLE_ROSTER, make_zip, roster
from test_roster_layouts import moodle_name

from backprop_lab.classroom.options import Setup

POLICY = """[a4_conventions]
due = "2026-12-01T23:59:00Z"
per_day = 0.1
cap = 0.5
[a4_conventions.submitted]
S001 = "2026-12-01T10:00:00Z"
S002 = "2026-12-03T10:00:00Z"
"""
MANUAL = "student_id,question,points\nS001,vanishing_gradients,2\nS002,vanishing_gradients,1\n"


def test_a_moodle_download_gives_one_row_each_with_penalty_and_manual_points(
        dist, tmp_path, capsys):
    from backprop_lab.grade import grade

    samples = ROOT / "samples"
    download = make_zip(tmp_path / "CS101-A4 Conventions-98766.zip", {
        moodle_name("Ada Lovelace", 4401, "a4_conventions.ipynb", "folders-4.1"):
            (samples / "a4_conventions-full-marks.ipynb").read_bytes(),
        moodle_name("Grace Hopper", 4402, "a4_conventions.ipynb", "folders-4.1"):
            (samples / "a4_conventions-unfinished.ipynb").read_bytes(),
        moodle_name("Grace Hopper", 4402, "scratch.py", "folders-4.1"): b"x = 1\n",
    }, when=(2026, 12, 9, 9, 0, 0))  # downloaded a week after the due time
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "manual.csv").write_text(MANUAL)
    out = tmp_path / "out"
    grade([download], out, autograder_dir=dist, workers=2, progress=False,
          classroom=Setup(roster(tmp_path, MOODLE_ROSTER), tmp_path / "policy.toml",
                          tmp_path / "manual.csv"))
    said = capsys.readouterr().err

    book = {r["submission"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert len(book) == 2  # control: one row per file, the autograder's scores, as always
    ada_auto, grace_auto = (float(book[moodle_name(n, i, "a4_conventions.ipynb",
                                                   "folders-4.1")]["score"])
                            for n, i in (("Ada Lovelace", 4401), ("Grace Hopper", 4402)))
    auto_max = float(next(iter(book.values()))["max_score"])

    rows = list(csv.DictReader((out / "students.csv").open()))
    assert [(r["student_id"], r["status"]) for r in rows] == [
        ("S001", "graded"), ("S002", "graded"), ("S003", "missing")]
    ada, grace, alan = rows
    assert float(ada["score"]) == ada_auto + 2 and float(ada["max_score"]) == auto_max + 2
    assert ada["days_late"] == "0" and float(ada["penalty"]) == 0
    assert float(grace["raw_score"]) == grace_auto + 1 and grace["days_late"] == "2"
    assert float(grace["score"]) == pytest.approx(0.8 * (grace_auto + 1))
    assert float(grace["score"]) != float(book[grace["submission"]]["score"])
    assert alan["score"] == "0.0" and alan["manual"] == "1 to come"
    assert "download time" not in said  # every upload time was given
    assert "scratch.py: not a notebook (.py)" in said

    moodle = list(csv.reader((out / "exports" / "moodle.csv").open()))
    grades = moodle_import(moodle, "Email address", {"ada@example.edu": "ada",
                                                     "grace@example.edu": "grace",
                                                     "alan@example.edu": "alan"})
    assert {who: float(g["a4_conventions"]) for who, g in grades.items()} == {
        "ada": float(ada["score"]), "grace": float(grace["score"]), "alan": 0.0}
    canvas = canvas_reads(list(csv.reader((out / "exports" / "canvas.csv").open())))
    assert canvas["assignments"] == [("a4_conventions", None)]
