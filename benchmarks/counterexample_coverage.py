"""How many of the mutation tool's mutants that lose their `reference` part with no
mistake named get a counterexample, how small it is, and whether it reproduces.

Every one-site mutant of every stub (``backprop_lab.mutation``) is run in-process on the
hidden cases of the development key, as ``tests/test_counterexample.py`` runs a few of
them; for each one the judge fails without naming a mistake, the counterexample's code
is run in a fresh namespace with the mutant and with the reference: it must print the
mutant's value and the reference's expected one (or, when the mutant raises, raise with
the mutant and run with the reference). Reports; always exits 0.

    .venv/bin/python benchmarks/counterexample_coverage.py      # about two minutes
"""

from __future__ import annotations

import collections
import contextlib
import io
import re
import time
import warnings

import numpy as np

from backprop_lab.judging import counterexample as cx
from backprop_lab.judging.judge import REFERENCES, judge
from backprop_lab.mutation.adequacy import CALL_LIMIT, all_mutations, notebook
from backprop_lab.questions.cases import draw_cases
from backprop_lab.running.harness import run


def executed(code: str, fn) -> dict:
    space = {"np": np, fn.__name__: fn}
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        exec(code, space)
    return space


def reproduces(stub: str, message: str, fn) -> bool:
    code = message.split("\n", 1)[1]
    theirs = executed(code, REFERENCES[stub])
    if "yours raises" in code.splitlines()[-1]:
        try:
            executed(code, fn)
        except Exception:
            return True
        return False
    label = re.search(r"print\((.+?)\)  # expected", code).group(1)
    expected, yours = cx._apart(eval(label, theirs), eval(label, executed(code, fn)))
    return code.endswith(f"# expected {expected}; yours: {yours}") and expected != yours


def main() -> None:
    warnings.simplefilter("ignore")
    counts, started, missing = collections.Counter(), time.monotonic(), []
    for stub, found in all_mutations().items():
        cases = draw_cases(stub, "reference")
        for mutation in found:
            env = notebook({stub: mutation.source})
            raws = run(env, stub, [c.args for c in cases], REFERENCES, seconds=CALL_LIMIT)
            verdict = judge(stub, "reference", cases, raws)
            if verdict.passed or verdict.diagnoses:
                counts["passed" if verdict.passed else "named"] += 1
                continue
            counts["unnamed"] += 1
            failing = cx.failing(stub, cases, raws)
            message = failing and cx.find(stub, *failing, cx.in_process(env))
            if not message:
                missing.append(f"no counterexample: {mutation.describe()}")
                continue
            counts["with a counterexample"] += 1
            if reproduces(stub, message, env[stub]):
                counts["reproduced"] += 1
            else:
                missing.append(f"{mutation.describe()} (not reproduced)\n{message}")
            code = message.split("\n", 1)[1]
            counts["most lines"] = max(counts["most lines"], len(code.splitlines()))
            space = executed(code, REFERENCES[stub])
            weights = space.get("weights", space.get("Ws", space.get("weights_aug")))
            if isinstance(weights, list):
                counts["networks"] += 1
                counts["networks of at most 2 layers"] += len(weights) <= 2
    print(f"mutants: {dict(counts)} ({time.monotonic() - started:.0f} s)")
    for line in missing:
        print(" ", line)


if __name__ == "__main__":
    main()
