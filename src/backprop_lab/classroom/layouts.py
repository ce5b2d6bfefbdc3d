"""Submissions as the LMS hands them out: what a file's name and folder say about it.

The rules, read from each system's own source (README "Running a class" cites them):

- **Canvas** "Download Submissions" (``lib/content_zipper.rb``): every file at the top of
  one zip, named ``<name>_<LATE_>?<user id>_<file id>_<file name>``; ``<name>`` is the
  student's sortable name ("Lovelace, Ada") lower-cased with every non-word character
  dropped (``lovelaceada``), ``LATE`` is there when Canvas counts the submission late,
  the user id is the ``ID`` column of Canvas's gradebook export, the file id is the
  uploaded file's, and a second file of the same name gets ``-1``, ``-2`` before its
  extension. With anonymous grading the name and user id are replaced by
  ``anon_<anonymous id>``: such a file names no student.
- **Moodle** "Download all submissions" (``mod/assign/classes/downloader.php``, and
  ``locallib.php`` before it): a folder per submission and plugin named
  ``<Full name>_<participant id>_assignsubmission_file`` (Moodle 4.1 on) or with a
  trailing ``_`` (3.1 to 4.0), holding the files as uploaded; or, with "download as
  folders" off, files named ``<Full name>_<participant id>_assignsubmission_file_<name>``.
  The participant id is per assignment, so the student is found by full name; with blind
  marking the full name is ``Participant``, which names no student.
- **A folder per student**: ``<student>/<any name>.ipynb``, the folder named by the
  student's id, email, login or name.

Anything else at the top level is matched by its stem against the roster (``<id>.ipynb``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

CANVAS = re.compile(r"^(?P<login>[^/]+?)_(?P<late>late_|LATE_)?(?P<user>\d+)_(?P<file>\d+)_"
                    r"(?P<original>.+)$")
CANVAS_ANONYMOUS = re.compile(r"^(?P<late>LATE_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<file>\d+)_"
                              r"(?P<original>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                    r"(?:_(?P<rest>.*))?$")


@dataclass
class Found:
    """One file of a download: where it is, which student it names, how."""
    label: str  # the path relative to the folder (or zip) given
    layout: str  # "canvas", "moodle", "folder", "plain"; "canvas anonymous" and "moodle
    # blind-marking" name no student
    keys: list[str]  # ways the name identifies the student (most specific first)
    late: bool = False  # the LMS marked it late (Canvas's ``LATE_``)


def classify(label: str) -> Found:
    """The student a file's path names, by the layouts above (``label`` is relative)."""
    parts = PurePosixPath(label).parts
    top = parts[0]
    moodle = MOODLE.match(top)
    if moodle:
        blind = moodle["name"] == "Participant"
        return Found(label, "moodle blind-marking" if blind else "moodle",
                     [] if blind else [moodle["name"]])
    anonymous = CANVAS_ANONYMOUS.match(top) if len(parts) == 1 else None
    if anonymous:
        return Found(label, "canvas anonymous", [], bool(anonymous["late"]))
    canvas = CANVAS.match(top) if len(parts) == 1 else None
    if canvas:
        return Found(label, "canvas", [canvas["user"], canvas["login"]], bool(canvas["late"]))
    if len(parts) > 1:
        return Found(label, "folder", [top])
    return Found(label, "plain", [PurePosixPath(top).stem])
