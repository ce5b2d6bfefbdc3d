"""Manual points (issue 20, §3): a4's written question (`vanishing_gradients`, 2 points)
entered in a CSV and merged into the students' rows, totals included. No kernels."""

from __future__ import annotations

import csv
import json

import pytest

from backprop_lab.classroom.collect import Entry
from backprop_lab.classroom.manual import ManualError, manual_questions, merge_manual, read_manual
from backprop_lab.classroom.roster import Student
from backprop_lab.classroom.run import ClassRun
from backprop_lab.classroom.students import student_rows

STUDENTS = [Student("S001", "Ada Lovelace", keys={"s001"}),
            Student("S002", "Grace Hopper", keys={"s002"}),
            Student("S003", "Alan Turing", keys={"s003"})]
MANUAL = [{"name": "vanishing_gradients", "points": 2}]


def record(sid: str, score: float) -> dict:
    return {"submission": f"{sid}.ipynb", "assignment": "a4_conventions", "status": "graded",
            "score": score, "max_score": 20.0, "flags": [], "reason": "", "manual": MANUAL,
            "source": f"/class/{sid}.ipynb", "questions": [
                {"name": "add_bias_column", "score": score, "max_score": 20.0,
                 "messages": [], "diagnoses": []}]}


def entries() -> list[Entry]:
    return [Entry(f"/class/{sid}.ipynb", f"{sid}.ipynb", "plain", sid, 1.0)
            for sid in ("S001", "S002")]  # S003 handed in nothing


def points_file(tmp_path, text: str):
    path = tmp_path / "manual.csv"
    path.write_text(text)
    return path


def test_manual_points_are_merged_into_the_totals(tmp_path):
    records = [record("S001", 18.0), record("S002", 20.0)]
    asked = manual_questions(records)
    assert asked == {"a4_conventions": {"vanishing_gradients": 2.0}}
    rows, _ = student_rows(records, entries(), STUDENTS, ["add_bias_column"])
    before = [r["score"] for r in rows]  # control: the autograder's scores alone
    points = read_manual(points_file(tmp_path, "student_id,question,points,comment\n"
                                     "S001,vanishing_gradients,2,clear\n"
                                     "S003,vanishing_gradients,1.5,on paper\n"), STUDENTS, asked)
    merge_manual(rows, points, asked)
    ada, grace, alan = rows
    assert before == [18.0, 20.0, 0.0]
    assert (ada["score"], ada["max_score"], ada["vanishing_gradients"]) == (20.0, 22.0, 2.0)
    assert (grace["score"], grace["vanishing_gradients"], grace["manual"]) == (20.0, "",
                                                                              "1 to come")
    assert (alan["status"], alan["score"]) == ("missing", 1.5)


def test_every_bad_entry_is_listed_and_nothing_is_merged(tmp_path):
    asked = {"a4_conventions": {"vanishing_gradients": 2.0}}
    text = ("student_id,question,points\nS009,vanishing_gradients,1\n"
            "S001,rubric,1\nS001,vanishing_gradients,3\nS002,vanishing_gradients,two\n"
            "S003,vanishing_gradients,1\nS003,vanishing_gradients,1\n")
    with pytest.raises(ManualError) as error:
        read_manual(points_file(tmp_path, text), STUDENTS, asked)
    said = str(error.value)
    for expected in ("line 2: 'S009' is not on the roster",
                     "line 3: 'rubric' is not a hand-graded question",
                     "line 4: '3' is not between 0 and 2", "line 5: 'two' is not between",
                     "line 7: vanishing_gradients of S003 is given twice"):
        assert expected in said


def test_a_bad_file_after_grading_loses_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    for sid, score in (("S001", 18.0), ("S002", 20.0)):
        (out / "feedback" / f"{sid}.json").write_text(json.dumps(record(sid, score)))
    bad = points_file(tmp_path, "student_id,question,points\nS001,vanishing_gradients,9\n")
    ClassRun(STUDENTS, entries(), manual=bad).finish(out, ["add_bias_column"])
    assert "is not between 0 and 2" in capsys.readouterr().err
    rows = list(csv.DictReader((out / "students.csv").open()))
    assert [r["score"] for r in rows] == ["18.0", "20.0", "0.0"]
    good = points_file(tmp_path, "student_id,question,points\nS001,vanishing_gradients,2\n")
    ClassRun(STUDENTS, entries(), manual=good).finish(out, ["add_bias_column"])
    rows = list(csv.DictReader((out / "students.csv").open()))
    assert rows[0]["score"] == "20.0" and rows[0]["vanishing_gradients"] == "2.0"
    assert list(rows[0]).index("vanishing_gradients") > list(rows[0]).index("add_bias_column")


def test_the_report_section_shows_the_totals_with_the_manual_points(tmp_path):
    from backprop_lab.classroom.report_section import roster_section

    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    for sid, score in (("S001", 18.0), ("S002", 20.0)):
        (out / "feedback" / f"{sid}.json").write_text(json.dumps(record(sid, score)))
    good = points_file(tmp_path, "student_id,question,points\nS001,vanishing_gradients,2\n")
    ClassRun(STUDENTS, entries(), manual=good).finish(out, ["add_bias_column"])
    page = roster_section(out)
    assert "<td>a4_conventions</td><td>3</td><td>13.33</td><td>22.0</td>" in page
    assert "Alan Turing (S003), a4_conventions" in page
    assert roster_section(tmp_path) == ""  # control: no roster, no section
