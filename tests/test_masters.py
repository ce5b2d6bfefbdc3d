"""Issue 18: a master is checked against the question declarations before Otter runs, the
points table students see is written from the test configs, and the docs' tables from the
registry (golden: the committed ones are what the generators write)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backprop_lab.building.masters import (
    MasterError,
    check_master,
    points_table,
    read_master,
    with_points_table,
)
from backprop_lab.questions import tables
from backprop_lab.questions.registry import QuestionError, question

ROOT = Path(__file__).resolve().parents[1]
A1 = ROOT / "assignments" / "a1_forward.ipynb"
MASTERS = sorted((ROOT / "assignments").glob("*.ipynb"))

pytestmark = pytest.mark.task("a question is one unit")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """a1's master with the first cell source containing ``old`` changed to ``new``."""
    nb = json.loads(A1.read_text())
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if old in text:
            cell["source"] = text.replace(old, new)
            break
    else:
        raise AssertionError(f"{old!r} not in a1")
    path = tmp_path / A1.name
    path.write_text(json.dumps(nb))
    return path


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_master_matches_its_declarations(master):
    found = read_master(master)
    assert check_master(master) == found
    graded = [q for q in found if q.parts]
    assert graded and all(q.signature == question(q.name).parameters for q in graded)


@pytest.mark.parametrize("old, new, words", [
    ("name: sigmoid_prime", "name: sigmoid_second", "no question named 'sigmoid_second'"),
    ('hidden("sigmoid", "inputs_unchanged", env)', 'hidden("sigmoid", "speed", env)',
     "no hidden part 'speed'"),
    ('hidden("sigmoid", "inputs_unchanged", env)',
     'hidden("sigmoid", "finite_differences", env)', "carry no finite-differences oracle"),
    ("def feedforward(X, weights, biases):", "def feedforward(X, W, B):",
     "takes (X, W, B) but the declared reference takes (X, weights, biases)"),
    ('check("sigmoid", env)', 'check("sigmod", env)', "grader.check('sigmod') has no public"),
])
def test_a_master_that_does_not_match_is_refused_with_what_to_do(tmp_path, old, new, words):
    with pytest.raises(MasterError, match="a1_forward.ipynb, question") as error:
        check_master(edited(tmp_path, old, new))
    assert words in str(error.value)


def test_an_undeclared_question_names_the_place_to_declare_it():
    with pytest.raises(QuestionError, match="src/backprop_lab/questions/"):
        question("tanh_prime")


def test_changing_points_changes_the_table(tmp_path):
    before = points_table(read_master(A1))
    assert "| `sigmoid` | 2 | – | 1 | 3 |" in before and "**13**" in before
    path = edited(tmp_path, "hidden: true\npoints: 2", "hidden: true\npoints: 5")  # sigmoid's
    after = points_table(read_master(path))
    assert "| `sigmoid` | 5 | – | 1 | 6 |" in after and "**16**" in after


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_the_committed_points_tables_are_the_derived_ones(master):
    nb = json.loads(master.read_text())
    assert with_points_table(json.loads(master.read_text()), read_master(master)) == nb


def test_the_docs_tables_are_the_registrys():
    text = (ROOT / "docs" / "contract.md").read_text()
    assert "<!-- BEGIN BUILDS_ON -->" in text and "<!-- BEGIN MISTAKES_BY_STUB -->" in text
    assert tables.rewrite(text) == text, "run python -m backprop_lab.questions.tables " \
                                         "docs/contract.md"
    # control: a stale table is rewritten
    stale = text.replace("| `sigmoid_prime`, `feedforward`", "| `feedforward`", 1)
    assert tables.rewrite(stale) == text


def test_the_readmes_points_table_is_the_masters():
    """README, "The course": its points per question and totals are the test configs'."""
    import re

    text = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `(a\d_\w+)`[^|]*\| ([^|]+) \| ([^|]+) \|$", text, re.M)
    assert {a for a, _, _ in rows} == {m.stem for m in MASTERS}
    for assignment, listed, total in rows:
        found = read_master(ROOT / "assignments" / f"{assignment}.ipynb")
        want = {q.name: q.total for q in found if q.total}
        got = {m[1]: float(m[2]) for m in re.finditer(r"(\w+) (\d+)", listed)}
        assert got == want, assignment
        auto = sum(q.total for q in found if not q.manual)
        manual = sum(q.total for q in found if q.manual)
        assert total == (f"{auto:g} + {manual:g}" if manual else f"{auto:g}"), assignment
