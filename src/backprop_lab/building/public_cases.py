"""Write the public cases file that ships beside the student notebooks.

Small cases drawn like the hidden ones but from their own seeds, chosen so that every
mistake of the catalog (:mod:`.mutants`) shows on at least one of them, and so that
BP1-BP4 are checked on one example and on a batch. For each case: the arguments, the
expected result (finite differences where the stub computes a gradient, else the
reference engine's answer), a description, the batch length, and, as numbers only:

- ``mistakes``: what each catalog mutant returns there, with its code and message, so
  the public checks name the mistakes the hidden tests name;
- ``calls`` and ``elementwise``: the reference answers of the other stubs for the calls
  the reference makes on that case (the elementwise stubs, sigma and sigma', as a table
  of values), so ``grader.check`` grades the stub in front of the student, not a helper.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from ..course.compare import inf_norm_close, same_tree
from ..course.public import CONTRACTS, LOOPS
from ..course.smooth import SmoothFunction
from ..course.values import as_tree
from ..course.wire import pack
from ..judging.judge import expected_value
from ..judging.mutants import MUTANTS, _result
from ..questions.cases import Case, rng_for
from ..questions.registry import names, question, questions

PUBLIC_CASES = 3
MOST_CASES = 5
POOL = 10


def public_cases(stubs: tuple[str, ...] | None = None) -> dict:
    """Each stub's public cases, and under ``CONTRACTS`` each stub's contract (how its
    results are named and compared: :class:`..course.contract.Contract`)."""
    stubs = names() if stubs is None else stubs
    out: dict = {stub: [_entry(stub, case, expected) for case, expected in _choose(stub)]
                 for stub in stubs}
    out[CONTRACTS] = {stub: question(stub).contract.as_dict() for stub in stubs}
    out[LOOPS] = {stub: _pairs(stub) for stub in stubs
                  if "no_loop_over_examples" in question(stub).extra_parts}
    return out


def _pairs(stub: str) -> dict:
    """Two pairs of calls, N small then large on one network, and the building blocks the
    count leaves out (graded on their own, as the hidden part proxies them)."""
    cases = question(stub).extra_parts["no_loop_over_examples"](rng_for(stub, "public"), 4)
    return {"skip": sorted(question(stub).builds_on),
            "pairs": [[storable(a.args), storable(b.args)]
                      for a, b in zip(cases[::2], cases[1::2], strict=True)]}


def _choose(stub: str) -> list[tuple[Case, object]]:
    """The first cases of the pool, plus a batch for BP1-BP4, plus (greedily) cases on
    which the catalog's mutants still unseen give a wrong answer."""
    pool = []
    for case in question(stub).draw(rng_for(stub, "public"), POOL):
        part = "finite_differences" if case.finite_differences else "reference"
        pool.append((case, as_tree(expected_value(stub, case, part))))
    shows = [{i for i, m in enumerate(MUTANTS.get(stub, [])) if _wrong(m.fn, case, expected)}
             for case, expected in pool]
    chosen = [0]
    batches = [i for i, (case, _) in enumerate(pool) if (case.examples or 1) > 1]
    if stub.startswith("bp") and batches:
        chosen.append(batches[0])
    seen = set().union(*(shows[i] for i in chosen))
    while len(chosen) < MOST_CASES:
        best = max(range(len(pool)), key=lambda i: len(shows[i] - seen))
        if not shows[best] - seen:
            break
        chosen.append(best)
        seen |= shows[best]
    chosen += [i for i in range(len(pool)) if i not in chosen][:PUBLIC_CASES - len(chosen)]
    return [pool[i] for i in sorted(chosen)]


def _wrong(fn, case: Case, expected) -> bool:
    value = _result(fn, case.args)
    return value is not None and not same_tree(value, expected, inf_norm_close)


def storable(value):
    """Public case arguments as the wire carries them: a SmoothFunction travels as its
    matrix (public cases hide nothing; hidden ones send no function, see ``shipping``)."""
    if isinstance(value, SmoothFunction):
        return {"smooth_A": value.A}
    if isinstance(value, tuple):
        return tuple(storable(v) for v in value)
    if callable(value):
        raise TypeError(f"cannot ship a {type(value).__name__} to the kernel")
    return value


def _entry(stub: str, case: Case, expected) -> dict:
    mistakes = []
    for m in MUTANTS.get(stub, []):
        value = _result(m.fn, case.args)
        if value is not None and not same_tree(value, expected, inf_norm_close):
            mistakes.append({"code": m.code, "message": m.message, "value": value})
    calls = record_calls(stub, case.args)
    return {"args": storable(case.args), "expected": expected, "context": case.context,
            "batch": case.batch, "mistakes": mistakes,
            "finite_differences": case.finite_differences is not None,
            "calls": [c for c in calls if not question(c["name"]).elementwise],
            "elementwise": _tables(stub, case.args, calls)}


def record_calls(stub: str, args: tuple) -> list[dict]:
    """The calls to other stubs the reference ``stub`` makes on ``args``, with answers."""
    from ..samples import reference_source

    calls: list[dict] = []

    def recorder(name):
        def reference(*a, **k):
            value = question(name).reference(*a, **k)
            try:
                pack([a, k, value])
                calls.append({"name": name, "args": list(a), "kwargs": k,
                              "value": copy.deepcopy(value)})
            except TypeError:  # a function argument: not recordable, not needed
                pass
            return value
        return reference

    for source in (reference_source(stub), *question(stub).recorded_forms):
        namespace = {name: recorder(name) for name in names() if name != stub}
        namespace["np"] = np
        exec(compile(source, f"<reference {stub}>", "exec"), namespace)
        with np.errstate(all="ignore"):
            namespace[stub](*copy.deepcopy(args))
    return calls


def _tables(stub: str, args: tuple, calls: list[dict]) -> dict:
    """The elementwise stubs (sigma, sigma') on every number they were called on or given."""
    points = [np.ravel(np.asarray(c["args"][0], dtype=float)) for c in calls
              if question(c["name"]).elementwise and c["args"]]
    points += [np.ravel(leaf) for leaf in _leaves(as_tree(_numbers(args)))]
    z = np.unique(np.concatenate(points)) if points else np.zeros(0)
    with np.errstate(all="ignore"):
        return {name: [z, q.reference(z)] for name, q in questions().items()
                if q.elementwise and name != stub}


def _numbers(value):
    if isinstance(value, (list, tuple)):
        return [_numbers(v) for v in value]
    return value if isinstance(value, (int, float, np.ndarray)) else None


def _leaves(tree):
    if isinstance(tree, list):
        for item in tree:
            yield from _leaves(item)
    elif isinstance(tree, np.ndarray):
        yield tree


def write_public_cases(path: Path) -> Path:
    path.write_bytes(pack(public_cases()))
    return path
