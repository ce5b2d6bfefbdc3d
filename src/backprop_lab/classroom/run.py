"""The hooks ``grade`` calls for a class: ``prepare_class`` before grading (a no-op
without ``--roster``), ``snapshot`` of what is about to be regraded, and
``finish_class`` before the outputs are rebuilt (the regrade ledger; the students' rows,
deadlines, manual points and exports with ``--roster``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..reporting.class_stats import load_records
from ..reporting.feedback_folder import write_atomic
from ..reporting.report import to_csv
from .collect import Entry, collect, save
from .deadlines import Policy, read_policy
from .exports import write_exports
from .ledger import snapshot, write_ledger  # noqa: F401 (snapshot: grade's name too)
from .manual import ManualError, manual_questions, merge_manual, read_manual
from .options import Setup
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


def prepare_class(paths: list[Path], out: Path,
                  setup: Setup | None) -> tuple[list[Path], ClassRun | None]:
    """Without a setup: the paths as they are. With one: read the roster, the policy and
    check the manual points file (a bad one stops the run before anything is graded),
    unpack the zips, match every file found to a student; returns the folders to grade."""
    if setup is None:
        return paths, None
    students = read_roster(setup.roster)
    rules = read_policy(setup.policy) if setup.policy is not None else None
    if setup.manual is not None and not Path(setup.manual).is_file():
        raise ManualError(f"the manual points {setup.manual} do not exist")
    out.mkdir(parents=True, exist_ok=True)
    roots, entries = collect(paths, out, students)
    save(entries, out)
    return roots, ClassRun(students, entries, rules, setup.manual)


def finish_class(out: Path, run: ClassRun | None, before: dict[str, dict],
                 questions: list[str], assignment: str | None = None) -> None:
    """After grading, before the gradebook is rebuilt: the regrade ledger (every run) and
    the class's files (with a setup)."""
    write_ledger(out, before)
    if run is not None:
        run.finish(out, questions, assignment)
