"""Submissions as the LMS hands them out: what a file's name and folder say about it.

The rules (README "Running a class" cites where each is documented):

- **Canvas** bulk download ("Download Submissions", one zip): every file at the top
  level, named ``<lastfirst>_<late_>?<user id>_<submission id>_<original name>``:
  ``lovelaceada_12345_678910_a2_backprop.ipynb``, ``lovelaceada_late_12345_678910_a2.ipynb``.
  The user id is Canvas's, the ``ID`` column of its gradebook export; a re-upload of a
  file of the same name gets ``-1``, ``-2`` before the extension.
- **Moodle** "Download all submissions": one folder per submission named
  ``<Full Name>_<participant id>_assignsubmission_file_`` holding the student's files
  (or, flattened, files named ``<Full Name>_<participant id>_assignsubmission_file_<name>``).
  The participant id is per assignment, so the student is found by full name.
- **A folder per student**: ``<student>/<any name>.ipynb``, the folder named by the
  student's id, email, login or name.

Anything else at the top level is matched by its stem against the roster (``<id>.ipynb``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

CANVAS = re.compile(r"^(?P<login>[^_/]+?)_(?P<late>late_|LATE_)?(?P<user>\d+)_(?P<sub>\d+)_"
                    r"(?P<original>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_file_(?P<rest>.*)$")


@dataclass
class Found:
    """One file of a download: where it is, which student it names, how."""
    label: str  # the path relative to the folder (or zip) given
    layout: str  # "canvas", "moodle", "folder" or "plain"
    keys: list[str]  # ways the name identifies the student (most specific first)
    late: bool = False  # the LMS marked it late (Canvas's ``late_``)


def classify(label: str) -> Found:
    """The student a file's path names, by the layouts above (``label`` is relative)."""
    parts = PurePosixPath(label).parts
    top = parts[0]
    moodle = MOODLE.match(top)
    if moodle:
        return Found(label, "moodle", [moodle["name"]])
    canvas = CANVAS.match(top) if len(parts) == 1 else None
    if canvas:
        return Found(label, "canvas", [canvas["user"], canvas["login"]], bool(canvas["late"]))
    if len(parts) > 1:
        return Found(label, "folder", [top])
    return Found(label, "plain", [PurePosixPath(top).stem])
