"""A roster, and submissions as Canvas and Moodle hand them out (issue 20, §1).

Most of it without kernels: files named exactly as Canvas and Moodle name them, in zips
as they are downloaded, matched to a roster, and feedback records made by hand; one
small real `grade --roster` run at the end.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from backprop_lab.classroom.collect import collect
from backprop_lab.classroom.layouts import classify
from backprop_lab.classroom.options import Setup
from backprop_lab.classroom.roster import RosterError, read_roster
from backprop_lab.classroom.students import student_rows

CANVAS_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,A2 Backprop (1234)
    Points Possible,,,,,24
"Lovelace, Ada",12345,S001,alovelace,Section 1,
"Hopper, Grace",12346,S002,ghopper,Section 1,
"Turing, Alan",12347,S003,aturing,Section 1,
"Student, Test",99999,,,Section 1,
"""
MOODLE_ROSTER = """First name,Last name,ID number,Institution,Department,Email address
Ada,Lovelace,S001,Uni,CS,ada@example.edu
Grace,Hopper,S002,Uni,CS,grace@example.edu
Alan,Turing,S003,Uni,CS,alan@example.edu
"""
GRADESCOPE_ROSTER = """Name,SID,Email,Role
Ada Lovelace,S001,ada@example.edu,Student
Grace Hopper,S002,grace@example.edu,Student
Alan Turing,S003,alan@example.edu,Student
"""


def roster(tmp_path, text, name="roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text", [CANVAS_ROSTER, MOODLE_ROSTER, GRADESCOPE_ROSTER],
                         ids=["canvas", "moodle", "gradescope"])
def test_a_roster_is_read_as_each_system_exports_it(text, tmp_path):
    students = read_roster(roster(tmp_path, text))
    assert [(s.id, s.name) for s in students] == [
        ("S001", "Ada Lovelace"), ("S002", "Grace Hopper"), ("S003", "Alan Turing")]


def test_a_roster_without_ids_or_with_one_twice_is_refused_with_the_reason(tmp_path):
    with pytest.raises(RosterError, match="student id column"):
        read_roster(roster(tmp_path, "Name,Email\nAda,ada@example.edu\n"))
    with pytest.raises(RosterError, match="S001 is there twice"):
        read_roster(roster(tmp_path, "Name,SID\nAda,S001\nGrace,S001\n"))


def test_names_are_read_as_canvas_and_moodle_write_them():
    canvas = classify("lovelaceada_12345_678910_a2_backprop.ipynb")
    assert (canvas.layout, canvas.keys, canvas.late) == ("canvas", ["12345", "lovelaceada"],
                                                        False)
    late = classify("hoppergrace_late_12346_678911_a2_backprop-1.ipynb")
    assert (late.layout, late.keys[0], late.late) == ("canvas", "12346", True)
    moodle = classify("Ada Lovelace_3301_assignsubmission_file_/a2_backprop.ipynb")
    assert (moodle.layout, moodle.keys) == ("moodle", ["Ada Lovelace"])
    flat = classify("Grace Hopper_3302_assignsubmission_file_a2_backprop.ipynb")
    assert (flat.layout, flat.keys) == ("moodle", ["Grace Hopper"])
    assert classify("S003/whatever.ipynb").keys == ["S003"]


def make_zip(path: Path, members: dict[str, bytes], when=(2026, 12, 1, 10, 0, 0)) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            z.writestr(info, data)
    return path


NB = (ROOT / "samples" / "a2_backprop-full-marks.ipynb").read_bytes()


def record(entry_source: str, score: float, assignment="a2_backprop", status="graded"):
    return {"source": entry_source, "assignment": assignment, "status": status,
            "score": score, "max_score": 24.0, "questions": [
                {"name": "bp1_output_error", "score": 3.0, "max_score": 3.0}]}


def test_a_canvas_download_gives_each_roster_student_one_counted_row(tmp_path):
    students = read_roster(roster(tmp_path, CANVAS_ROSTER))
    download = make_zip(tmp_path / "submissions.zip", {
        "lovelaceada_12345_678910_a2_backprop.ipynb": NB,
        "lovelaceada_12345_678910_helpers.py": b"x = 1\n",
        "turingalan_late_12347_678912_a2_backprop.ipynb": NB,
        "nobodyhere_55555_678913_a2_backprop.ipynb": NB,
        "../escape.ipynb": NB,
    })
    roots, entries = collect([download], tmp_path / "out", students)
    assert roots == [tmp_path / "out" / "unpacked" / "submissions"]
    assert not (tmp_path / "out" / "unpacked" / "escape.ipynb").exists()
    reasons = {e.label: e.reason for e in entries}
    assert reasons["lovelaceada_12345_678910_helpers.py"] == "not a notebook (.py)"
    assert "matches no roster student" in reasons["nobodyhere_55555_678913_a2_backprop.ipynb"]
    assert any("unsafe name" in r for r in reasons.values())
    records = [record(e.source, 20.0) for e in entries if e.label.endswith(".ipynb")
               and e.source]
    rows, not_counted = student_rows(records, entries, students, ["bp1_output_error"])
    assert [(r["student_id"], r["status"]) for r in rows] == [
        ("S001", "graded"), ("S002", "missing"), ("S003", "graded")]
    assert rows[2]["late"] == "yes" and rows[0]["late"] == ""
    assert {f["file"] for f in not_counted} >= {"lovelaceada_12345_678910_helpers.py",
                                                "nobodyhere_55555_678913_a2_backprop.ipynb"}


def test_of_several_files_the_latest_counts_and_the_others_are_listed(tmp_path):
    students = read_roster(roster(tmp_path, MOODLE_ROSTER))
    folder = tmp_path / "moodle"
    first = folder / "Ada Lovelace_3301_assignsubmission_file_" / "a2_backprop.ipynb"
    second = folder / "Ada Lovelace_3301_assignsubmission_file_" / "a2_backprop (1).ipynb"
    for path, when in ((first, 1_000_000), (second, 2_000_000)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(NB)
        os.utime(path, (when, when))
    _, entries = collect([folder], tmp_path / "out", students)
    by_label = {e.label: e for e in entries}
    records = [record(by_label[first.relative_to(folder).as_posix()].source, 10.0),
               record(by_label[second.relative_to(folder).as_posix()].source, 24.0)]
    rows, not_counted = student_rows(records, entries, students, [])
    ada = rows[0]
    assert (ada["name"], ada["score"], ada["submission"]) == (
        "Ada Lovelace", 24.0, second.relative_to(folder).as_posix())
    assert ada["others"] == first.relative_to(folder).as_posix()
    assert [f["file"] for f in not_counted] == [first.relative_to(folder).as_posix()]
    # Control: with the times swapped, the other file counts.
    os.utime(first, (3_000_000, 3_000_000))
    _, entries = collect([folder], tmp_path / "out", students)
    rows, _ = student_rows(records, entries, students, [])
    assert rows[0]["score"] == 10.0
    assert [r["status"] for r in rows] == ["graded", "missing", "missing"]


def test_a_moodle_zip_with_folders_per_student_is_unpacked_and_matched(tmp_path):
    students = read_roster(roster(tmp_path, MOODLE_ROSTER))
    download = make_zip(tmp_path / "CS101-A2-12345.zip", {
        "Grace Hopper_3302_assignsubmission_file_/a2_backprop.ipynb": NB,
        "Alan Turing_3303_assignsubmission_file_/work.zip": b"not really a zip",
        "Alan Turing_3303_assignsubmission_file_/.ipynb_checkpoints/a2-checkpoint.ipynb": NB,
    })
    _, entries = collect([download], tmp_path / "out", students)
    matched = {e.label: (e.student, e.reason) for e in entries}
    assert matched["Grace Hopper_3302_assignsubmission_file_/a2_backprop.ipynb"] == ("S002",
                                                                                    "")
    assert any("not a readable zip" in reason for _, reason in matched.values())
    assert any("checkpoint" in reason for _, reason in matched.values())


def test_grade_with_a_roster_writes_one_row_per_student_and_lists_every_file(dist, tmp_path):
    """One real run (two notebooks, two workers): Canvas names in a folder."""
    from backprop_lab.grade import grade

    folder = tmp_path / "canvas"
    folder.mkdir()
    shutil.copy(ROOT / "samples" / "a2_backprop-full-marks.ipynb",
                folder / "lovelaceada_12345_678910_a2_backprop.ipynb")
    shutil.copy(ROOT / "samples" / "a2_backprop-classic-mistakes.ipynb",
                folder / "hoppergrace_late_12346_678911_a2_backprop.ipynb")
    (folder / "turingalan_12347_678912_answers.py").write_text("print('hi')\n")
    out = tmp_path / "out"
    policy = tmp_path / "policy.toml"  # long past: every file is late, the cap applies
    policy.write_text('[a2_backprop]\ndue = "2026-01-01T00:00:00Z"\nper_day = 0.1\n'
                      'cap = 0.3\n[a2_backprop.extensions]\nS002 = "2099-01-01T00:00:00Z"\n')
    grade([folder], out, autograder_dir=dist, workers=2, progress=False,
          classroom=Setup(roster(tmp_path, CANVAS_ROSTER), policy))
    rows = list(csv.DictReader((out / "students.csv").open()))
    assert [(r["student_id"], r["status"]) for r in rows] == [
        ("S001", "graded"), ("S002", "graded"), ("S003", "missing")]
    assert float(rows[0]["raw_score"]) == float(rows[0]["max_score"]) > float(rows[1]["score"])
    assert float(rows[0]["score"]) == pytest.approx(0.7 * float(rows[0]["raw_score"]))
    assert rows[1]["days_late"] == "0" and rows[1]["score"] == rows[1]["raw_score"]
    assert rows[1]["late"] == "yes"
    stem = json.loads((out / "feedback" / "lovelaceada_12345_678910_a2_backprop.json")
                      .read_text())
    assert stem["late"]["penalty"] == pytest.approx(0.3)
    assert "**Deadline:**" in (out / "feedback" /
                               "lovelaceada_12345_678910_a2_backprop.md").read_text()
    assert "bp1_output_error" in rows[0]
    files = list(csv.DictReader((out / "files_not_counted.csv").open()))
    assert files == [{"file": "turingalan_12347_678912_answers.py",
                      "reason": "not a notebook (.py)"}]
    page = (out / "report.html").read_text()
    assert "Students and files" in page and "turingalan_12347_678912_answers.py" in page
    # Control: the gradebook is what grade writes without a roster (one row per file).
    book = list(csv.DictReader((out / "gradebook.csv").open()))
    assert len(book) == 2 and "student_id" not in book[0]
    assert json.loads((out / "classroom" / "files.json").read_text())


def test_grade_with_a_roster_reads_a_moodle_zip_as_downloaded(dist, tmp_path):
    """One real run on Moodle's "Download all submissions" zip (folders per submission)."""
    from backprop_lab.grade import grade

    download = make_zip(tmp_path / "CS101-A2 Backprop-98765.zip", {
        "Grace Hopper_3302_assignsubmission_file_/a2_backprop.ipynb": NB,
        "Alan Turing_3303_assignsubmission_file_/notes.pdf": b"%PDF-1.4\n",
    })
    out = tmp_path / "out"
    grade([download], out, autograder_dir=dist, workers=2, progress=False,
          classroom=Setup(roster(tmp_path, MOODLE_ROSTER)))
    rows = list(csv.DictReader((out / "students.csv").open()))
    assert [(r["student_id"], r["status"]) for r in rows] == [
        ("S001", "missing"), ("S002", "graded"), ("S003", "missing")]
    assert float(rows[1]["score"]) == float(rows[1]["max_score"]) > 0
    files = list(csv.DictReader((out / "files_not_counted.csv").open()))
    assert files == [{"file": "Alan Turing_3303_assignsubmission_file_/notes.pdf",
                      "reason": "not a notebook (.pdf)"}]
    moodle = list(csv.reader((out / "exports" / "moodle.csv").open()))
    assert moodle[2] == ["S002", "grace@example.edu", rows[1]["score"]]


def test_two_canvas_downloads_of_the_same_name_are_both_unpacked(tmp_path):
    students = read_roster(roster(tmp_path, CANVAS_ROSTER))
    first = make_zip((tmp_path / "a1").mkdir() or tmp_path / "a1" / "submissions.zip",
                     {"lovelaceada_12345_1_a1_forward.ipynb": NB})
    second = make_zip((tmp_path / "a2").mkdir() or tmp_path / "a2" / "submissions.zip",
                      {"hoppergrace_12346_2_a2_backprop.ipynb": NB})
    roots, entries = collect([first, second], tmp_path / "out", students)
    assert [r.name for r in roots] == ["submissions", "submissions-2"]
    assert sorted(e.student for e in entries) == ["S001", "S002"]


def test_the_command_line_refuses_a_bad_roster_or_a_policy_without_one(tmp_path):
    """Exit 1 with the reason, before anything is graded (no kernel, no autograder)."""
    import subprocess
    import sys

    bad = roster(tmp_path, "Name,Email\nAda,ada@example.edu\n", "bad.csv")
    (tmp_path / "subs").mkdir()
    for extra, said in ((["--roster", str(bad)], "needs a student id column"),
                        (["--policy", str(bad)], "--policy and --manual need --roster")):
        done = subprocess.run([sys.executable, "-m", "backprop_lab", "grade",
                               str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                               "--autograders", str(tmp_path / "none"), *extra],
                              capture_output=True, text=True)
        assert done.returncode == 1 and said in done.stderr, done.stderr
        assert not (tmp_path / "out" / "students.csv").exists()
