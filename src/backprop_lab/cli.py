"""The ``backprop-lab`` command line: build, grade, check, demo (SPEC section 4)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .grading.kernel import GIB, Limits


def _size(text: str) -> int:
    """'2G', '512M' or a number of bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": GIB}
    text = text.strip().upper().removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(cell_seconds=args.cell_timeout, total_seconds=args.timeout,
                  call_seconds=args.call_timeout, memory_bytes=_size(args.memory))


def _build(args: argparse.Namespace) -> int:
    from .assign import BuildError, build

    try:
        built = build(args.out, args.source, run_tests=not args.no_run_tests,
                      hidden_visibility=args.hidden_visibility)
    except (BuildError, FileNotFoundError) as error:
        print(f"backprop-lab build: {error}", file=sys.stderr)
        return 1
    for b in built:
        print(f"{b.name}: student notebook {b.student}, autograder {b.autograder_zip}")
    if args.solutions:
        from .assign import execute_solutions

        for path in execute_solutions(built, args.solutions):
            print(f"executed solution notebook: {path}")
    return 0


def _print_results(summary, out: Path) -> None:
    from .grade import BASE_COLUMNS
    from .grading.report import gradebook_rows, mistake_counts, table

    records = summary.records
    print(table(gradebook_rows(records, []), BASE_COLUMNS))
    counts = mistake_counts(records)
    if counts:
        print("\nMistakes named, per question (submissions):")
        for (question, code), n in sorted(counts.items()):
            print(f"  {question:24s} {code:28s} {n}")
    flagged = [r for r in records if r.get("flags")]
    if flagged:
        print("\nFlagged submissions:")
        for r in flagged:
            print(f"  {r['submission']}: " + "; ".join(r["flags"]))
    print(f"\nGraded {summary.graded}, skipped {summary.skipped} unchanged, "
          f"in {summary.seconds:.1f} s. Gradebook: {out / 'gradebook.csv'}; "
          f"feedback: {out / 'feedback'}/; class mistakes: {out / 'mistakes.csv'}")


def _warn_if_unsandboxed() -> bool:
    """Say in one line when kernels run with less than bubblewrap; False if no mode works."""
    from .grading.sandbox import choose_mode, warning

    try:
        line = warning(choose_mode())
    except (RuntimeError, ValueError) as error:
        print(f"backprop-lab: {error}", file=sys.stderr)
        return False
    if line:
        print(line, file=sys.stderr)
    return True


def _grade(args: argparse.Namespace) -> int:
    from .grade import grade

    if not _warn_if_unsandboxed():
        return 1
    try:
        summary = grade(args.paths, args.out, autograder_dir=args.autograders,
                        workers=args.workers, limits=_limits(args), scheduler=args.scheduler,
                        force=args.force, assignment=args.assignment)
    except FileNotFoundError as error:
        print(f"backprop-lab grade: {error}", file=sys.stderr)
        return 1
    _print_results(summary, args.out)
    return 0


def _check(args: argparse.Namespace) -> int:
    from .grading.autograder import find_autograders
    from .grading.report import feedback_markdown
    from .grading.submission import grade_file

    autograders = find_autograders(args.autograders)
    if not autograders:
        print(f"backprop-lab check: no autograder zips under {args.autograders}: "
              "run `backprop-lab build` first", file=sys.stderr)
        return 2
    if not _warn_if_unsandboxed():
        return 2
    limits = _limits(args)
    limits.private = (str(args.autograders.resolve()),)
    from .grading.sandbox import choose_mode, private_defaults, sealed

    closed = [*private_defaults(), args.autograders] if choose_mode() == "uid" else []
    with sealed(closed):
        record = grade_file(args.notebook, autograders, limits, args.assignment)
    print(feedback_markdown(record))
    return 0 if record["status"] == "graded" else 1


def _demo(args: argparse.Namespace) -> int:
    from .demo import demo

    return demo(args.out)


def _add_limits(p: argparse.ArgumentParser) -> None:
    p.add_argument("--autograders", type=Path, default=Path("dist"),
                   help="folder holding the built *-autograder.zip files (dist/)")
    p.add_argument("--assignment", help="assignment for notebooks that do not say")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds for everything one submission costs: its cells and every "
                        "call to its stubs (600)")
    p.add_argument("--call-timeout", type=float, default=10.0,
                   help="seconds for one call of a stub by the grader; after a stub's first "
                        "call runs out, its other calls fail at once (10)")
    p.add_argument("--cell-timeout", type=float, default=60.0,
                   help="seconds for one cell before it is interrupted (60)")
    p.add_argument("--memory", default="2G", help="memory cap of a kernel (2G)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backprop-lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="Otter Assign on every master notebook")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder (dist/)")
    build.add_argument("--source", type=Path, default=None, help="folder of master notebooks")
    build.add_argument("--no-run-tests", action="store_true",
                       help="skip running the tests on the solutions (faster, less safe)")
    build.add_argument("--hidden-visibility", default="after_published",
                       choices=("visible", "after_due_date", "after_published", "hidden"),
                       help="when Gradescope shows students the hidden parts (after_published)")
    build.add_argument("--solutions", type=Path, default=None,
                       help="also execute the solution notebooks into this folder (solutions/)")
    build.set_defaults(run=_build)

    grade = commands.add_parser("grade", help="grade folders of submissions")
    grade.add_argument("paths", nargs="+", type=Path, help="notebooks or folders of them")
    grade.add_argument("--out", type=Path, default=Path("graded"), help="output folder")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="local worker processes (the number of cores)")
    grade.add_argument("--scheduler", help="address of a Dask scheduler to grade on")
    grade.add_argument("--force", action="store_true", help="regrade unchanged submissions")
    _add_limits(grade)
    grade.set_defaults(run=_grade)

    check = commands.add_parser("check", help="grade one notebook and print the feedback")
    check.add_argument("notebook", type=Path)
    _add_limits(check)
    check.set_defaults(run=_check)

    demo = commands.add_parser("demo", help="build, grade the bundled samples, show the results")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
