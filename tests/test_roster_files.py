"""Every file not graded is listed with its reason, with or without a roster (issue 20, §1).

A class folder as instructors get it: a real notebook beside a ``.py``, a ``.txt``, a zip
that is not one, a Jupyter checkpoint copy. Without ``--roster`` ``grade`` grades the
notebook as it always did and lists the rest in ``files_not_counted.csv``, on stderr
and in ``report.html``; the control is a folder holding only the notebook, where none
of these appear.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import ROOT

from backprop_lab.classroom.collect import collect, not_graded
from backprop_lab.classroom.roster import read_roster

NOTEBOOK = ROOT / "samples" / "a2_backprop-full-marks.ipynb"


def class_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    (folder / "ada" / ".ipynb_checkpoints").mkdir(parents=True)
    shutil.copy(NOTEBOOK, folder / "ada" / "a2_backprop.ipynb")
    shutil.copy(NOTEBOOK, folder / "ada" / ".ipynb_checkpoints" / "a2_backprop-checkpoint.ipynb")
    (folder / "grace_helpers.py").write_text("def sigmoid(z):\n    return z\n")
    (folder / "notes.txt").write_text("I could not finish bp4.\n")
    (folder / "alan_submission.zip").write_bytes(b"PK\x03\x04 truncated, not a zip")
    return folder


EXPECTED = {
    "ada/.ipynb_checkpoints/a2_backprop-checkpoint.ipynb":
        "a Jupyter checkpoint copy, not the submission",
    "alan_submission.zip":
        "a zip in a folder: not unpacked (name the zip itself as a PATH, with --roster)",
    "grace_helpers.py": "not a notebook (.py)",
    "notes.txt": "not a notebook (.txt)",
}


def test_without_a_roster_every_file_not_graded_is_found_with_its_reason(tmp_path):
    folder = class_folder(tmp_path)
    found = {e.label: e.reason for e in not_graded([folder])}
    assert found == EXPECTED
    # Control: the notebook grade grades is not listed, and a notebook named directly
    # (graded whatever its name) lists nothing.
    assert "ada/a2_backprop.ipynb" not in found
    assert not_graded([folder / "ada" / "a2_backprop.ipynb"]) == []


def test_a_notebook_whose_name_grade_does_not_take_is_listed_not_lost(tmp_path):
    """``grade`` takes ``*.ipynb`` (lower case): an ``.IPYNB`` was matched to its student
    but never graded, so the student showed as missing and the file was listed nowhere."""
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID,Email\nAda Lovelace,S001,ada@example.edu\n"
                      "Grace Hopper,S002,grace@example.edu\n")
    folder = tmp_path / "folders"
    for sid, name in (("S001", "A2_BACKPROP.IPYNB"), ("S002", "a2_backprop.ipynb")):
        (folder / sid).mkdir(parents=True)
        shutil.copy(NOTEBOOK, folder / sid / name)
    _, entries = collect([folder], tmp_path / "out", read_roster(roster))
    reasons = {e.label: e.reason for e in entries}
    assert "rename it" in reasons["S001/A2_BACKPROP.IPYNB"]
    assert reasons["S002/a2_backprop.ipynb"] == ""  # control: the lower-case name counts
    assert {e.label for e in not_graded([folder])} == {"S001/A2_BACKPROP.IPYNB"}


def test_grade_without_a_roster_lists_the_files_it_does_not_grade(dist, tmp_path, capsys):
    """One real run: the notebook is graded as always; the rest are listed, said, shown."""
    from backprop_lab.grade import grade

    folder = class_folder(tmp_path)
    out = tmp_path / "out"
    grade([folder], out, autograder_dir=dist, workers=1, progress=False)
    said = capsys.readouterr().err
    book = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [r["submission"] for r in book] == ["ada/a2_backprop.ipynb"]  # as before
    assert float(book[0]["score"]) == float(book[0]["max_score"]) > 0
    listed = {r["file"]: r["reason"] for r in csv.DictReader(
        (out / "files_not_counted.csv").open())}
    assert listed == EXPECTED
    page = (out / "report.html").read_text()
    assert "Files not graded" in page
    for name, why in EXPECTED.items():
        assert f"{name}: {why}" in said, said
        assert name in page
    assert not (out / "students.csv").exists()

    # Control: the folder with the notebook only lists nothing, says nothing, shows nothing
    # (and the listing of the earlier run is not left behind).
    for extra in EXPECTED:
        path = folder / extra
        path.unlink()
    grade([folder], out, autograder_dir=dist, workers=1, progress=False)
    said = capsys.readouterr().err
    assert list(csv.DictReader((out / "files_not_counted.csv").open())) == []
    assert "not counted" not in said
    assert "Files not graded" not in (out / "report.html").read_text()
    assert len(list(csv.DictReader((out / "gradebook.csv").open()))) == 1
