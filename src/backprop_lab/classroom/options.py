"""The options of ``grade`` for running a class, and what they ask for (a ``Setup``).

Kept apart from the work (:mod:`.run`) so that the command line stays quick to start."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from . import ClassroomError


@dataclass
class Setup:
    """What ``grade`` is asked to do for a class (see README "Running a class")."""
    roster: Path
    policy: Path | None = None
    manual: Path | None = None


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="the class roster (a Canvas, Moodle or Gradescope export, or "
                             "id,name,email): PATHs may then be LMS downloads (zips too); "
                             "writes students.csv (one row per student), "
                             "files_not_counted.csv and exports/")
    parser.add_argument("--policy", type=Path, metavar="FILE",
                        help="deadlines (TOML or JSON: due time, per-day penalty, cap, "
                             "extensions, a late-day budget; README \"Running a class\"), "
                             "applied to students.csv and the feedback; needs --roster")
    parser.add_argument("--manual", type=Path, metavar="CSV",
                        help="hand-graded points (student_id,question,points), merged into "
                             "students.csv; needs --roster")


def setup_of(args: argparse.Namespace) -> Setup | None:
    """The setup the options ask for; None without ``--roster`` (grade as always)."""
    if args.roster is None:
        if args.policy is not None or args.manual is not None:
            raise ClassroomError("--policy and --manual need --roster (they are per student)")
        return None
    return Setup(args.roster, args.policy, args.manual)
