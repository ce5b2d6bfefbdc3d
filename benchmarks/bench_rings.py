"""Copy rings planted in classes of independent solutions: the README's table.

Classes of N independent a2 solutions (tests/independent_class.py), a ring planted in
each: student 0 and r - 1 copies of their notebook, every local name renamed, comments
changed. For each (N, r): ring pairs listed, other pairs listed, the lowest ring score,
and the highest score of an independent pair (whole notebook; substantial stub). Then
classes of 100 with no ring for more seeds: every pair listed there is a false one.

Run: .venv/bin/python benchmarks/bench_rings.py [SEEDS]
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from independent_class import notebook, ring_copy, solution  # noqa: E402

from backprop_lab.reporting.similarity import (  # noqa: E402
    code_cells,
    kept_code,
    rings,
    similar_pairs,
)
from backprop_lab.samples import read  # noqa: E402

TEMPLATE = code_cells(read(ROOT / "samples" / "a2_backprop-unfinished.ipynb"))


def code(sources: dict[str, str]) -> list[str]:
    return kept_code(code_cells(notebook(sources)))


def main() -> int:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    print("| class | ring | ring pairs listed | other pairs listed | lowest ring score | rings "
          "| seconds |")
    print("|---|---|---|---|---|---|---|")
    for n in (10, 30, 100):
        base = {f"s{i:03d}": code(solution(i)) for i in range(n)}
        for r in (3, 5, 8):
            codes = dict(base)
            members = ["s000"] + [f"ring{j}" for j in range(1, r)]
            for j in range(1, r):
                codes[f"ring{j}"] = code(ring_copy(solution(0), j))
            started = time.monotonic()
            pairs = similar_pairs("a2_backprop", codes, TEMPLATE)
            seconds = time.monotonic() - started
            want = {frozenset(p) for p in itertools.combinations(members, 2)}
            got = {frozenset((p.a, p.b)): p for p in pairs}
            low = min((p.score for k, p in got.items() if k in want), default=0.0)
            print(f"| {n} | {r} | {len(want & set(got))}/{len(want)} | {len(set(got) - want)} "
                  f"| {low:.2f} | {[len(x) for x in rings(pairs)]} | {seconds:.1f} |")
    print(f"\nclasses of 100 independent solutions, no ring, {seeds} seeds:")
    for seed in range(seeds):
        codes = {f"s{i:03d}": code(solution(10_000 * (seed + 1) + i)) for i in range(100)}
        pairs = similar_pairs("a2_backprop", codes, TEMPLATE)
        print(f"seed {seed}: {len(pairs)} of 4950 pairs listed "
              f"{[(p.a, p.b, p.reason, round(p.score, 2)) for p in pairs]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
