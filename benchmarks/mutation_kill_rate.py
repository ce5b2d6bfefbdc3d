"""Mutation adequacy of the hidden tests: the kill rate of every stub's mutants.

Every one-site mutant of every stub's reference cell (``mutation/operators.py``:
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
import contextlib
import io
import time
from pathlib import Path

from backprop_lab.building.public_cases import public_cases
from backprop_lab.course import public
from backprop_lab.course.wire import pack, unpack
from backprop_lab.mutation.adequacy import (
    SWEEP,
    Outcome,
    Scorer,
    all_mutations,
    equivalents_text,
    notebook,
    select,
    table,
)

EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.txt")


def fail_in_public(outcomes: list[Outcome]) -> dict[tuple[str, str], int]:
    """(stub, status) -> how many mutants ``grader.check`` fails before submission (the
    public cases as ``build`` ships them, read from memory instead of the file)."""
    shipped = unpack(pack(public_cases()))
    public.load_cases = lambda path=None: shipped  # this process only: no file to write
    failed: dict[tuple[str, str], int] = {}
    for o in outcomes:
        stub = o.mutation.stub
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                public.check(stub, notebook({stub: o.mutation.source}))
        except AssertionError:
            failed[(stub, o.status)] = failed.get((stub, o.status), 0) + 1
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stubs", nargs="*", help="only these stubs (default: every question)")
    parser.add_argument("--limit", type=int, help="at most this many mutants per stub")
    parser.add_argument("--sweep", type=int, default=SWEEP, help="inputs per survivor")
    parser.add_argument("--no-write", action="store_true", help=f"leave {EQUIVALENTS.name}")
    parser.add_argument("--public", action="store_true",
                        help="also count the mutants the public checks fail")
    options = parser.parse_args()

    start = time.perf_counter()
    scorer = Scorer()
    found = all_mutations(options.stubs)
    outcomes = [scorer.judge_mutant(m, options.sweep)
                for ms in found.values() for m in select(ms, options.limit)]
    seconds = time.perf_counter() - start

    print(table(outcomes, {stub: len(ms) for stub, ms in found.items()}))
    if options.public:
        failed = fail_in_public(outcomes)
        print("\nThe public checks (grader.check) fail, before submission:")
        for stub in found:
            count = {status: sum(o.status == status for o in outcomes
                                 if o.mutation.stub == stub)
                     for status in ("killed", "survived", "equivalent")}
            print(f"- {stub}: " + ", ".join(f"{failed.get((stub, status), 0)} of {n} {status}"
                                            for status, n in count.items() if n))
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
