"""Copy rings (issue 20, §7): every planted ring is listed, no independent pair is.

Classes of independent a2 solutions (tests/independent_class.py) with a ring planted:
student 0 and ``r - 1`` copies of their notebook, every local name renamed and the
comments changed. The numbers for more seeds are in the README (benchmarks/bench_rings.py).
"""

from __future__ import annotations

import itertools

import pytest
from independent_class import ROOT, notebook, ring_copy, solution

from backprop_lab.reporting import fingerprints
from backprop_lab.reporting.similarity import code_cells, kept_code, rings, similar_pairs
from backprop_lab.samples import read

TEMPLATE = code_cells(read(ROOT / "samples" / "a2_backprop-unfinished.ipynb"))
SOLUTIONS: dict[int, list[str]] = {}


def code(seed: int) -> list[str]:
    if seed not in SOLUTIONS:
        SOLUTIONS[seed] = kept_code(code_cells(notebook(solution(seed))))
    return SOLUTIONS[seed]


def planted(n: int, r: int) -> tuple[dict[str, list[str]], set[frozenset]]:
    codes = {f"s{i:03d}": code(i) for i in range(n)}
    ring = ["s000"] + [f"ring{j}" for j in range(1, r)]
    for j in range(1, r):
        codes[f"ring{j}"] = kept_code(code_cells(notebook(ring_copy(solution(0), j))))
    return codes, {frozenset(p) for p in itertools.combinations(ring, 2)}


@pytest.mark.parametrize("n,r", [(10, 3), (10, 5), (10, 8), (30, 3), (30, 5), (30, 8),
                                 (100, 8)])
def test_every_ring_is_listed_and_no_independent_pair(n, r):
    codes, ring = planted(n, r)
    pairs = similar_pairs("a2_backprop", codes, TEMPLATE)
    assert {frozenset((p.a, p.b)) for p in pairs} == ring
    assert [len(x) for x in rings(pairs)] == [r]


def test_the_old_common_rule_lets_a_large_ring_remove_itself(monkeypatch):
    """Control: a fingerprint in more than a fifth of the submissions, each counted on
    its own (the rule before), is common: 8 copies among 17 make their own code common."""
    codes, ring = planted(10, 8)
    monkeypatch.setattr(fingerprints, "COMMON_SHARE", 0.2)
    found = {frozenset((p.a, p.b)) for p in similar_pairs("a2_backprop", codes, TEMPLATE,
                                                            link=2.0)}
    assert not ring & found
    monkeypatch.undo()  # the ring counted once: found
    found = {frozenset((p.a, p.b)) for p in similar_pairs("a2_backprop", codes, TEMPLATE)}
    assert ring <= found


def test_the_handed_out_code_is_still_subtracted():
    """Unfinished notebooks share only the handed-out code: nothing is listed, even in a
    class of them (where every submission is one group and nothing is common)."""
    unfinished = code_cells(read(ROOT / "samples" / "a2_backprop-unfinished.ipynb"))
    codes = {f"u{i}": list(unfinished) for i in range(6)}
    assert similar_pairs("a2_backprop", codes, TEMPLATE) == []
    assert similar_pairs("a2_backprop", codes, []) != []  # control: without the template
