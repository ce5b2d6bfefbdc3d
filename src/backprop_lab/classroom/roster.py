"""The roster: one CSV of students, as Canvas, Moodle or Gradescope export it.

What holds:

- Columns are found by name, case and spacing ignored: the student id is the first of
  ``SIS User ID``, ``SID``, ``ID number``, ``Student ID``, ``Student Number``, ``id``,
  ``ID`` (Canvas's own user id, when nothing else is there); the name is ``Name``,
  ``Full Name`` or ``Student`` (Canvas's "Last, First"), else ``First name`` +
  ``Last name``; the email is ``Email``, ``Email address`` or ``E-mail``.
- Canvas's ``ID`` (its user id, in every bulk-download name) and ``SIS Login ID`` are
  kept as well, to match files to students; Canvas's ``Points Possible`` row and its
  ``Student, Test`` are skipped.
- A student whose id cell is blank (Moodle's ID number, optional in Moodle) has their
  email as id; one with neither, a roster without an id or a name column, or with one
  id twice, is refused with the reason (:class:`RosterError`); nothing is graded against
  half a roster.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import ClassroomError

ID_COLUMNS = ("sis user id", "sid", "id number", "student id", "student number", "id")
NAME_COLUMNS = ("name", "full name", "student")
EMAIL_COLUMNS = ("email", "email address", "e-mail", "e-mail address")
SKIPPED = ("points possible", "student, test", "test student")


class RosterError(ClassroomError):
    """The roster cannot be used; the message says why."""


@dataclass
class Student:
    id: str
    name: str
    email: str = ""
    #: other ways files name this student: Canvas user id, login, email's user part
    keys: set[str] = field(default_factory=set)
    #: the roster's own row (its columns as exported), for the exports back to the LMS
    raw: dict[str, str] = field(default_factory=dict)


def squeeze(text: str) -> str:
    """A name or id as matched: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _column(header: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in header:
            return header[name]
    return None


def read_roster(path: Path) -> list[Student]:
    """The students of ``path``, in its order."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"the roster {path} cannot be read: {error}") from None
    rows = list(csv.DictReader(text.splitlines()))
    header = {" ".join(h.split()).casefold(): h for h in (rows[0].keys() if rows else [])
              if h}
    id_col, name_col = _column(header, ID_COLUMNS), _column(header, NAME_COLUMNS)
    first, last = header.get("first name"), header.get("last name")
    email_col = _column(header, EMAIL_COLUMNS)
    if id_col is None or (name_col is None and not (first and last)):
        raise RosterError(f"the roster {path} needs a student id column (one of "
                          f"{', '.join(ID_COLUMNS)}) and a name (Name, or First name and "
                          f"Last name); its columns: {', '.join(header.values()) or 'none'}")
    students, seen = [], set()
    for row in rows:
        name = (row.get(name_col) or "").strip() if name_col else \
            f"{(row.get(first) or '').strip()} {(row.get(last) or '').strip()}".strip()
        if "," in name and name_col == header.get("student"):  # Canvas: "Last, First"
            last_name, _, first_name = name.partition(",")
            name = f"{first_name.strip()} {last_name.strip()}"
        email = (row.get(email_col) or "").strip() if email_col else ""
        # Moodle's ID number is optional: its exports leave it blank on sites that do not
        # use it; the email (which Moodle requires) then identifies the student.
        sid = (row.get(id_col) or "").strip() or email
        if not sid and not name or name.casefold() in SKIPPED or \
                (row.get(name_col) or "").strip().casefold() in SKIPPED:
            continue
        if not sid:
            raise RosterError(f"the roster {path}: {name} has no student id")
        if sid in seen:
            raise RosterError(f"the roster {path}: the student id {sid} is there twice")
        seen.add(sid)
        keys = {squeeze(sid), squeeze(name)}
        for extra in ("id", "sis login id", "username", "login id"):
            if extra in header and (row.get(header[extra]) or "").strip():
                keys.add(squeeze(row[header[extra]]))
        if email:
            keys |= {squeeze(email), squeeze(email.partition("@")[0])}
        keys.add(squeeze("".join(reversed(name.split(" ", 1)))) if " " in name else "")
        students.append(Student(sid, name, email, keys - {""},
                                {k: (v or "") for k, v in row.items() if k}))
    return students
