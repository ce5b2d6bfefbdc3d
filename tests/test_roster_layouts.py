"""File names exactly as Canvas and Moodle write them in their bulk downloads (issue 20, §1).

The names are made here by the rules of each system's own source, transcribed line by line:

- Canvas, ``lib/content_zipper.rb`` (instructure/canvas-lms): ``get_filename`` joins the
  sanitised sortable name, ``LATE`` when late, and the user id (``anon_<id>`` under
  anonymous grading) with ``_`` and drops every non-word character; ``add_upload_submission``
  appends ``_<file id>_<display name>``; a name given twice in one zip gets ``-1``
  (``Attachment.make_unique_filename``).
- Moodle, ``mod/assign/classes/downloader.php`` (4.1 on) and ``mod/assign/locallib.php``
  (3.1 to 4.0): the prefix is ``clean_filename(<full name, '_' as ' '>_<participant id>)``;
  a folder ``<prefix>_assignsubmission_file`` (4.1 on) or ``<prefix>_assignsubmission_file_``
  (before) holds the files, or flat files ``<prefix>_assignsubmission_file_<name>``; blind
  marking writes ``Participant`` for the name.
"""

from __future__ import annotations

import re

import pytest
from test_roster import CANVAS_ROSTER, GRADESCOPE_ROSTER, MOODLE_ROSTER, NB, make_zip, roster

from backprop_lab.classroom.collect import collect
from backprop_lab.classroom.layouts import classify
from backprop_lab.classroom.roster import read_roster
from backprop_lab.classroom.students import student_rows


def canvas_name(sortable_name: str, user_id: int, file_id: int, display_name: str,
                late: bool = False) -> str:
    """ContentZipper#get_filename + #add_upload_submission, as Canvas writes them."""
    users_name = re.sub(r"_(\d+)_", r"\1", sortable_name).lower()  # sanitize_user_name
    filename = "_".join([users_name, *(["LATE"] if late else []), str(user_id)])
    filename = re.sub(r"\W", "", filename)  # sanitize_file_name: [^[[:word:]]] dropped
    attachment = re.sub(r'[\x00/\\:*?"<>|]+', "_", display_name)
    return f"{filename}_{file_id}_{attachment}"


def canvas_anonymous_name(anonymous_id: str, file_id: int, display_name: str,
                          late: bool = False) -> str:
    filename = "_".join([*(["LATE"] if late else []), f"anon_{anonymous_id}"])
    return f"{filename}_{file_id}_{display_name}"


def clean_filename(text: str) -> str:
    """Moodle's clean_param(PARAM_FILE): control characters and &<>"`|':\\/ dropped."""
    return re.sub(r"[\x00-\x1f\x7f&<>\"`|':\\/]", "", text)


def moodle_name(full_name: str, participant: int, file: str, style: str) -> str:
    prefix = clean_filename(f"{full_name.replace('_', ' ')}_{participant}")
    if style == "folders-4.1":
        return f"{clean_filename(prefix + '_assignsubmission_file')}/{file}"
    if style == "folders-3.1":
        return f"{clean_filename(prefix + '_assignsubmission_file_')}/{file}"
    return clean_filename(f"{prefix}_assignsubmission_file_{file}")


def test_the_canvas_rule_gives_the_names_canvas_writes():
    assert canvas_name("Lovelace, Ada", 12345, 678910, "a2_backprop.ipynb") == \
        "lovelaceada_12345_678910_a2_backprop.ipynb"
    assert canvas_name("Lovelace, Ada", 12345, 678910, "a2_backprop.ipynb", late=True) == \
        "lovelaceada_LATE_12345_678910_a2_backprop.ipynb"
    assert canvas_name("O'Brien-Smith, Seán", 7, 8, "a2.ipynb") == "obriensmithseán_7_8_a2.ipynb"


@pytest.mark.parametrize("name,late", [
    (canvas_name("Lovelace, Ada", 12345, 678910, "a2_backprop.ipynb"), False),
    (canvas_name("Lovelace, Ada", 12345, 678910, "a2_backprop.ipynb", late=True), True),
    (canvas_name("Lovelace, Ada", 12345, 678911, "a2_backprop-1.ipynb"), False),
    (canvas_name("Lovelace, Ada", 12345, 678912, "week 2: backprop?.ipynb"), False),
])
def test_canvas_names_give_the_user_id_and_the_late_mark(name, late):
    found = classify(name)
    assert (found.layout, found.keys[0], found.late) == ("canvas", "12345", late)


def test_a_canvas_name_with_an_underscore_or_accents_still_names_its_student(tmp_path):
    """Matched by name when the roster has no Canvas ``ID`` (a Gradescope roster): an
    underscore in the sortable name survives Canvas's sanitising."""
    students = read_roster(roster(tmp_path, GRADESCOPE_ROSTER + "Ana de_la Cruz,S004,"
                                  "ana@example.edu,Student\nSeán O'Brien-Smith,S005,"
                                  "sean@example.edu,Student\n"))
    folder = tmp_path / "canvas"
    folder.mkdir()
    names = {canvas_name("de_la Cruz, Ana", 501, 9001, "a2_backprop.ipynb"): "S004",
             canvas_name("O'Brien-Smith, Seán", 502, 9002, "a2_backprop.ipynb"): "S005",
             canvas_name("Hopper, Grace", 503, 9003, "a2_backprop.ipynb"): "S002"}
    for name in names:
        (folder / name).write_bytes(NB)
    _, entries = collect([folder], tmp_path / "out", students)
    assert {e.label: e.student for e in entries} == names
    assert all(e.layout == "canvas" for e in entries)


def test_canvas_anonymous_grading_names_no_student_and_says_so(tmp_path):
    students = read_roster(roster(tmp_path, CANVAS_ROSTER))
    download = make_zip(tmp_path / "submissions.zip", {
        canvas_anonymous_name("xK3pQ", 678910, "a2_backprop.ipynb"): NB,
        canvas_anonymous_name("Zr7Wm", 678911, "a2_backprop.ipynb", late=True): NB,
        canvas_name("Lovelace, Ada", 12345, 678912, "a2_backprop.ipynb"): NB,  # control
    })
    _, entries = collect([download], tmp_path / "out", students)
    by_label = {e.label: e for e in entries}
    anonymous = [e for e in entries if e.layout == "canvas anonymous"]
    assert len(anonymous) == 2 and all(e.student is None for e in anonymous)
    assert all("the LMS hid who handed it in" in e.reason for e in anonymous)
    assert by_label["anon_xK3pQ_678910_a2_backprop.ipynb"].late is False
    assert by_label["LATE_anon_Zr7Wm_678911_a2_backprop.ipynb"].late is True
    assert by_label["lovelaceada_12345_678912_a2_backprop.ipynb"].student == "S001"


@pytest.mark.parametrize("style", ["folders-4.1", "folders-3.1", "flat"])
def test_a_moodle_download_of_every_version_is_matched_by_full_name(style, tmp_path):
    students = read_roster(roster(tmp_path, MOODLE_ROSTER))
    members = {moodle_name("Ada Lovelace", 3301, "a2_backprop.ipynb", style): NB,
               moodle_name("Grace Hopper", 3302, "a2_backprop.ipynb", style): NB,
               moodle_name("Alan Turing", 3303, "notes.pdf", style): b"%PDF-1.4\n"}
    download = make_zip(tmp_path / "CS101-A2 Backprop-98765.zip", members)
    _, entries = collect([download], tmp_path / "out", students)
    found = {e.label: (e.layout, e.student, e.reason) for e in entries}
    assert found == {
        moodle_name("Ada Lovelace", 3301, "a2_backprop.ipynb", style): ("moodle", "S001", ""),
        moodle_name("Grace Hopper", 3302, "a2_backprop.ipynb", style): ("moodle", "S002", ""),
        moodle_name("Alan Turing", 3303, "notes.pdf", style): ("moodle", "S003",
                                                                "not a notebook (.pdf)")}


def test_the_moodle_4_1_folder_name_is_as_its_downloader_writes_it():
    assert moodle_name("Ada Lovelace", 3301, "a2.ipynb", "folders-4.1") == \
        "Ada Lovelace_3301_assignsubmission_file/a2.ipynb"
    assert moodle_name("Seán O'Brien", 3304, "a2.ipynb", "folders-3.1") == \
        "Seán OBrien_3304_assignsubmission_file_/a2.ipynb"
    assert moodle_name("Ada Lovelace", 3301, "a2.ipynb", "flat") == \
        "Ada Lovelace_3301_assignsubmission_file_a2.ipynb"


def test_moodle_blind_marking_names_no_student(tmp_path):
    students = read_roster(roster(tmp_path, MOODLE_ROSTER))
    folder = tmp_path / "moodle"
    path = folder / moodle_name("Participant", 3301, "a2_backprop.ipynb", "folders-4.1")
    path.parent.mkdir(parents=True)
    path.write_bytes(NB)
    _, entries = collect([folder], tmp_path / "out", students)
    assert [(e.layout, e.student) for e in entries] == [("moodle blind-marking", None)]
    assert "the LMS hid who handed it in" in entries[0].reason
    # Every roster student still gets a row for the assignment graded (none is counted).
    record = {"source": entries[0].source, "assignment": "a2_backprop", "status": "graded",
              "score": 24.0, "max_score": 24.0, "questions": []}
    rows, not_counted = student_rows([record], entries, students, [])
    assert [(r["student_id"], r["assignment"], r["status"]) for r in rows] == [
        ("S001", "a2_backprop", "missing"), ("S002", "a2_backprop", "missing"),
        ("S003", "a2_backprop", "missing")]
    assert [f["file"] for f in not_counted] == [entries[0].label]


def test_of_two_canvas_downloads_given_together_the_later_one_counts(tmp_path):
    """Each download carries its own time (the time it was made): the student's file in
    the later one counts, the earlier is listed; control: the dates swapped."""
    from test_roster import record

    students = read_roster(roster(tmp_path, CANVAS_ROSTER))
    name = canvas_name("Lovelace, Ada", 12345, 678910, "a2_backprop.ipynb")
    for first, second, counted in (((2026, 12, 2, 9, 0, 0), (2026, 12, 5, 9, 0, 0), 1),
                                   ((2026, 12, 5, 9, 0, 0), (2026, 12, 2, 9, 0, 0), 0)):
        here = tmp_path / f"run{counted}"
        zips = [make_zip((here / d).mkdir(parents=True) or here / d / "submissions.zip",
                         {name: NB}, when=t) for d, t in (("one", first), ("two", second))]
        _, entries = collect(zips, here / "out", students)
        records = [record(e.source, 10.0 + i) for i, e in enumerate(entries)]
        rows, not_counted = student_rows(records, entries, students, [])
        assert rows[0]["score"] == 10.0 + counted
        assert [f["file"] for f in not_counted] == [name]
