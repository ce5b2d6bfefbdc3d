"""Similar submissions (issue 13): a planted copy is found, honest styles are not.

In-process and without kernels: the code a submission's record keeps is what
``similarity.submission_code`` reads from the notebook file, so these tests write real
notebooks (the handed-out ones in samples/, filled) and read them back.
"""

import re

import pytest
from conftest import ROOT
from test_mutants import STYLES

from backprop_lab.reporting.similarity import (
    DEFAULT_THRESHOLD,
    code_cells,
    parts_of,
    similar_pairs,
    submission_code,
)
from backprop_lab.samples import filled, read, stub_cells, write

ASSIGNMENTS = ["a1_forward", "a2_backprop", "a3_training", "a4_conventions"]
RENAMES = {"a3_training": {"mini_batches": "chunks", "mini_batch": "chunk", "nabla_w": "gw",
                           "nabla_b": "gb", "grad": "g", "plus": "up", "minus": "down",
                           "start": "pos", "new": "out", "top": "num", "bottom": "den",
                           "dnw": "d_w", "dnb": "d_b", "update_mini_batch": "do_step"},
           "a1_forward": {"zs": "z_list", "activations": "a_list", "one_layer": "layer",
                          "chain_forward": "forward_chain", "delta": "err", "a_in": "prev",
                          "dw": "grad_w", "db": "grad_b"}}
ORIGINAL = {"a3_training": "nielsen", "a1_forward": "helpers-and-arrays"}


def template(assignment):
    return read(ROOT / "samples" / f"{assignment}-unfinished.ipynb")


def disguise(source: str, renames: dict[str, str]) -> str:
    """Rename identifiers and put every helper (a later def in the cell) first."""
    for old, new in renames.items():
        source = re.sub(rf"\b{old}\b", new, source)
    defs = re.split(r"\n(?=def )", source.strip())
    return "\n\n\n".join([*defs[1:], defs[0]]) + "\n"


def class_of(assignment, tmp_path, copy=False):
    """Honest submissions (the reference and two other styles), plus a disguised copy."""
    nb = template(assignment)
    sources = {"reference": {}}
    stubs = stub_cells(nb)
    for (a, style), src in STYLES.items():
        if a == assignment:  # a stub the style leaves out stays unfinished, not the reference
            sources[style] = {stub: src.get(stub, f"def {stub}(*args):\n    ...\n")
                              for stub in stubs}
    if copy:
        original = sources[ORIGINAL[assignment]]
        sources["copy"] = {stub: disguise(src, RENAMES[assignment])
                           for stub, src in original.items()}
    codes = {}
    for name, src in sources.items():
        path = write(filled(nb, src), tmp_path / assignment / f"{name}.ipynb")
        codes[path.name] = submission_code(path)
    return codes


@pytest.mark.task("similarity")
@pytest.mark.parametrize("assignment", ["a3_training", "a1_forward"])
def test_a_copy_with_renamed_variables_and_reordered_helpers_is_found(assignment, tmp_path):
    codes = class_of(assignment, tmp_path, copy=True)
    assert "do_step" in "".join(codes.get("copy.ipynb", [])) or assignment != "a3_training"
    pairs = similar_pairs(assignment, codes, code_cells(template(assignment)))
    found = [{p.a, p.b} for p in pairs]
    assert found == [{"copy.ipynb", f"{ORIGINAL[assignment]}.ipynb"}], pairs
    pair = pairs[0]
    assert pair.score >= DEFAULT_THRESHOLD
    copied = [name for name, score, left, right in pair.parts if score >= 0.5]
    assert copied, pair.parts  # the matching stubs are there to be shown side by side


@pytest.mark.task("similarity")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_independent_correct_solutions_in_different_styles_are_not_flagged(
        assignment, tmp_path):
    codes = class_of(assignment, tmp_path)
    assert len(codes) >= 3
    pairs = similar_pairs(assignment, codes, code_cells(template(assignment)))
    assert pairs == []


@pytest.mark.task("similarity")
def test_the_handed_out_code_alone_is_no_evidence(tmp_path):
    """Unfinished notebooks share all their code with each other: nothing is listed."""
    nb = template("a2_backprop")
    codes = {f"s{i}.ipynb": submission_code(write(nb, tmp_path / f"s{i}.ipynb"))
             for i in range(4)}
    assert similar_pairs("a2_backprop", codes, code_cells(nb), threshold=0.01) == []


@pytest.mark.task("similarity")
def test_a_stub_is_one_part_with_the_helpers_it_calls_and_the_rest_is_other_cells():
    parts = parts_of(["# mine\n\ndef bp1_output_error(a, z, y):\n    return helper(a)\n",
                      "import numpy as np\n", "def helper(a):\n    return a\n",
                      "def unused():\n    pass\n"])
    assert set(parts) == {"bp1_output_error", "other cells"}
    assert "def helper" in parts["bp1_output_error"]
    assert "def unused" in parts["other cells"] and "import numpy" in parts["other cells"]
