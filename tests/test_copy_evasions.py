"""Copy detection a copier cannot dodge in a minute (issue 20, §6).

A class of twelve independent a2 solutions (tests/independent_class.py), written as
notebooks and read back as ``grade`` reads them, and one copy of student 0 disguised as
the issue's review did it. Each attack is paired with its control: the attack works on
the raw text (what the old check fingerprinted), and the normal form undoes it.
"""

from __future__ import annotations

import io
import re

import nbformat
import numpy as np
import pytest
from independent_class import ROOT, notebook, solution

from backprop_lab.reporting import fingerprints, similarity
from backprop_lab.reporting.fingerprints import fingerprint
from backprop_lab.reporting.normalise import notebook_parts
from backprop_lab.reporting.similarity import (
    code_cells,
    kept_code,
    similar_pairs,
    submission_code,
)
from backprop_lab.samples import read, write

CLASS = 12
TEMPLATE = code_cells(read(ROOT / "samples" / "a2_backprop-unfinished.ipynb"))
BIG = ["backprop_loops", "backprop_vectorized", "backprop_batch"]


def semicolons(source: str) -> str:
    """A trailing ``;`` on every simple statement."""
    lines = source.split("\n")
    simple = [i for i, line in enumerate(lines)
              if line.strip() and not line.rstrip().endswith(":") and not
              line.lstrip().startswith(("#", "def ", "@"))]
    for i in simple:
        lines[i] += ";"
    return "\n".join(lines)


def brackets(source: str) -> str:
    """Brackets around the right-hand side of every assignment."""
    return re.sub(r"^(\s*[\w\[\], .]+ (?:[-+*/]?=) )(.+)$", r"\1(\2)", source, flags=re.M)


def the_class(tmp_path, copies: dict[str, dict[str, str]], version: int = 4) -> dict:
    """Code of the class plus ``copies``, each written as a notebook file and read back."""
    codes = {}
    students = {f"s{i:02d}": solution(i) for i in range(CLASS)}
    for name, sources in {**students, **copies}.items():
        nb = notebook(sources)
        path = write(nb, tmp_path / f"{name}.ipynb")
        if name in copies and version == 3:
            v4 = nbformat.reads(path.read_text(), as_version=4)
            path.write_text(nbformat.writes(nbformat.convert(v4, 3)))
        codes[path.name] = submission_code(path)
    return codes


def listed(codes) -> set[frozenset]:
    return {frozenset((p.a, p.b)) for p in similar_pairs("a2_backprop", codes, TEMPLATE)}


def raw_alike(a: list[str], b: list[str]) -> float:
    """What the old check measured: fingerprints of the raw text without the handed-out
    code's, the larger of the two shares."""
    from copydetect import CodeFingerprint

    boiler = np.array(sorted(CodeFingerprint("t.py", fingerprints.NOISE, 1, fp=io.StringIO(
        "\n\n".join(TEMPLATE)), language="python").hashes), dtype=np.int64)
    fa, fb = (fingerprint("\n\n".join(x), boiler) for x in (a, b))
    return len(fa & fb) / min(len(fa), len(fb))


@pytest.mark.parametrize("disguise", [semicolons, brackets])
def test_punctuation_and_brackets_do_not_hide_a_copy(disguise, tmp_path):
    copy = {stub: disguise(src) for stub, src in solution(0).items()}
    assert copy != solution(0)
    codes = the_class(tmp_path, {"copy": copy})
    # Control: on the raw text the disguise works (the old check's measure drops).
    assert raw_alike(codes["copy.ipynb"], codes["s00.ipynb"]) < similarity.DEFAULT_THRESHOLD
    # The normal form is the same program printed the same way.
    ours, theirs = notebook_parts(codes["copy.ipynb"]), notebook_parts(codes["s00.ipynb"])
    assert all(ours[s].normal == theirs[s].normal for s in BIG)
    assert listed(codes) == {frozenset(("copy.ipynb", "s00.ipynb"))}


def test_half_the_stubs_from_each_of_two_classmates_is_found_stub_by_stub(tmp_path):
    """One source by its stub, the other by the rest of the notebook beside the first."""
    a, b = solution(0), solution(1)
    copy = {**b, **{s: a[s] for s in ("backprop_loops", "bp1_output_error",
                                      "bp2_hidden_error")}}
    codes = the_class(tmp_path, {"copy": copy})
    pairs = similar_pairs("a2_backprop", codes, TEMPLATE)
    found = {frozenset((p.a, p.b)): p for p in pairs}
    assert set(found) == {frozenset(("copy.ipynb", "s00.ipynb")),
                          frozenset(("copy.ipynb", "s01.ipynb"))}, pairs
    # Control: neither source alone is alike enough as a whole notebook.
    for pair in found.values():
        assert pair.score < similarity.DEFAULT_THRESHOLD
        assert pair.reason.startswith(("stub ", "the rest, beside "))
    # ... and with the stub rule off, nothing is listed.
    off = similar_pairs("a2_backprop", codes, TEMPLATE, stub_threshold=2.0)
    assert off == []


def test_a_huge_first_cell_does_not_push_the_code_out(tmp_path):
    copy = dict(solution(0))
    codes = the_class(tmp_path, {"copy": copy})
    huge = "x = 1\n" + "#" * 200_001
    padded = [huge, *codes["copy.ipynb"]]
    # Control: the old rule kept the first cells up to the limit, so nothing at all.
    old, total = [], 0
    for cell in padded:
        if total + len(cell) > similarity.CODE_LIMIT:
            break
        old.append(cell)
        total += len(cell)
    assert old == []
    kept = kept_code(padded)
    assert sum(map(len, kept)) <= similarity.CODE_LIMIT
    assert kept[1:] == codes["copy.ipynb"]  # every other cell whole, the huge one cut
    codes["copy.ipynb"] = kept
    assert listed(codes) == {frozenset(("copy.ipynb", "s00.ipynb"))}


def test_a_copy_saved_in_nbformat_3_is_read_and_found(tmp_path):
    codes = the_class(tmp_path, {"copy": solution(0)}, version=3)
    data = (tmp_path / "copy.ipynb").read_text()
    assert '"nbformat": 3' in data and '"worksheets"' in data
    # Control: a reader of v4's JSON layout finds no cells in it.
    assert code_cells(__import__("json").loads(data)) == []
    assert codes["copy.ipynb"] == codes["s00.ipynb"]
    assert listed(codes) == {frozenset(("copy.ipynb", "s00.ipynb"))}


def test_a_class_of_copies_each_with_one_stub_changed_lists_every_pair(monkeypatch):
    """The issue's class that listed no pair: all copies of one notebook, each with one
    stub rewritten, the largest (backprop_loops) included."""
    base = solution(0)
    stubs = ["bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient",
             "bp4_weight_gradient", "backprop_vectorized", "backprop_batch", "backprop_loops"]
    codes = {f"c{i:02d}.ipynb": kept_code(code_cells(notebook(
        {**base, stubs[i % 7]: solution(100 + i)[stubs[i % 7]]}))) for i in range(14)}
    pairs = similar_pairs("a2_backprop", codes, TEMPLATE)
    assert len(pairs) == len(codes) * (len(codes) - 1) // 2
    assert similarity.rings(pairs) == [sorted(codes)]
    # Control: linking by raw overlap alone, the copies that rewrote backprop_loops fall
    # in groups of their own, the code they all share looks common, and they are lost.
    monkeypatch.setattr(fingerprints, "PART_AGREE", 99)
    lost = similar_pairs("a2_backprop", codes, TEMPLATE)
    assert len(lost) < len(pairs)
    assert {"c06.ipynb", "c13.ipynb"} - {n for p in lost for n in (p.a, p.b)}
