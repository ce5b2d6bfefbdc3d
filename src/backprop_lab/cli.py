"""The ``backprop-lab`` command line: build, grade, report, check, demo.

Exit status, for every command: 0 when it did its job (``grade``: the batch ran,
whatever the submissions scored); 1 when it could not (nothing to build or grade with, a
path that does not exist, a notebook ``check`` could not grade); 2 when the command line
itself is wrong (argparse's usage error). docs/contract.md, section 4, is the full story.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .building.autograder import AutograderError
from .classroom.options import add_options as add_class_options
from .gradescope import LIMITS as GRADESCOPE
from .help_text import BUILD, CHECK, DEMO, DESCRIPTION, EXIT_STATUS, GRADE, REPORT
from .machine import MachineProblem, describe_os_error, require_otter
from .running.dask_cli import add_certs_command, add_grade_options, prepare_grade
from .running.dask_security import DaskSetupError
from .running.kernel import GIB, Limits


def _size(text: str) -> int:
    """'2G', '512M' or a number of bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": GIB}
    text = text.strip().upper().removesuffix("B")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 2G or 512M)") from None


def _fail(command: str, message: str) -> int:
    """Say why ``command`` could not do its job; exit status 1."""
    print(f"backprop-lab {command}: {message}", file=sys.stderr)
    return 1


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(cell_seconds=args.cell_timeout, total_seconds=args.timeout,
                  call_seconds=args.call_timeout, memory_bytes=args.memory)


def _build(args: argparse.Namespace) -> int:
    from .building.assign import BuildError, build

    require_otter()
    try:
        secret = args.secret_file.read_text() if args.secret_file else None
        built = build(args.out, args.source, run_tests=not args.no_run_tests,
                      hidden_visibility=args.hidden_visibility,
                      limits=(args.cell_timeout, args.timeout), secret=secret,
                      names=args.assignment)
    except (BuildError, OSError, ValueError) as error:
        return _fail("build", str(error))
    for b in built:
        print(f"{b.name}: student notebook {b.student}, autograder {b.autograder_zip}")
    if args.solutions:
        from .building.assign import execute_solutions
        for path in execute_solutions(built, args.solutions):
            print(f"executed solution notebook: {path}")
    return 0


def _prepare_sandbox() -> str:
    """Choose the wall and make what it needs; say in one line when it is less than
    bubblewrap (what is missing, the command that adds it). Raises MachineProblem."""
    from .running.sandbox import prepare

    mode, line = prepare()
    if line:
        print(line, file=sys.stderr, flush=True)
    return mode


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _grade(args: argparse.Namespace) -> int:
    from .classroom.options import ClassroomError, setup_of
    from .grade import grade
    from .reporting.report import print_results

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return _fail("grade", "no such file or folder: " + ", ".join(missing))
    if args.scheduler and not _has_dask():
        return _fail("grade", "--scheduler needs Dask: pip install 'backprop-lab[dask]' "
                     "(in a clone: pip install -e '.[dask]')")
    if args.scheduler and (why := prepare_grade(args)):  # TLS, or why not
        return _fail("grade", why)
    _prepare_sandbox()
    try:
        summary = grade(args.paths, args.out, autograder_dir=args.autograders,
                        workers=args.workers, limits=_limits(args), scheduler=args.scheduler,
                        force=args.force, assignment=args.assignment,
                        similarity=args.similarity,
                        similarity_threshold=args.similarity_threshold, classroom=setup_of(args))
    except (FileNotFoundError, AutograderError, DaskSetupError, ClassroomError) as error:
        return _fail("grade", str(error))
    print_results(summary, args.out)
    return 0


def _report(args: argparse.Namespace) -> int:
    from .reporting.class_report import write_report

    if not (args.out / "feedback").is_dir():
        return _fail("report", f"no feedback/ folder in {args.out}: "
                     "run `backprop-lab grade` first")
    zips = sorted(args.autograders.glob("**/*-autograder.zip"))
    path = write_report(args.out, zips, similarity=args.similarity,
                        threshold=args.similarity_threshold)
    print(f"Class report (open it in a browser): {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .building.autograder import find_autograders
    from .reporting.report import feedback_markdown
    from .running.submission import grade_file

    try:
        autograders = find_autograders(args.autograders)
    except AutograderError as error:
        return _fail("check", str(error))
    if not autograders:
        return _fail("check", f"no autograder zips under {args.autograders}: "
                     "run `backprop-lab build` first")
    mode = _prepare_sandbox()
    limits = _limits(args)
    limits.private = (str(args.autograders.resolve()),)
    from .running.sandbox import sealed, to_seal

    closed = to_seal([args.autograders], [args.notebook]) if mode == "uid" else []
    with sealed(closed):
        record = grade_file(args.notebook, autograders, limits, args.assignment)
    print(feedback_markdown(record))
    return 0 if record["status"] == "graded" else 1


def _demo(args: argparse.Namespace) -> int:
    from .building.assign import BuildError
    from .demo import demo

    require_otter()
    _prepare_sandbox()  # before the build: a machine that cannot grade says so at once
    try:
        return demo(args.out)
    except (BuildError, FileNotFoundError) as error:
        return _fail("demo", str(error))


def _add_limits(p: argparse.ArgumentParser) -> None:
    p.add_argument("--autograders", type=Path, default=Path("dist"), metavar="DIR",
                   help="folder holding the *-autograder.zip files `build` wrote (dist)")
    p.add_argument("--assignment", metavar="NAME",
                   help="assignment for notebooks that carry no Otter metadata and define "
                        "no stub that tells (a1_forward, ...)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="wall time for everything one submission costs, its cells and every "
                        "call to its stubs; past it the status is `timeout` (600)")
    p.add_argument("--call-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="time for one call of a stub by the grader; after a stub's first "
                        "call runs out, its other calls fail at once (10)")
    p.add_argument("--cell-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="time for one cell; it is interrupted and the next cell runs (60)")
    p.add_argument("--memory", type=_size, default="2G", metavar="SIZE",
                   help="memory cap of a submission's kernel, e.g. 2G or 512M (2G)")


def _command(commands, name: str, summary: str, description: str, ok: str,
             fail: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=summary, description=description,
                               epilog=EXIT_STATUS.format(ok=ok, fail=fail),
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_similarity(p: argparse.ArgumentParser) -> None:
    from .reporting.similarity import DEFAULT_THRESHOLD

    p.add_argument("--similarity", choices=("auto", "on", "off"), default="auto",
                   help="compare every pair of submissions of an assignment in report.html: "
                        "auto skips assignments of more than 1000 submissions (auto)")
    p.add_argument("--similarity-threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"list pairs at least this alike, 0 to 1 ({DEFAULT_THRESHOLD})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-lab", description=DESCRIPTION,
        epilog=EXIT_STATUS.format(ok="the command did its job (see each command's --help)",
                                  fail="it could not (the reason is printed)"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = _command(commands, "build", "student notebooks and autograder zips", BUILD,
                     "every assignment was built",
                     "no assignments/ folder, no autograder/requirements.txt, or Otter\n"
                     "     Assign failed on a master (say, its tests fail on its solutions)")
    build.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                       help="output folder (dist)")
    build.add_argument("--source", type=Path, default=None, metavar="DIR",
                       help="folder of master notebooks (assignments)")
    build.add_argument("--no-run-tests", action="store_true",
                       help="skip running the hidden tests on the solutions (faster, less safe)")
    build.add_argument("--hidden-visibility", default="after_published",
                       choices=("visible", "after_due_date", "after_published", "hidden"),
                       help="when Gradescope shows students the hidden parts (after_published)")
    build.add_argument("--cell-timeout", type=float, default=GRADESCOPE.cell_seconds, metavar="S",
                       help=f"on Gradescope, seconds for one cell ({GRADESCOPE.cell_seconds:g})")
    build.add_argument("--timeout", type=float, default=GRADESCOPE.total_seconds, metavar="S",
                       help=f"on Gradescope, seconds for a whole submission "
                            f"({GRADESCOPE.total_seconds:g}; keep it below the assignment's "
                            "autograder timeout)")
    build.add_argument("--secret-file", type=Path, default=None, metavar="FILE",
                       help="the secret of the hidden cases (default: a new random one, kept "
                            "only in the zips; set it to rebuild the same bytes)")
    build.add_argument("--assignment", action="append", metavar="NAME",
                       help="build only this master (repeatable; default: every one)")
    build.add_argument("--solutions", type=Path, default=None, metavar="DIR",
                       help="also execute the solution notebooks into DIR (e.g. solutions)")
    build.set_defaults(run=_build)

    grade = _command(commands, "grade", "grade folders of submissions", GRADE,
                     "the batch ran, whatever the submissions scored or did",
                     "no autograder zips, a path that does not exist, or\n"
                     "     --scheduler without Dask installed, without TLS, or out of reach")
    grade.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                       help="notebooks, or folders searched for *.ipynb")
    grade.add_argument("--out", type=Path, default=Path("graded"), metavar="DIR",
                       help="output folder (graded)")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="submissions graded at once on this machine (the number of cores)")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on a Dask cluster, e.g. tls://host:8786 (needs the "
                            "[dask] extra)")
    add_grade_options(grade)
    grade.add_argument("--force", action="store_true",
                       help="regrade submissions that are unchanged since the last run")
    add_class_options(grade)  # --roster, --policy, --manual: classroom/options.py
    _add_limits(grade)
    _add_similarity(grade)
    grade.set_defaults(run=_grade)

    report = _command(commands, "report", "rebuild OUT/report.html from OUT/feedback/",
                      REPORT, "the report was written", "OUT has no feedback/ folder")
    report.add_argument("out", type=Path, metavar="OUT",
                        help="the output folder of `grade` (graded)")
    report.add_argument("--autograders", type=Path, default=Path("dist"), metavar="DIR",
                        help="folder of the built assignments, for the handed-out code (dist)")
    _add_similarity(report)
    report.set_defaults(run=_report)

    add_certs_command(commands, _command)
    check = _command(commands, "check", "grade one notebook and print its feedback", CHECK,
                     "the notebook was graded (whatever it scored)",
                     "it could not be graded: no autograder zips, or its status is\n"
                     "     invalid, error or timeout")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK", help="a submitted .ipynb")
    _add_limits(check)
    check.set_defaults(run=_check)

    demo = _command(commands, "demo", "build, grade the bundled samples, show the results",
                    DEMO, "the demo ran", "the build failed or samples/ is missing")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), metavar="OUT",
                      help="output folder (demo-output)")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A problem with the machine (see :mod:`.machine`) is one line and
    exit status 1; a traceback is only for a bug in this package."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except MachineProblem as problem:
        if os.environ.get("BPLAB_TRACEBACK"):
            raise
        return _fail(args.command, str(problem))
    except OSError as error:  # a full disk, a folder this user may not write, ...
        if os.environ.get("BPLAB_TRACEBACK"):
            raise
        return _fail(args.command, describe_os_error(error))


if __name__ == "__main__":
    sys.exit(main())
