"""Exports an LMS imports (issue 20, §4), from a class run without kernels: Canvas's
gradebook import, Moodle's CSV grade import, a plain CSV per assignment, and the
feedback bundle, checked against the layouts those systems document."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

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


def run(tmp_path, roster_text: str, student: str = "S001"):
    tmp_path.mkdir(parents=True, exist_ok=True)
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
    entries = [Entry("/class/ada.ipynb", "ada.ipynb", "plain", student, 1.0)]
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


# --- the importers' own rules, transcribed ------------------------------------------
# Canvas: app/models/gradebook_importer.rb (instructure/canvas-lms): #row_has_student_headers?,
# #update_column_count, #header? and Assignment.title_and_id. Moodle:
# grade/import/csv/classes/load_data.php (moodle/moodle): #prepare_import_grade_data and
# #map_user_data_with_value.

def canvas_reads(rows: list[list[str]]) -> dict:
    """What Canvas's gradebook importer takes from these rows: the student columns, and
    each assignment column's (title, id) (id None: Canvas creates the assignment)."""
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], "invalid header"
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        columns += 2 + (1 if re.search(r"Integration\s+ID", header[4]) else 0)
    assert "Section" in header[columns - 1], "invalid header: no Section where Canvas wants it"
    assignments = []
    for title in header[columns:]:
        found = re.fullmatch(r"(.*)\s\((\d+)\)", title)
        assignments.append((found[1], found[2]) if found else (title, None))
    return {"students": header[:columns], "assignments": assignments}


def moodle_import(rows: list[list[str]], identify_by: str, users: dict[str, str]) -> dict:
    """Moodle's CSV grade import mapped from ``identify_by``: user -> grades. As in
    load_data.php, the user found is kept across rows, so a row whose identifying cell is
    blank takes the user of the row before."""
    header, grades, student = rows[0], {}, None
    at = header.index(identify_by)
    for line in rows[1:]:
        if len(line) <= 1:
            continue
        if line[at].strip():
            student = users.get(line[at].strip())
        assert student is not None, "usermappingerrorusernotfound: the import stops"
        for column, value in zip(header, line, strict=True):
            if column not in ("ID number", "Email address"):
                grades.setdefault(student, {})[column] = value
    return grades


def test_canvas_reads_our_csv_as_students_then_the_assignment_it_names(tmp_path):
    canvas = canvas_reads(table(run(tmp_path, CANVAS_ROSTER) / "canvas.csv"))
    assert canvas["students"] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas["assignments"] == [("A2 Backprop", "1234")]  # updates assignment 1234
    plain = canvas_reads(table(run(tmp_path / "plain", PLAIN_ROSTER) / "canvas.csv"))
    assert plain["assignments"] == [("a2_backprop", None)]  # Canvas creates it
    # Control: the transcribed check refuses a header Canvas refuses (no Section column).
    with pytest.raises(AssertionError, match="Section"):
        canvas_reads([["Student", "ID", "SIS User ID", "SIS Login ID", "a2_backprop"]])


def test_moodle_gives_every_grade_to_its_own_student_even_one_without_an_email(tmp_path):
    roster = PLAIN_ROSTER + "S003,Alan Turing,\n"  # no email
    rows = table(run(tmp_path, roster) / "moodle.csv")
    assert rows[0] == ["ID number", "a2_backprop"]  # no column with a blank to map from
    users = {"S001": "ada", "S002": "grace", "S003": "alan"}
    assert moodle_import(rows, "ID number", users) == {
        "ada": {"a2_backprop": "21.0"}, "grace": {"a2_backprop": "0.0"},
        "alan": {"a2_backprop": "0.0"}}
    # Control: with the email column offered as before, Moodle gives Alan's row to Grace.
    offered = [["ID number", "Email address", "a2_backprop"], ["S001", "ada@example.edu", "21.0"],
               ["S002", "grace@example.edu", "0.0"], ["S003", "", "17.0"]]
    by_email = {"ada@example.edu": "ada", "grace@example.edu": "grace"}
    assert moodle_import(offered, "Email address", by_email)["grace"] == {"a2_backprop": "17.0"}
    # With every email there, the column is offered and maps each row to its student.
    full = table(run(tmp_path / "full", PLAIN_ROSTER) / "moodle.csv")
    assert moodle_import(full, "Email address", by_email) == {
        "ada": {"a2_backprop": "21.0"}, "grace": {"a2_backprop": "0.0"}}


MOODLE_EXPORT_NO_ID_NUMBERS = """First name,Last name,ID number,Institution,Department,Email address
Ada,Lovelace,,Uni,CS,ada@example.edu
Grace,Hopper,,Uni,CS,grace@example.edu
"""


def test_a_moodle_export_without_id_numbers_is_read_and_imports_by_email(tmp_path):
    """Moodle's ID number is optional: a site that does not use it exports it blank. The
    email identifies the student, and moodle.csv offers only the email to map from."""
    rows = table(run(tmp_path, MOODLE_EXPORT_NO_ID_NUMBERS, "ada@example.edu") / "moodle.csv")
    assert rows[0] == ["Email address", "a2_backprop"]
    by_email = {"ada@example.edu": "ada", "grace@example.edu": "grace"}
    assert moodle_import(rows, "Email address", by_email) == {
        "ada": {"a2_backprop": "21.0"}, "grace": {"a2_backprop": "0.0"}}
    # Control: a row with neither an ID number nor an email is still refused.
    from backprop_lab.classroom.roster import RosterError
    with pytest.raises(RosterError, match="Ada Lovelace has no student id"):
        run(tmp_path / "none", MOODLE_EXPORT_NO_ID_NUMBERS.replace("ada@example.edu", ""))
