"""The regrade ledger (issue 20, §5): grading the same files again after the autograder
changed lists whose score changed, per question, from what to what; the report shows it.
On feedback records as grade writes them, without kernels."""

from __future__ import annotations

import csv
import json

from backprop_lab.classroom.ledger import snapshot, write_ledger
from backprop_lab.classroom.report_section import ledger_section


def record(score_loops: float, score_bp1: float, autograder="aaaa", sha="1111") -> dict:
    return {"submission": "ada.ipynb", "assignment": "a2_backprop", "status": "graded",
            "score": score_loops + score_bp1, "max_score": 7.0, "autograder": autograder,
            "sha256": sha, "questions": [
                {"name": "backprop_loops", "score": score_loops, "max_score": 4.0},
                {"name": "bp1_output_error", "score": score_bp1, "max_score": 3.0}]}


def graded(tmp_path, old: dict, new: dict) -> list[dict]:
    feedback = tmp_path / "feedback"
    feedback.mkdir(exist_ok=True)
    (feedback / "ada.json").write_text(json.dumps(old))
    before = snapshot(feedback, ["ada", "never-graded"])
    (feedback / "ada.json").write_text(json.dumps(new))  # what grading writes
    return write_ledger(tmp_path, before)


def test_a_regrade_after_the_autograder_changed_lists_every_changed_score(tmp_path):
    rows = graded(tmp_path, record(4.0, 3.0), record(2.0, 3.0, autograder="bbbb"))
    table = list(csv.DictReader((tmp_path / "regrades.csv").open()))
    assert [(r["question"], r["old"], r["new"], r["change"]) for r in table] == [
        ("backprop_loops", "4.0", "2.0", "-2.0"), ("(total)", "7.0", "5.0", "-2.0")]
    assert table[0]["why"] == "the autograder changed (aaaa -> bbbb)"
    assert len(rows) == 2
    page = ledger_section(tmp_path)
    assert "<td>backprop_loops</td><td>4.0</td><td>2.0</td>" in page


def test_an_unchanged_regrade_writes_no_ledger_and_history_accumulates(tmp_path):
    assert graded(tmp_path, record(4.0, 3.0), record(4.0, 3.0)) == []  # control
    assert not (tmp_path / "regrades.csv").exists() and ledger_section(tmp_path) == ""
    graded(tmp_path, record(4.0, 3.0), record(4.0, 0.0, sha="2222"))
    graded(tmp_path, record(4.0, 0.0, sha="2222"), record(4.0, 3.0, sha="2222"))
    latest = list(csv.DictReader((tmp_path / "regrades.csv").open()))
    assert [(r["question"], r["old"], r["new"], r["why"]) for r in latest] == [
        ("bp1_output_error", "0.0", "3.0", "regraded as it was"),
        ("(total)", "4.0", "7.0", "regraded as it was")]
    history = list(csv.DictReader((tmp_path / "regrades-history.csv").open()))
    assert len(history) == 4 and history[0]["why"] == "the file changed"


def test_a_question_that_appears_or_vanishes_is_listed_with_an_empty_side(tmp_path):
    new = record(4.0, 3.0, autograder="bbbb")
    new["questions"].append({"name": "bp2_hidden_error", "score": 3.0, "max_score": 3.0})
    new["score"] = 10.0
    rows = graded(tmp_path, record(4.0, 3.0), new)
    assert {(r["question"], r["old"], r["new"]) for r in rows} == {
        ("bp2_hidden_error", "", 3.0), ("(total)", 7.0, 10.0)}


def test_grade_writes_the_ledger_when_a_file_is_graded_again(dist, tmp_path):
    """Two real runs of one notebook; between them its BP1 is broken (factor of two)."""
    from conftest import ROOT

    from backprop_lab.grade import grade
    from backprop_lab.samples import filled, read, write

    nb = read(ROOT / "samples" / "a2_backprop-full-marks.ipynb")
    path = write(nb, tmp_path / "subs" / "ada.ipynb")
    out = tmp_path / "out"
    grade([path.parent], out, autograder_dir=dist, workers=2, progress=False)
    assert not (out / "regrades.csv").exists()  # a first run regrades nothing
    broken = "def bp1_output_error(a_L, z_L, y):\n    return 2 * (a_L - y) * sigmoid_prime(z_L)\n"
    write(filled(read(ROOT / "samples" / "a2_backprop-unfinished.ipynb"),
                 {"bp1_output_error": broken}), path)
    grade([path.parent], out, autograder_dir=dist, workers=2, progress=False)
    rows = list(csv.DictReader((out / "regrades.csv").open()))
    moved = {r["question"]: (float(r["old"]), float(r["new"])) for r in rows}
    assert moved["bp1_output_error"][1] < moved["bp1_output_error"][0]
    assert {r["why"] for r in rows} == {"the file changed"}
    assert "Regrades" in (out / "report.html").read_text()
