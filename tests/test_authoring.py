"""Issue 18, "a question is one unit": the worked example of assignments/AUTHORING.md,
followed as written in a copy of the repository. It adds ``tanh_prime`` to a1 by one new
file and the master's cells, builds, and grades a right answer (full marks) and four
wrong ones (points lost in tanh_prime only; three named, one shown a counterexample);
the mutation tool finds no surviving mutant of the new reference."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_lab.samples import filled, write

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "assignments" / "AUTHORING.md"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```$", re.M | re.S)

pytestmark = pytest.mark.task("a question is one unit")


def worked_example() -> str:
    text = GUIDE.read_text()
    return text[text.index("## Adding a question: a worked example"):]


def follow(guide: str, repo: Path) -> None:
    """Do what the worked example says: write its files, insert its cells."""
    where = re.search(r"Insert these cells into\s+`(?P<master>[^`]+)`\s+right after the "
                      r"`# END QUESTION` cell of\s+`(?P<after>\w+)`", guide)
    assert where, "the guide says where the cells go"
    cells = []
    for block in FENCE.finditer(guide):
        info, body = block["info"].split(), block["body"]
        if len(info) == 2 and info[0] == "python" and info[1].startswith("file="):
            target = repo / info[1].removeprefix("file=")
            assert not target.exists(), "a new file, not an edit"
            target.write_text(body)
        elif len(info) == 2 and info[1] == "cell":
            kind = {"python": "code", "raw": "raw", "markdown": "markdown"}[info[0]]
            cell = {"cell_type": kind, "metadata": {}, "source": body.rstrip("\n")}
            if kind == "code":
                cell |= {"execution_count": None, "outputs": []}
            cells.append(cell)
    master = repo / where["master"]
    nb = json.loads(master.read_text())
    inside, at = None, None
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"])
        if text.startswith("# BEGIN QUESTION"):
            inside = re.search(r"name:\s*(\w+)", text)[1]
        elif text.startswith("# END QUESTION") and inside == where["after"]:
            at = i + 1
    assert at is not None and len(cells) >= 8
    nb["cells"][at:at] = cells
    master.write_text(json.dumps(nb, indent=1, ensure_ascii=False))


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    done = subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A copy of the repository's tracked files, with the worked example followed."""
    copy = tmp_path_factory.mktemp("repo")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    before = set(tracked)
    follow(worked_example(), copy)
    changed = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()} - before
    assert changed == {"src/backprop_lab/questions/tanh_prime.py"}  # one new file
    return copy


@pytest.fixture(scope="module")
def built(repo):
    command = re.search(r"^backprop-lab (build .*)$", worked_example(), re.M)[1].split()
    run(repo, "-m", "backprop_lab", *command, "--out", "dist")
    return repo / "dist"


WRONG = {  # file -> (source, the mistake code its feedback must name)
    "missing-square": ("def tanh_prime(z):\n    return 1.0 - np.tanh(z)\n", "missing_square"),
    "activation-form": ("def tanh_prime(z):\n    return 1.0 - z ** 2\n",
                        "derivative_of_activation"),
    "in-place": ("def tanh_prime(z):\n    np.tanh(z, out=z)\n    return 1.0 - z * z\n",
                 "mutates_inputs"),
    # no mistake of the declaration fits: a counterexample instead (judging/shrinking.py)
    "double-argument": ("def tanh_prime(z):\n    return 1.0 - np.tanh(2 * z) ** 2\n", None),
}
RIGHT = "def tanh_prime(z):\n    return 1 / np.cosh(z) ** 2\n"  # not the reference's form


@pytest.fixture(scope="module")
def graded(repo, built, tmp_path_factory):
    student = json.loads((built / "a1_forward" / "student" / "a1_forward.ipynb").read_text())
    folder = tmp_path_factory.mktemp("submissions")
    for name, (source, _) in {"right": (RIGHT, None), **WRONG}.items():
        write(filled(student, {"tanh_prime": source}), folder / f"{name}.ipynb")
    out = repo / "graded"
    run(repo, "-m", "backprop_lab", "grade", str(folder), "--autograders", str(built),
        "--out", str(out), "--similarity", "off")
    return {p.stem: json.loads(p.read_text()) for p in (out / "feedback").glob("*.json")}


def scores(record: dict) -> dict[str, tuple[float, float]]:
    return {q["name"]: (q["score"], q["max_score"]) for q in record["questions"]}


def test_the_new_question_is_built_with_its_points_in_the_students_table(built):
    student = json.loads((built / "a1_forward" / "student" / "a1_forward.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in student["cells"])
    assert "| `tanh_prime` | 1 | 1 | 1 | 3 |" in text
    assert "| **all** |  |  |  | **16** |" in text  # 13 before, 3 more
    assert "1.0 - np.tanh(z) ** 2" not in text  # the solution stays out


def test_a_right_answer_gets_full_marks(graded):
    record = graded["right"]
    assert record["status"] == "graded"
    assert scores(record)["tanh_prime"] == (3.0, 3.0)
    assert record["score"] == record["max_score"] == 16.0


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_answer_loses_points_in_its_question_only_and_is_named(graded, name):
    record, code = graded[name], WRONG[name][1]
    got = scores(record)
    assert got["tanh_prime"][0] < got["tanh_prime"][1], record
    assert all(s == m for q, (s, m) in got.items() if q != "tanh_prime"), got
    [question] = [q for q in record["questions"] if q["name"] == "tanh_prime"]
    if code is None:
        assert not question["diagnoses"], question
        [example] = [m for m in question["messages"] if m.startswith("A smaller case")]
        assert "tanh_prime(" in example and "expected" in example, example
    else:
        assert code in question["diagnoses"], question


def test_the_mutation_tool_finds_no_surviving_mutant_of_the_new_question(repo):
    done = run(repo, "benchmarks/mutation_kill_rate.py", "--stubs", "tanh_prime",
               "--no-write")
    found = re.search(r"(\d+) mutants generated, \d+ judged, (\d+) equivalent, (\d+) killed "
                      r"of (\d+) .*?, (\d+) survivors", done.stdout)
    assert found, done.stdout[-2000:]
    generated, _, killed, live, survivors = map(int, found.groups())
    assert generated >= 3 and killed == live and survivors == 0, done.stdout[-2000:]
