"""``backprop-lab demo``: build the assignments, grade the bundled samples, show the result.

The build is kept in ``OUT/dist`` with a stamp of what it was built from (the masters,
``autograder/``, this package, Otter's version): a second demo from the same sources
grades at once, and any change builds again. The last line it prints is a command that
works as printed from the folder the demo ran in.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
import time
from importlib.metadata import version
from pathlib import Path

from .building.assign import PACKAGE, build, find_assignments, find_autograder_source

STAMP = ".built-from"


def find_samples() -> Path:
    for candidate in (Path.cwd() / "samples", PACKAGE.parents[1] / "samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no samples/ folder here or beside the package")


def sources_digest() -> str:
    """What a build depends on: every file of the masters, of ``autograder/`` and of this
    package (caches aside), and Otter's version."""
    digest = hashlib.sha256(f"otter-grader {version('otter-grader')}\n".encode())
    assignments = find_assignments()
    for top in (assignments, find_autograder_source(assignments), PACKAGE):
        for path in sorted(top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(top.parent)}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _build_once(dist: Path) -> list:
    digest = sources_digest()
    stamp = dist / STAMP
    if stamp.is_file() and stamp.read_text().strip() == digest:
        print(f"1/2 The assignments in {_shown(dist)}/ were built from these very sources: "
              "using them.", flush=True)
        return []
    print(f"1/2 Building the assignments with Otter Assign into {_shown(dist)}/ ...",
          flush=True)
    stamp.unlink(missing_ok=True)
    built = build(dist, run_tests=False)
    stamp.write_text(digest + "\n")
    return built


def _shown(path: Path) -> str:
    """``path`` as the user would type it from here: relative when below this folder."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


def command_name() -> str:
    """How to run ``backprop-lab`` again from this folder, exactly: the bare name when
    PATH finds this very program, else its path (say ``.venv/bin/backprop-lab``)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name != "backprop-lab" or not script.exists():
        return f"{shlex.quote(_shown(Path(sys.executable)))} -m backprop_lab"
    on_path = shutil.which("backprop-lab")
    if on_path and os.path.samefile(on_path, script):
        return "backprop-lab"
    return shlex.quote(_shown(script))


def demo(out: Path) -> int:
    from .grade import grade
    from .reporting.report import print_results

    started = time.monotonic()
    dist = out / "dist"
    for b in _build_once(dist):
        print(f"    {b.name}: {b.student} and {b.autograder_zip.name}")
    samples = find_samples()
    print(f"2/2 Grading the sample submissions in {_shown(samples)}/ ...", flush=True)
    summary = grade([samples], out / "graded", autograder_dir=dist, force=True)
    print_results(summary, out / "graded")
    example = samples / "a2_backprop-classic-mistakes.ipynb"
    print(f"\nDemo done in {time.monotonic() - started:.0f} s. Try (from this folder):\n"
          f"  {command_name()} check {shlex.quote(_shown(example))} "
          f"--autograders {shlex.quote(_shown(dist))}")
    print(f"The class report: {(out / 'graded' / 'report.html').resolve()}")
    return 0
