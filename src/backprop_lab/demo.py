"""``backprop-lab demo``: build the assignments, grade the bundled samples, show the result."""

from __future__ import annotations

import time
from pathlib import Path

from .assign import PACKAGE, build


def find_samples() -> Path:
    for candidate in (Path.cwd() / "samples", PACKAGE.parents[1] / "samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no samples/ folder here or beside the package")


def demo(out: Path) -> int:
    from .grade import grade
    from .grading.report import print_results

    started = time.monotonic()
    dist = out / "dist"
    print(f"1/2 Building the assignments with Otter Assign into {dist}/ ...", flush=True)
    built = build(dist, run_tests=False)
    for b in built:
        print(f"    {b.name}: {b.student} and {b.autograder_zip.name}")
    samples = find_samples()
    print(f"2/2 Grading the sample submissions in {samples}/ ...", flush=True)
    summary = grade([samples], out / "graded", autograder_dir=dist, force=True)
    print_results(summary, out / "graded")
    print(f"\nDemo done in {time.monotonic() - started:.0f} s. Try: "
          f"backprop-lab check {samples}/<file>.ipynb --autograders {dist}")
    print(f"The class report: {(out / 'graded' / 'report.html').resolve()}")
    return 0
