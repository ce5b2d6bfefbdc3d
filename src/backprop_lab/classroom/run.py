"""The hooks ``grade`` calls for a class: ``prepare_class`` before grading (without
``--roster`` it only lists the files that will not be graded), ``snapshot`` of what is
about to be regraded, and ``finish_class`` before the outputs are rebuilt (the regrade
ledger; ``files_not_counted.csv``, said on stderr too; the students' rows, deadlines,
manual points and exports with ``--roster``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..reporting.class_stats import load_records
from ..reporting.feedback_folder import write_atomic
from ..reporting.report import to_csv
from .collect import Entry, collect, not_graded, save
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
            touched = apply_policy(rows, self.policy)
            tell(out, touched, records)
            warn_download_times(out, touched, self.policy)
        hand = [q for qs in asked.values() for q in qs] if self.manual is not None else []
        write_exports(out, rows, self.students, questions + hand, records)
        for row in rows:
            row.pop("source", None)
        write_atomic(out / "students.csv", to_csv(rows, columns(questions + hand, rows)))
        tell_not_counted(out, not_counted)


@dataclass
class PlainRun:
    """``grade`` without ``--roster``: the files under the folders given that it does not
    grade (a ``.py``, a ``.txt``, a zip...), listed with their reasons."""
    entries: list[Entry]

    def finish(self, out: Path, questions: list[str], assignment: str | None = None) -> None:
        tell_not_counted(out, [{"file": e.label, "reason": e.reason} for e in self.entries])


def warn_download_times(out: Path, rows: list[dict], policy: Policy) -> None:
    """Say on stderr which penalised files took their time from an unpacked zip: Canvas and
    Moodle write theirs with the time of the download (README "Running a class")."""
    unpacked = str((out / "unpacked").resolve())
    guessed = [r for r in rows if str(r.get("source", "")).startswith(unpacked)
               and r["student_id"] not in policy.deadlines[r["assignment"]].submitted]
    if guessed:
        print(f"backprop-lab grade: the lateness of {len(guessed)} files comes from the "
              "times in the zip they were unpacked from; Canvas and Moodle write those at "
              "download time, not upload time: give the upload times in the policy's "
              f"[<assignment>.submitted] table (first: {guessed[0]['submission']})",
              file=sys.stderr)


def tell_not_counted(out: Path, rows: list[dict], shown: int = 50) -> None:
    """Write ``files_not_counted.csv`` (every run, empty or not, so none is left from an
    earlier run) and say each file and its reason on stderr (the first ``shown``)."""
    write_atomic(out / "files_not_counted.csv", to_csv(rows, ["file", "reason"]))
    if not rows:
        return
    lines = [f"  {r['file']}: {r['reason']}" for r in rows[:shown]]
    if len(rows) > shown:
        lines.append(f"  ... and {len(rows) - shown} more")
    many = len(rows) != 1
    print(f"backprop-lab grade: {len(rows)} file{'s' * many} found {'are' if many else 'is'} "
          f"not counted (listed with the reason in {out / 'files_not_counted.csv'} and "
          "report.html):\n"
          + "\n".join(lines), file=sys.stderr)


def prepare_class(paths: list[Path], out: Path,
                  setup: Setup | None) -> tuple[list[Path], ClassRun | PlainRun]:
    """Without a setup: the paths as they are, and the files in them not graded. With one:
    read the roster, the policy and
    check the manual points file (a bad one stops the run before anything is graded),
    unpack the zips, match every file found to a student; returns the folders to grade."""
    if setup is None:
        return paths, PlainRun(not_graded(paths))
    students = read_roster(setup.roster)
    rules = read_policy(setup.policy) if setup.policy is not None else None
    if setup.manual is not None and not Path(setup.manual).is_file():
        raise ManualError(f"the manual points {setup.manual} do not exist")
    out.mkdir(parents=True, exist_ok=True)
    roots, entries = collect(paths, out, students)
    save(entries, out)
    return roots, ClassRun(students, entries, rules, setup.manual)


def finish_class(out: Path, run: ClassRun | PlainRun | None, before: dict[str, dict],
                 questions: list[str], assignment: str | None = None) -> None:
    """After grading, before the gradebook is rebuilt: the regrade ledger, the files not
    counted, and with a setup the students' rows and exports."""
    write_ledger(out, before)
    if run is not None:
        run.finish(out, questions, assignment)
