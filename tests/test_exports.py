"""Exports an LMS imports (issue 20, §4), from a class run without kernels: Canvas's
gradebook import, Moodle's CSV grade import, a plain CSV per assignment, and the
feedback bundle, checked against the layouts those systems document."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from backprop_lab.classroom.collect import Entry
from backprop_lab.classroom.roster import read_roster
from backprop_lab.classroom.run import ClassRun

CANVAS_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,A2 Backprop (1234)
    Points Possible,,,,,24
"Lovelace, Ada",12345,S001,alovelace,Section 1,
"Hopper, Grace",12346,S002,ghopper,Section 1,
"""
PLAIN_ROSTER = """id,name,email
S001,Ada Lovelace,ada@example.edu
S002,Grace Hopper,grace@example.edu
"""
QUESTIONS = ["backprop_loops", "bp1_output_error", "bp2_hidden_error"]


def run(tmp_path, roster_text: str):
    path = tmp_path / "roster.csv"
    path.write_text(roster_text)
    students = read_roster(path)
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    record = {"submission": "ada.ipynb", "assignment": "a2_backprop", "status": "graded",
              "score": 21.0, "max_score": 24.0, "flags": [], "reason": "",
              "source": "/class/ada.ipynb", "questions": [
                  {"name": q, "score": 7.0, "max_score": 8.0, "messages": [], "diagnoses": []}
                  for q in reversed(QUESTIONS)]}
    (out / "feedback" / "ada.json").write_text(json.dumps(record))
    (out / "feedback" / "ada.md").write_text("# ada: 21/24\n")
    entries = [Entry("/class/ada.ipynb", "ada.ipynb", "plain", "S001", 1.0)]
    ClassRun(students, entries).finish(out, QUESTIONS)
    return out / "exports"


def table(path):
    return list(csv.reader(path.read_text().splitlines()))


def test_the_canvas_csv_has_canvas_columns_and_updates_the_existing_assignment(tmp_path):
    rows = table(run(tmp_path, CANVAS_ROSTER) / "canvas.csv")
    # Canvas's import: Student, ID, SIS User ID, SIS Login ID, Section, then assignments
    # as "Title (id)", which Canvas matches to the existing assignment.
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "A2 Backprop (1234)"]
    assert rows[1] == ["Lovelace, Ada", "12345", "S001", "alovelace", "Section 1", "21.0"]
    assert rows[2] == ["Hopper, Grace", "12346", "S002", "ghopper", "Section 1", "0.0"]


def test_without_a_canvas_roster_the_column_is_named_by_the_assignment(tmp_path):
    rows = table(run(tmp_path, PLAIN_ROSTER) / "canvas.csv")
    assert rows[0][-1] == "a2_backprop"  # control: no Canvas column to reuse
    assert rows[1][:3] == ["Lovelace, Ada", "", "S001"]


def test_the_moodle_csv_identifies_students_by_id_number_and_email(tmp_path):
    rows = table(run(tmp_path, PLAIN_ROSTER) / "moodle.csv")
    assert rows == [["ID number", "Email address", "a2_backprop"],
                    ["S001", "ada@example.edu", "21.0"], ["S002", "grace@example.edu", "0.0"]]


def test_the_plain_csv_has_the_questions_in_course_order(tmp_path):
    rows = table(run(tmp_path, PLAIN_ROSTER) / "a2_backprop.csv")
    assert rows[0] == ["student_id", "name", "email", "status", "score", "max_score",
                       *QUESTIONS]  # the record lists them reversed: course order wins
    assert rows[2][3] == "missing"


def test_the_feedback_bundle_has_a_folder_per_student(tmp_path):
    bundle = zipfile.ZipFile(io.BytesIO((run(tmp_path, PLAIN_ROSTER) / "feedback.zip")
                                        .read_bytes()))
    assert bundle.namelist() == ["S001 Ada Lovelace/a2_backprop.md"]
    assert bundle.read("S001 Ada Lovelace/a2_backprop.md") == b"# ada: 21/24\n"
