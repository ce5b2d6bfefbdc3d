"""backprop-lab grade and check on the real assignments (issue: grading)."""

import json
import shutil
import subprocess
import sys

import pytest

from backprop_lab.grade import grade
from backprop_lab.running.kernel import Limits
from backprop_lab.samples import PLANTED, filled, read, stub_cells, write

pytestmark = pytest.mark.slow
FAST = Limits(cell_seconds=20, total_seconds=120)


@pytest.fixture(scope="session")
def students(dist):
    return {p.stem: read(p) for p in sorted(dist.glob("*/student/*.ipynb"))}


@pytest.fixture(scope="session")
def corpus(students, tmp_path_factory):
    """Full marks and unfinished per assignment, one planted mistake per planted stub."""
    folder = tmp_path_factory.mktemp("submissions")
    expect = {}  # file name -> (assignment, question that must lose points or None)
    for name, nb in students.items():
        write(filled(nb), folder / f"{name}-full.ipynb")
        expect[f"{name}-full.ipynb"] = (name, None)
        write(nb, folder / f"{name}-unfinished.ipynb")
        expect[f"{name}-unfinished.ipynb"] = (name, "all")
        for stub, (code, source) in PLANTED.items():
            if stub in stub_cells(nb):
                write(filled(nb, {stub: source}), folder / f"{name}-{stub}.ipynb")
                expect[f"{name}-{stub}.ipynb"] = (name, stub, code)
    return folder, expect


@pytest.fixture(scope="session")
def graded(corpus, dist, tmp_path_factory):
    folder, _ = corpus
    out = tmp_path_factory.mktemp("graded")
    summary = grade([folder], out, autograder_dir=dist, workers=4, limits=FAST,
                    progress=False)
    return out, {r["submission"]: r for r in summary.records}


def test_full_marks_zero_and_planted_mistakes_cost_only_their_question(corpus, graded):
    _, expect = corpus
    _, records = graded
    assert set(records) == set(expect)
    for name, (assignment, target, *code) in expect.items():
        r = records[name]
        assert r["status"] == "graded" and r["assignment"] == assignment, r
        for q in r["questions"]:
            if target == "all":
                assert q["score"] == 0 and "not_implemented" in q["diagnoses"], (name, q)
            elif q["name"] == target:
                assert q["score"] < q["max_score"], (name, q)
                assert code[0] in q["diagnoses"], (name, q)
            else:
                assert q["score"] == q["max_score"] and not q["diagnoses"], (name, q)


def test_outputs_match_the_spec(graded):
    out, records = graded
    header = (out / "gradebook.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["submission", "assignment", "status", "score", "max_score"]
    questions = header[5:]
    assert len(questions) == len(set(questions)) > 0
    for name in records:
        stem = name.removesuffix(".ipynb")
        data = json.loads((out / "feedback" / f"{stem}.json").read_text())
        assert {"submission", "assignment", "status", "score", "max_score", "flags",
                "questions"} <= set(data)
        for q in data["questions"]:
            assert set(q) >= {"name", "score", "max_score", "messages", "diagnoses"}
        text = (out / "feedback" / f"{stem}.md").read_text()
        assert "hidden(" not in text and "otter_entry" not in text
    assert (out / "mistakes.csv").read_text().startswith("question,mistake,submissions")


@pytest.fixture(scope="session")
def emulated(corpus, dist, tmp_path_factory):
    """The planted mistakes through the zips' own run_autograder, in a clean environment
    holding only the zip's requirements (Gradescope, emulated: tests/gradescope_env.py);
    full marks and unfinished notebooks only for an assignment with no planted mistake
    (the samples take them through it in test_gradescope)."""
    from gradescope_env import emulate_all, gradescope_python

    folder, expect = corpus
    chosen = [name for name, e in expect.items() if len(e) == 3]
    covered = {expect[name][0] for name in chosen}
    chosen += [name for name, e in expect.items() if e[0] not in covered]
    zips = {a: dist / a / f"{a}-autograder.zip" for a, *_ in expect.values()}
    python = gradescope_python(next(iter(zips.values())))
    jobs = {name: (zips[expect[name][0]], folder / name) for name in chosen}
    return emulate_all(jobs, python, tmp_path_factory.mktemp("gradescope"))


@pytest.mark.task("autograder zip")
def test_gradescope_gives_the_same_score_per_question_as_grade(corpus, graded, emulated):
    from gradescope_env import question_scores

    _, expect = corpus
    _, records = graded
    assert {expect[name][0] for name in emulated} == {"a1_forward", "a2_backprop",
                                                       "a3_training", "a4_conventions"}
    for name in emulated:
        ours = {q["name"]: q["score"] for q in records[name]["questions"]}
        if len(expect[name]) == 3:  # the comparison is not of two full marks only
            assert ours[expect[name][1]] < max_of(records[name], expect[name][1]), name
        assert question_scores(emulated[name]) == ours, name
        assert emulated[name]["score"] == records[name]["score"], name


def max_of(record: dict, question: str) -> float:
    return next(q["max_score"] for q in record["questions"] if q["name"] == question)


BAD = {
    "empty.ipynb": b"",
    "corrupt.ipynb": b'{"cells": [',
    "picture.ipynb": b"\x89PNG\r\n\x1a\n\x00\x00",
    "not-json.ipynb": b"print('hello')\n",
}


def test_malformed_and_hostile_files_each_get_a_row(students, dist, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, data in BAD.items():
        (folder / name).write_bytes(data)
    a1 = students["a1_forward"]
    full = filled(a1)
    hostile = {
        "exits": "import os\nos._exit(0)",
        "sys-exit": "import sys\nsys.exit(3)",
        "endless": "while True:\n    pass",
        "memory-hog": "import numpy as np\nhog = np.ones((1 << 28,))",
        "flood": "for i in range(200000):\n    print('x' * 100)",
    }
    for tag, code in hostile.items():
        nb = json.loads(json.dumps(full))
        nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                               "execution_count": None, "source": code})
        write(nb, folder / f"{tag}.ipynb")
    nb = json.loads(json.dumps(full))
    del nb["metadata"]["otter"]
    write(nb, folder / "no-metadata.ipynb")
    summary = grade([folder], tmp_path / "out", autograder_dir=dist, workers=2,
                    limits=Limits(cell_seconds=5, total_seconds=60, memory_bytes=1 << 31),
                    progress=False)
    rows = {r["submission"]: r for r in summary.records}
    assert len(rows) == len(BAD) + len(hostile) + 1
    for name in BAD:
        assert rows[name]["status"] == "invalid" and rows[name]["reason"], rows[name]
    assert rows["exits.ipynb"]["status"] == "error"
    assert "died or the notebook exited" in rows["exits.ipynb"]["reason"]
    full_score = rows["no-metadata.ipynb"]["max_score"]
    assert rows["no-metadata.ipynb"]["assignment"] == "a1_forward"  # routed by its stubs
    assert rows["no-metadata.ipynb"]["score"] == full_score
    # An endless cell is interrupted and the rest of the notebook is still graded.
    assert rows["endless.ipynb"]["status"] == "graded"
    assert rows["endless.ipynb"]["score"] == full_score
    assert any("stopped" in c for c in rows["endless.ipynb"]["cells"])
    assert rows["memory-hog.ipynb"]["status"] == "error"
    assert "memory limit" in rows["memory-hog.ipynb"]["reason"]
    assert rows["flood.ipynb"]["status"] == "graded" and rows["flood.ipynb"]["score"] == full_score
    assert rows["flood.ipynb"]["output_truncated"]
    assert rows["sys-exit.ipynb"]["status"] == "graded"  # SystemExit is an error in one cell


def test_rerun_skips_unchanged_force_regrades_and_gradebook_is_rebuilt(corpus, dist, tmp_path):
    folder, expect = corpus
    one = tmp_path / "one"
    one.mkdir()
    name = sorted(expect)[0]
    shutil.copy(folder / name, one / name)
    out = tmp_path / "out"
    first = grade([one], out, autograder_dir=dist, workers=1, limits=FAST, progress=False)
    assert first.graded == 1
    before = json.loads((out / "feedback" / name.replace(".ipynb", ".json")).read_text())
    (out / "gradebook.csv").unlink()
    again = grade([one], out, autograder_dir=dist, workers=1, limits=FAST, progress=False)
    assert again.graded == 0 and again.skipped == 1 and (out / "gradebook.csv").is_file()
    forced = grade([one], out, autograder_dir=dist, workers=1, limits=FAST, force=True,
                   progress=False)
    assert forced.graded == 1
    after = json.loads((out / "feedback" / name.replace(".ipynb", ".json")).read_text())
    for record in (before, after):
        record.pop("seconds")
        record.pop("kernel_seconds")
    assert before == after  # the same submission graded twice: the same feedback


def test_check_prints_for_a_person_and_exits_by_status(corpus, dist, tmp_path):
    folder, expect = corpus
    name = next(n for n in sorted(expect) if len(expect[n]) == 3)
    done = subprocess.run([sys.executable, "-m", "backprop_lab", "check", str(folder / name),
                           "--autograders", str(dist)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Named mistake" in done.stdout and "/" in done.stdout
    bad = tmp_path / "bad.ipynb"
    bad.write_text("nope")
    done = subprocess.run([sys.executable, "-m", "backprop_lab", "check", str(bad),
                           "--autograders", str(dist)], capture_output=True, text=True)
    assert done.returncode != 0 and "could not be graded" in done.stdout
