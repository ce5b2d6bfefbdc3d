"""Deadlines: a policy file per course, applied to the students' rows (``--policy``).

The file (TOML, or JSON of the same shape), one table per assignment::

    [a2_backprop]
    due = "2026-12-01T23:59:00+00:00"   # ISO 8601; without a zone: UTC
    per_day = 0.10      # share of the score lost per day late (a started day counts)
    cap = 0.50          # at most this share is lost (0.5: never below half the score)
    grace_minutes = 5   # this late is on time
    [a2_backprop.extensions]            # per student id: a new due time, or extra days
    S002 = "2026-12-03T23:59:00+00:00"
    S003 = 2
    [a2_backprop.submitted]             # optional: when each student handed in, from the LMS
    S001 = "2026-12-02T08:15:00+00:00"

    [late_days]         # optional, for the whole course (MIT 6.390 style)
    budget = 5          # late days each student may spend; spent where they save most

What holds: a submission is late by the started days between the student's due time
(the extension's, when there is one) and its time: the ``submitted`` table's, else the
file's modification time (which unpacking keeps from the zip; Canvas and Moodle write
their downloads with the time of the download, so give their files' times in
``submitted``); the score becomes ``score * (1 - min(cap, per_day *
days))``; with a late-day budget, each late day spent takes one day off an assignment's
lateness, and the days are spent to give each student the largest total
(:mod:`.late_days`). A policy that cannot be read stops the run with the reason.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import ClassroomError


class PolicyError(ClassroomError):
    """The policy file cannot be used; the message says why."""


@dataclass
class Deadline:
    due: datetime
    per_day: float = 0.0
    cap: float = 1.0
    grace: timedelta = timedelta(0)
    extensions: dict[str, datetime] = field(default_factory=dict)
    submitted: dict[str, datetime] = field(default_factory=dict)  # student id -> time

    def due_for(self, student: str) -> datetime:
        return self.extensions.get(student, self.due)

    def days_late(self, student: str, submitted: datetime) -> int:
        late = submitted - self.due_for(student) - self.grace
        return max(0, math.ceil(late / timedelta(days=1)))

    def kept(self, days: int) -> float:
        """The share of the score kept ``days`` late."""
        return 1.0 - min(self.cap, self.per_day * days)


@dataclass
class Policy:
    deadlines: dict[str, Deadline]
    late_day_budget: int = 0


def when(text: object, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise PolicyError(f"{where}: {text!r} is not an ISO 8601 time "
                          "(like 2026-12-01T23:59:00+00:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_policy(path: Path) -> Policy:
    """The policy in ``path`` (``.toml`` or ``.json``), checked."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if Path(path).suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as error:
        raise PolicyError(f"the policy {path} cannot be read: {error}") from None
    budget = data.pop("late_days", {}).get("budget", 0)
    deadlines = {}
    for name, table in data.items():
        where = f"the policy {path}, [{name}]"
        if not isinstance(table, dict) or "due" not in table:
            raise PolicyError(f"{where} needs a due time (due = \"2026-12-01T23:59:00Z\")")
        due = when(table["due"], where)
        per_day, cap = float(table.get("per_day", 0.0)), float(table.get("cap", 1.0))
        if not (0 <= per_day <= 1 and 0 <= cap <= 1):
            raise PolicyError(f"{where}: per_day and cap are shares between 0 and 1")
        extensions = {}
        for student, value in (table.get("extensions") or {}).items():
            extensions[str(student)] = (due + timedelta(days=float(value))
                                        if isinstance(value, int | float)
                                        else when(value, f"{where}, extension of {student}"))
        submitted = {str(student): when(value, f"{where}, submitted of {student}")
                     for student, value in (table.get("submitted") or {}).items()}
        deadlines[name] = Deadline(due, per_day, cap,
                                   timedelta(minutes=float(table.get("grace_minutes", 0))),
                                   extensions, submitted)
    if not isinstance(budget, int) or budget < 0:
        raise PolicyError(f"the policy {path}: [late_days] budget is a whole number >= 0")
    return Policy(deadlines, budget)
