"""Does --timeout bound what a submission costs? (issue 10)

Two submissions, each graded alone by `grade` with one worker at --timeout 20:

- endless: a full-marks a1 whose `sigmoid` is `while True: pass` (before issue 10 each
  of its hidden cases waited its own 10 s: 132 s in all);
- disk search: a full-marks a2 whose every stub walks the whole disk on every call
  before answering (before: about 20 minutes of one worker).

Prints, for each, the measured wall time / the limit, and the same less the kernel's
start (target: at most 1.0 plus the kernel's start), with the status and reason.

Run: .venv/bin/python benchmarks/bench_limits.py [--timeout 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from backprop_lab.building.assign import build
from backprop_lab.grade import grade
from backprop_lab.running.kernel import Limits
from backprop_lab.running.sandbox import choose_mode
from backprop_lab.samples import filled, read, stub_cells, write

ROOT = Path(__file__).resolve().parents[1]
ENDLESS = "def sigmoid(z):\n    while True:\n        pass\n"
WALK = ("    import os\n"
        "    for _ in os.walk('/'):\n"
        "        pass\n")


def disk_search(nb: dict) -> dict:
    """Every stub of ``nb`` walks the disk, then gives the right answer."""
    full = filled(nb)
    for stub, index in stub_cells(full).items():
        source = "".join(full["cells"][index]["source"])
        head, _, body = source.partition("\n")
        assert head.startswith(f"def {stub}("), head
        full["cells"][index]["source"] = f"{head}\n{WALK}{body}"
    return full


def measure(name: str, nb: dict, dist: Path, work: Path, seconds: float) -> None:
    folder = work / name
    write(nb, folder / f"{name}.ipynb")
    started = time.perf_counter()
    summary = grade([folder], work / f"out-{name}", autograder_dir=dist, workers=1,
                    limits=Limits(total_seconds=seconds), progress=False, force=True)
    wall = time.perf_counter() - started
    (record,) = summary.records
    start = wall - record.get("seconds", wall) + record.get("kernel_seconds", 0.0)
    print(f"{name:12s} {wall:6.1f} s at --timeout {seconds:g}: ratio {wall / seconds:.2f}"
          f" ({(wall - start) / seconds:.2f} without {start:.1f} s of kernel start and set-up);"
          f" status {record['status']}, {record['score']:g}/{record['max_score']:g};"
          f" {record.get('reason') or 'no reason'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--dist", type=Path, help="autograders already built (else built here)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    dist = args.dist or work / "dist"
    if args.dist is None:
        build(dist, ROOT / "assignments", run_tests=False, names=["a1_forward", "a2_backprop"])
    print(f"sandbox: {choose_mode()}")
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    a2 = read(dist / "a2_backprop" / "student" / "a2_backprop.ipynb")
    measure("endless", filled(a1, {"sigmoid": ENDLESS}), dist, work, args.timeout)
    measure("disk-search", disk_search(a2), dist, work, args.timeout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
