"""Mutation adequacy of the hidden tests: the kill rate of every stub's mutants.

Every one-site mutant of every stub's reference cell (``grading/mutation/operators.py``:
arithmetic and comparison swaps, constants, off-by-one subscripts and ranges, ``.T``,
``axis``/``keepdims``, reductions, operands, argument order) is planted in a notebook-like
namespace and scored in-process on every hidden part of its assignment, exactly as
grading scores it. Killed: it loses points in its own question. Equivalent: it survives
and agrees with the reference on a seeded sweep of inputs. Survivor: neither, a gap in
the hidden cases. Prints the table, every survivor (with an input that tells it apart),
every mutant that costs points in another question or makes the judge raise, and every
equivalent mutant; writes the equivalents to ``mutation_equivalents.txt`` beside this
script (``tests/test_mutation_adequacy.py`` checks that file).

Run: .venv/bin/python benchmarks/mutation_kill_rate.py [--stubs sigmoid ...] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from backprop_lab.grading.mutation.adequacy import (
    SWEEP,
    Scorer,
    all_mutations,
    equivalents_text,
    select,
    table,
)

EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.txt")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stubs", nargs="*", help="only these stubs (default: all 19)")
    parser.add_argument("--limit", type=int, help="at most this many mutants per stub")
    parser.add_argument("--sweep", type=int, default=SWEEP, help="inputs per survivor")
    parser.add_argument("--no-write", action="store_true", help=f"leave {EQUIVALENTS.name}")
    options = parser.parse_args()

    start = time.perf_counter()
    scorer = Scorer()
    found = all_mutations(options.stubs)
    outcomes = [scorer.judge_mutant(m, options.sweep)
                for ms in found.values() for m in select(ms, options.limit)]
    seconds = time.perf_counter() - start

    print(table(outcomes, {stub: len(ms) for stub, ms in found.items()}))
    judged = len(outcomes)
    equivalent = [o for o in outcomes if o.status == "equivalent"]
    survivors = [o for o in outcomes if o.status == "survived"]
    live = judged - len(equivalent)
    killed = sum(o.killed for o in outcomes)
    print(f"\n{sum(map(len, found.values()))} mutants generated, {judged} judged, "
          f"{len(equivalent)} equivalent, {killed} killed of {live} "
          f"({100 * killed / max(live, 1):.1f}%), {len(survivors)} survivors, "
          f"in {seconds:.0f} s")
    sections = [
        ("Survivors (need hidden cases that tell them apart)", survivors,
         lambda o: o.difference),
        ("Lose points in another question", [o for o in outcomes if o.elsewhere],
         lambda o: ", ".join(f"{q} -{p:g}" for q, p in o.elsewhere.items())),
        ("The judge raised", [o for o in outcomes if o.crashed],
         lambda o: "; ".join(o.crashed)),
        ("Equivalent (agree with the reference on the whole sweep)", equivalent,
         lambda o: ""),
    ]
    for title, rows, detail in sections:
        print(f"\n## {title}: {len(rows)}")
        for o in rows:
            extra = detail(o)
            print(f"- {o.mutation.describe()}" + (f"\n    {extra}" if extra else ""))
    if not options.no_write and not options.stubs and options.limit is None:
        EQUIVALENTS.write_text(equivalents_text(outcomes))
        print(f"\nwrote {EQUIVALENTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
