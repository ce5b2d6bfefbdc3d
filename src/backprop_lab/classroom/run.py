"""``grade --roster``: the two hooks ``grade`` calls, before grading and before its
outputs are rebuilt. Without ``--roster`` neither runs and ``grade`` is unchanged."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..feedback_folder import write_atomic
from ..grading.class_stats import load_records
from ..grading.report import to_csv
from .collect import Entry, collect, save
from .deadlines import Policy, read_policy
from .exports import write_exports
from .manual import ManualError, manual_questions, merge_manual, read_manual
from .penalties import apply_policy, tell
from .roster import Student, read_roster
from .students import columns, student_rows


@dataclass
class ClassRun:
    students: list[Student]
    entries: list[Entry]
    policy: Policy | None = None
    manual: Path | None = None

    def finish(self, out: Path, questions: list[str], assignment: str | None = None) -> None:
        """Write ``students.csv`` and ``files_not_counted.csv`` from the feedback records
        (the deadline policy applied, and told in the feedback, when there is one)."""
        records = load_records(out)
        rows, not_counted = student_rows(records, self.entries, self.students, questions,
                                         assignment)
        asked = manual_questions(records)
        if self.manual is not None:
            try:
                merge_manual(rows, read_manual(self.manual, self.students, asked), asked)
            except ManualError as error:  # the grading stands; the points wait for a fix
                print(f"backprop-lab grade: {error}; students.csv is written without them "
                      "(fix the file and run grade again: nothing is regraded)",
                      file=sys.stderr)
                asked = {}
        if self.policy is not None:
            tell(out, apply_policy(rows, self.policy), records)
        hand = [q for qs in asked.values() for q in qs] if self.manual is not None else []
        write_exports(out, rows, self.students, questions + hand, records)
        for row in rows:
            row.pop("source", None)
        write_atomic(out / "students.csv", to_csv(rows, columns(questions + hand, rows)))
        write_atomic(out / "files_not_counted.csv", to_csv(not_counted, ["file", "reason"]))


def prepare(paths: list[Path], out: Path, roster: Path, policy: Path | None = None,
            manual: Path | None = None) -> tuple[list[Path], ClassRun]:
    """Read the roster and the policy (a bad one stops the run before anything is
    graded), unpack the zips, match every file found to a student; returns the folders
    to grade."""
    students = read_roster(roster)
    rules = read_policy(policy) if policy is not None else None
    out.mkdir(parents=True, exist_ok=True)
    roots, entries = collect(paths, out, students)
    save(entries, out)
    if manual is not None and not Path(manual).is_file():
        raise ManualError(f"the manual points {manual} do not exist")
    return roots, ClassRun(students, entries, rules, manual)
