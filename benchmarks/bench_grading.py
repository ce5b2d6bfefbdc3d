"""grade (2 workers) against sequential `otter run` on the same 24 submissions.

The submissions are the bundled samples/ (every notebook that is a real submission),
repeated to 24 files. Both paths use the autograder zips built here, in the same run.
Target (issue: grading): grade with 2 workers at least 5x faster than otter run.

Run: .venv/bin/python benchmarks/bench_grading.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backprop_lab.building.assign import build
from backprop_lab.building.autograder import find_autograders
from backprop_lab.grade import grade
from backprop_lab.running.submission import read_notebook, route

ROOT = Path(__file__).resolve().parents[1]
COUNT = 24


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    dist = work / "dist"
    t0 = time.perf_counter()
    build(dist, ROOT / "assignments", run_tests=False)
    print(f"built the autograders in {time.perf_counter() - t0:.1f} s")
    autograders = find_autograders(dist)

    samples = [p for p in sorted((ROOT / "samples").glob("*.ipynb"))
               if p.name != "broken-file.ipynb"]
    subs = work / "submissions"
    subs.mkdir()
    for i in range(COUNT):
        source = samples[i % len(samples)]
        shutil.copy(source, subs / f"{i:02d}-{source.name}")
    files = sorted(subs.glob("*.ipynb"))

    t0 = time.perf_counter()
    summary = grade([subs], work / "graded", autograder_dir=dist, workers=2, progress=False)
    ours = time.perf_counter() - t0
    assert summary.graded == COUNT

    t0 = time.perf_counter()
    for i, path in enumerate(files):
        name = route(read_notebook(path), autograders, None).name
        out = work / "otter" / str(i)
        out.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "otter", "run", "-a",
                        str(dist / name / f"{name}-autograder.zip"), "-o", str(out), str(path)],
                       check=True, capture_output=True)
    theirs = time.perf_counter() - t0

    one = next(p for p in files if "full-marks" in p.name)
    t0 = time.perf_counter()
    grade([one], work / "one", autograder_dir=dist, workers=1, progress=False)
    single = time.perf_counter() - t0

    ratio = theirs / ours
    print(f"{COUNT} submissions: grade --workers 2 {ours:6.1f} s "
          f"({60 * COUNT / ours:5.1f} per minute)")
    print(f"{COUNT} submissions: sequential otter run {theirs:6.1f} s "
          f"({60 * COUNT / theirs:5.1f} per minute)")
    print(f"ratio (otter run / grade): {ratio:.1f}x   target >= 5x: "
          f"{'PASS' if ratio >= 5 else 'FAIL'}")
    print(f"one solution notebook ({one.name}) through grade, start to gradebook: "
          f"{single:.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
