"""report.html for a large class: build and render times, and what similarity costs.

Makes N synthetic a2 feedback records (tests/synthetic_class.py: real code of real size,
independent solutions), then times, in one run:
- the normal form and fingerprints of one submission;
- the similarity check of the whole class (every pair, notebook and stubs);
- writing report.html (similarity included) and rendering it in headless Chromium
  (browser start included; network blocked), when chromium is installed.
Bound stated in the README: 500 submissions build in under a minute and render in
under 30 s on 2 cores.

Run: .venv/bin/python benchmarks/bench_report.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from synthetic_class import synthetic_class  # noqa: E402

from backprop_lab.reporting import similarity  # noqa: E402
from backprop_lab.reporting.class_report import write_report  # noqa: E402
from backprop_lab.reporting.class_stats import load_records  # noqa: E402
from backprop_lab.reporting.fingerprints import fingerprint  # noqa: E402
from backprop_lab.reporting.normalise import notebook_parts  # noqa: E402


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(f"load average {os.getloadavg()[0]:.1f}; {n} submissions of a2_backprop")
    out = synthetic_class(Path(tempfile.mkdtemp(prefix="bench-report-")), n)
    codes = {r["submission"]: r["code"] for r in load_records(out)}
    sample = list(codes.values())[:40]
    t0 = time.perf_counter()
    for cells in sample:
        for part in notebook_parts(cells).values():
            fingerprint(part.normal)
    per_fp = (time.perf_counter() - t0) / len(sample)
    print(f"normal form and fingerprints: {per_fp * 1e3:.1f} ms per submission")
    t0 = time.perf_counter()
    found = similarity.similar_pairs("a2_backprop", codes, [])
    whole = time.perf_counter() - t0
    count = n * (n - 1) // 2
    print(f"similarity of the class: {whole:.1f} s for {count} pairs ({len(found)} listed)")
    t0 = time.perf_counter()
    page = write_report(out, [], similarity="on")
    print(f"report.html built in {time.perf_counter() - t0:.1f} s, "
          f"{page.stat().st_size / 1e6:.2f} MB")
    try:
        from browser import timed_dump

        _, seconds = timed_dump(page)
        print(f"rendered in headless Chromium in {seconds:.1f} s (browser start included)")
    except BaseException as error:  # pytest's skip is a BaseException
        print(f"not rendered: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
