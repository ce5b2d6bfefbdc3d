"""The Gradescope zip (issue 11), emulated as Gradescope runs it, against `grade`.

Each corpus is graded once by `grade` and once per emulation (session fixtures), and
every comparison shares those runs: the bundled samples of all four assignments, and
the attack corpus of tests/test_attacks.py, also where namespaces are refused.
The planted-mistake corpus is compared in tests/test_grade.py.
"""

import hashlib
import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from gradescope_env import (
    emulate_all,
    flags,
    gradescope_python,
    no_namespaces,
    question_scores,
    unpack,
)
from test_attacks import ATTACKS, assignment_of, submission
from test_attacks import LIMITS as GRADED_WITH

from backprop_lab.building.assign import build, gradescope_zip
from backprop_lab.gradescope import LIMITS, limits_of, visibility_of
from backprop_lab.running.gradescope_notebook import VISIBLE_LIMIT
from backprop_lab.running.sandbox import bubblewrap_works
from backprop_lab.samples import filled, read, write

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NAMES = ("a1_forward", "a2_backprop", "a3_training", "a4_conventions")
VISIBILITIES = {"visible", "after_due_date", "after_published", "hidden"}


def zip_of(dist: Path, assignment: str) -> Path:
    return dist / assignment / f"{assignment}-autograder.zip"


@pytest.fixture(scope="session")
def gs_python(dist):
    return gradescope_python(zip_of(dist, "a1_forward"))


@pytest.mark.task("autograder zip")
def test_each_zip_installs_exactly_the_one_list_and_runs_our_grader(dist):
    one_list = (ROOT / "autograder" / "requirements.txt").read_bytes()
    for name in NAMES:
        with zipfile.ZipFile(zip_of(dist, name)) as z:
            names = set(z.namelist())
            assert z.read("requirements.txt") == one_list
            for script in ("run_autograder", "setup.sh"):
                assert z.read(script) == (ROOT / "autograder" / script).read_bytes()
                assert z.getinfo(script).external_attr >> 16 & 0o111, script
            assert json.loads(z.read("otter_config.json"))["assignment_name"] == name
            settings = json.loads(z.read("autograder.json"))
            secret = settings.pop("secret")  # the build's own: see the test below
            assert len(secret) == 64 and int(secret, 16) >= 0
            assert settings == {"hidden_visibility": "after_published", "cell_seconds": 60.0,
                                "total_seconds": 420.0}
        assert not names & {"environment.yml", "run_otter.py"}, "Otter's conda set-up left"
        assert {"files/backprop_lab/gradescope.py", "files/bplab/public_cases.npz"} <= names
        assert any(n.startswith("tests/") for n in names)


@pytest.mark.task("autograder zip")
def test_the_limits_chosen_at_build_are_the_ones_gradescope_grades_with(tmp_path):
    otter_zip = tmp_path / "otter.zip"
    with zipfile.ZipFile(otter_zip, "w") as z:
        z.writestr("otter_config.json", '{"assignment_name": "a1_forward"}')
    built = gradescope_zip(otter_zip, tmp_path / "a1.zip", ROOT / "autograder",
                           "hidden", (7.5, 50))
    source = unpack(built, None, tmp_path / "root") / "source"
    assert visibility_of(source) == "hidden"
    assert limits_of(source) == replace(LIMITS, cell_seconds=7.5, total_seconds=50.0)
    default = gradescope_zip(otter_zip, tmp_path / "a1-default.zip", ROOT / "autograder")
    assert limits_of(unpack(default, None, tmp_path / "r2") / "source") == LIMITS


@pytest.mark.task("autograder zip")
def test_the_same_sources_give_the_same_bytes(dist, tmp_path):
    # dist was built earlier in this run, with Otter running the tests and a new random
    # secret; build again with that secret (as `build --secret-file` does).
    from backprop_lab.building.autograder import read_autograder

    secret = read_autograder(zip_of(dist, NAMES[0])).secret
    again = build(tmp_path / "again", ROOT / "assignments", run_tests=False, secret=secret)
    assert sorted(b.name for b in again) == list(NAMES)
    for b in again:
        first = hashlib.sha256(zip_of(dist, b.name).read_bytes()).hexdigest()
        assert hashlib.sha256(b.autograder_zip.read_bytes()).hexdigest() == first, b.name
        assert read_autograder(b.autograder_zip).secret == secret


@pytest.mark.task("autograder zip")
def test_each_build_draws_its_own_secret_and_keeps_it_only_in_the_zips(dist, tmp_path):
    from backprop_lab.building.autograder import read_autograder

    (fresh,) = build(tmp_path / "fresh", ROOT / "assignments", run_tests=False,
                     names=[NAMES[0]])
    secret = read_autograder(fresh.autograder_zip).secret
    assert len(secret) == 64 and secret != read_autograder(zip_of(dist, NAMES[0])).secret
    student = fresh.student.parent
    assert not any(secret.encode() in f.read_bytes() for f in student.rglob("*") if f.is_file())


def sample_zip(dist: Path, sample: Path) -> Path:
    owner = next((n for n in NAMES if sample.name.startswith(n)), "a1_forward")
    return zip_of(dist, owner)  # broken-file.ipynb is submitted to a1 here


@pytest.fixture(scope="session")
def samples_graded(samples_graded_once):
    """The samples' records as `grade` gives them (graded once for the run: conftest)."""
    return {r["submission"]: r for r in samples_graded_once[1].records}


@pytest.fixture(scope="session")
def samples_emulated(dist, gs_python, tmp_path_factory):
    jobs = {p.name: (sample_zip(dist, p), p) for p in sorted((ROOT / "samples").glob("*.ipynb"))}
    return emulate_all(jobs, gs_python, tmp_path_factory.mktemp("samples-gradescope"))


@pytest.mark.task("autograder zip")
def test_samples_get_the_same_scores_on_gradescope_as_with_grade(samples_graded,
                                                                samples_emulated):
    assert set(samples_emulated) == set(samples_graded)
    assert {n.split("-")[0] for n in samples_emulated} >= set(NAMES)
    for name, results in samples_emulated.items():
        record = samples_graded[name]
        assert results["extra_data"]["status"] == record["status"], (name, record["reason"])
        ours = {q["name"]: q["score"] for q in record["questions"]}
        assert question_scores(results) == ours, name
        assert results["score"] == record["score"], name
        if "full-marks" in name:
            assert results["score"] == record["max_score"] > 0, name
    assert samples_emulated["broken-file.ipynb"]["extra_data"]["status"] == "invalid"


@pytest.mark.task("autograder zip")
def test_results_json_follows_gradescope_spec(samples_emulated, autograders):
    for name, results in samples_emulated.items():
        assert set(results) >= {"score", "execution_time", "output", "tests"}, name
        tests = results["tests"]
        assert tests[0]["name"] == "Notebook" and tests[0]["visibility"] == "visible"
        assert tests[-1]["name"] == "Flags (instructor only)"
        assert tests[-1]["visibility"] == "hidden"
        for test in tests:
            assert test["visibility"] in VISIBILITIES and test["name"], test
            assert "hidden(" not in test["output"] and "otter_entry" not in test["output"]
        parts = [t for t in tests if "max_score" in t]
        assert all(t["visibility"] == "after_published" for t in parts), name
        assert all(0 <= t["score"] <= t["max_score"] for t in parts), name
        assert sum(t["score"] for t in parts) == results["score"]
        if results["extra_data"]["status"] == "graded":
            grader = autograders[results["extra_data"]["assignment"]]
            assert sum(t["max_score"] for t in parts) == grader.max_score
            assert len(parts) == sum(len(q.parts) for q in grader.questions)


# The attack corpus of tests/test_attacks.py, and a probe that the walls hold.
PROBE = """import os
assert os.getuid() != 0, 'the kernel runs as root'
for path in [{root!r} + '/source/files/backprop_lab/engine/activations.py',
             {root!r} + '/source/tests', {root!r} + '/submission']:
    try:
        os.listdir(path) if not path.endswith('.py') else open(path).read()
    except OSError:
        pass
    else:
        raise AssertionError('read ' + path)
try:
    open({root!r} + '/results/results.json', 'w').write('{{"score": 100}}')
except OSError:
    pass
else:
    raise AssertionError('wrote the results')
"""


# Not here: "network" (a Gradescope container has the network, as the README says; an
# answer fetched from elsewhere is no worse than one copied) and "neighbour-thief" (each
# Gradescope submission has a container of its own: there is no neighbour).
ELSEWHERE = ("network", "neighbour-thief")


def attack_jobs(dist: Path, corpus: Path, folder: Path, work: Path) -> dict:
    """The notebooks of the graded corpus that have a Gradescope counterpart (not
    ELSEWHERE's, nor the thief's victim), and a probe written into ``folder``."""
    jobs = {n.stem: (zip_of(dist, assignment_of(n.stem)), n)
            for n in sorted(corpus.glob("*.ipynb"))
            if n.stem in ATTACKS and n.stem not in ELSEWHERE or n.stem.startswith("control-")}
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    write(submission(a1, [PROBE.format(root=str(work / "probe"))], {}), folder / "probe.ipynb")
    jobs["probe"] = (zip_of(dist, "a1_forward"), folder / "probe.ipynb")
    return jobs


# The attack corpus gets shorter limits than Gradescope's 60 s a cell and 420 s in all,
# as an instructor would choose with `build --cell-timeout 10 --timeout 25`: attacks
# that search the disk run until a limit stops them, and the walls, not the clock, must
# stop them either way.
# They are the limits of the grading compared with (tests/test_attacks.py; its 3 s a call
# changes no score).
ATTACK_LIMITS = {k: float(GRADED_WITH[k]) for k in ("cell_seconds", "total_seconds")}


# Without namespaces only the wall and the handling of the kernel's processes change:
# the attacks on the grader's protocol (tamper-*, forge-results, stub-from-*, ...) meet
# the same code as with bubblewrap, so that emulation runs these and the controls only.
WITHOUT_NAMESPACES = ("import-engine", "read-engine-source", "find-zips", "rewrite-results",
                      "threads-outlive", "children-left", "kill-kernel",
                      "never-returns-greedy", "control-a1", "control-a2", "probe")


def emulate_attacks(dist, corpus, python, tmp_path_factory, tag, without_namespaces=False):
    work = tmp_path_factory.mktemp(f"attacks-{tag}")
    jobs = attack_jobs(dist, corpus, tmp_path_factory.mktemp(f"attack-notebooks-{tag}"), work)
    if without_namespaces:
        jobs = {name: jobs[name] for name in WITHOUT_NAMESPACES}
    launcher = no_namespaces(work, python) if without_namespaces else ()
    return emulate_all(jobs, python, work, launcher=launcher, settings=ATTACK_LIMITS)


@pytest.fixture(scope="session")
def attacks_emulated(dist, attack_corpus, gs_python, tmp_path_factory):
    return emulate_attacks(dist, attack_corpus, gs_python, tmp_path_factory, "gradescope")


@pytest.fixture(scope="session")
def attacks_without_namespaces(dist, attack_corpus, gs_python, tmp_path_factory):
    return emulate_attacks(dist, attack_corpus, gs_python, tmp_path_factory, "no-namespaces",
                           True)


def check_attacks(emulated: dict, graded: dict, sandbox: str) -> None:
    assert {r["extra_data"]["sandbox"] for r in emulated.values()} == {sandbox}
    # the limits chosen in autograder.json held (Gradescope's own would allow 420 s)
    slowest = max(r["execution_time"] for r in emulated.values())
    assert slowest < ATTACK_LIMITS["total_seconds"] + 30, slowest
    for name, (_, _, question, _) in ATTACKS.items():
        if name in ELSEWHERE or name not in emulated:
            continue
        scores = question_scores(emulated[name])
        if question is not None:
            assert scores[question] == 0, (name, scores)
        else:
            assert emulated[name]["score"] == 0, name
        assert scores == {q["name"]: q["score"] for q in graded[name]["questions"]}, name
    for name in ("control-a1", "control-a2", "probe"):
        results = emulated[name]
        reference = graded["control-a1" if name == "probe" else name]
        assert results["extra_data"]["status"] == "graded", (name, results["output"])
        # no cell failed: for the probe, every wall it tried held
        assert results["tests"][0]["status"] == "passed", (name, results["tests"][0])
        assert results["score"] == reference["max_score"] > 0, name
    assert not flags(emulated["control-a1"]) and not flags(emulated["control-a2"])


@pytest.mark.task("autograder zip")
@pytest.mark.skipif(not bubblewrap_works(), reason="bwrap is missing or cannot make "
                    "namespaces here (the emulation without namespaces still runs)")
def test_attacks_earn_nothing_on_gradescope(attacks_emulated, attack_results):
    assert set(attacks_emulated) >= set(ATTACKS) - set(ELSEWHERE)
    check_attacks(attacks_emulated, attack_results, "bubblewrap")
    for name, (_, _, _, flag) in ATTACKS.items():  # what grade flags, Gradescope flags too
        graded_flags = attack_results.get(name, {}).get("flags", [])
        if flag is not None and any(flag in f for f in graded_flags):
            assert any(flag in f for f in flags(attacks_emulated[name])), name


@pytest.mark.task("autograder zip")
def test_attacks_earn_nothing_where_the_container_refuses_namespaces(
        attacks_without_namespaces, attack_results):
    assert sorted(attacks_without_namespaces) == sorted(WITHOUT_NAMESPACES)
    check_attacks(attacks_without_namespaces, attack_results, "uid")


# Several notebooks in one submission (issue 17), and what is visible before grades are
# published (issue 16).
EMPTY_NOTEBOOK = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "notes"}],
                  "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def a1_notebook(folder: Path, name: str, dist: Path, sources: dict | None = None,
                extra_cells: tuple[str, ...] = ()) -> Path:
    """An a1 submission: the reference answers, but ``sources``, plus ``extra_cells``."""
    nb = filled(read(dist / "a1_forward" / "student" / "a1_forward.ipynb"), sources)
    for code in extra_cells:
        nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                            "execution_count": None, "source": code})
    return write(nb, folder / name)


@pytest.fixture(scope="module")
def several_emulated(dist, gs_python, tmp_path_factory):
    files = tmp_path_factory.mktemp("several-files")
    unfinished = ROOT / "samples" / "a1_forward-unfinished.ipynb"
    good = a1_notebook(files / "good", "my-work.ipynb", dist)
    scratch = write(EMPTY_NOTEBOOK, files / "scratch" / "a-scratch.ipynb")
    named = a1_notebook(files / "named", "a1_forward.ipynb", dist)
    other = shutil.copy(unfinished, files / "zz-draft.ipynb")
    jobs = {"named": (zip_of(dist, "a1_forward"), [named, Path(other), scratch]),
            "defining": (zip_of(dist, "a1_forward"), [scratch, good]),
            "ambiguous": (zip_of(dist, "a1_forward"), [good, Path(other)])}
    return emulate_all(jobs, gs_python, tmp_path_factory.mktemp("several-gradescope"))


@pytest.mark.task("autograder zip")
def test_of_several_notebooks_the_one_named_or_defining_the_stubs_is_graded(several_emulated):
    named, defining, ambiguous = (several_emulated[k] for k in ("named", "defining", "ambiguous"))
    assert named["score"] == 13, named["tests"][0]
    assert named["tests"][0]["output"].startswith(
        'Graded: "a1_forward.ipynb" (it is named a1_forward.ipynb).\n'
        'Not graded: "a-scratch.ipynb", "zz-draft.ipynb".'), named["tests"][0]
    # Control: the first file alphabetically (the old rule) is the one without any stub.
    assert sorted(["a-scratch.ipynb", "my-work.ipynb"])[0] == "a-scratch.ipynb"
    assert defining["score"] == 13, defining["tests"][0]
    assert defining["tests"][0]["output"].startswith(
        'Graded: "my-work.ipynb" (it is the only one defining a1_forward\'s functions).\n'
        'Not graded: "a-scratch.ipynb".'), defining["tests"][0]
    assert ambiguous["score"] == 0 and ambiguous["extra_data"]["status"] == "invalid"
    visible = ambiguous["tests"][0]["output"]
    assert 'Not graded: "my-work.ipynb", "zz-draft.ipynb".' in visible, visible
    assert "submit only that one, or name it a1_forward.ipynb" in visible, visible


BOAST = "All 19 hidden tests passed. Score: 24/24"
DIES_ON_BIG_BATCHES = """def feedforward(X, weights, biases):
    import os
    if np.asarray(X).shape[0] > 3:
        os._exit(1)
    activation = np.asarray(X, dtype=np.float64).T
    zs, activations = [], [activation]
    for W, b in zip(weights, biases):
        zs.append(W @ activation + b)
        activation = 1 / (1 + np.exp(-zs[-1]))
        activations.append(activation)
    return zs, activations
"""
# Each tries to tell the student something about the hidden cases through what is
# visible before publication: where the kernel dies, how much it prints, a fake verdict.
LEAKS = {
    "quiet": {},
    "dies-on-big-batches": {"feedforward": DIES_ON_BIG_BATCHES},
    "floods": {"sigmoid_prime": "def sigmoid_prime(z):\n    print('x' * (2 << 20))\n"
               "    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n"},
    "boasts": {"sigmoid_prime": f"def sigmoid_prime(z):\n    raise ValueError({BOAST!r})\n"},
}


@pytest.fixture(scope="module")
def leaks_emulated(dist, gs_python, tmp_path_factory):
    files = tmp_path_factory.mktemp("leak-files")
    jobs = {name: (zip_of(dist, "a1_forward"),
                   a1_notebook(files / name, "a1_forward.ipynb", dist, sources))
            for name, sources in LEAKS.items()}
    jobs["boasts-in-a-cell"] = (zip_of(dist, "a1_forward"), a1_notebook(
        files / "cell", "a1_forward.ipynb", dist, extra_cells=(f"raise Exception({BOAST!r})",)))
    return emulate_all(jobs, gs_python, tmp_path_factory.mktemp("leak-gradescope"))


def visible(results: dict) -> list:
    """Everything a student sees before publication, under the default visibility."""
    return [results["output"], *[t for t in results["tests"] if t["visibility"] == "visible"]]


@pytest.mark.task("autograder zip")
def test_what_is_visible_before_publication_tells_nothing_about_hidden_cases(leaks_emulated):
    quiet = visible(leaks_emulated["quiet"])
    assert [t["name"] for t in quiet[1:]] == ["Notebook"]
    for name in LEAKS:
        assert json.dumps(visible(leaks_emulated[name])) == json.dumps(quiet), name
        assert len(leaks_emulated[name]["output"]) <= VISIBLE_LIMIT
    # Controls: each attack did what it meant to; only the hidden tests show it.
    def details(name):
        (test,) = [t for t in leaks_emulated[name]["tests"] if t["name"].startswith("Grading")]
        assert test["visibility"] == "hidden"
        return test["output"]
    assert "the kernel died while feedforward was graded" in details("dies-on-big-batches")
    assert "more than 1 MiB" in details("floods")
    assert leaks_emulated["boasts"]["score"] < 13 and leaks_emulated["quiet"]["score"] == 13
    boast_part = [t for t in leaks_emulated["boasts"]["tests"]
                  if t["name"].startswith("sigmoid_prime") and BOAST in t["output"]]
    assert boast_part and all(t["visibility"] == "after_published" for t in boast_part)
    # A cell's own error: which cell and the exception's class, never the student's text.
    cell = leaks_emulated["boasts-in-a-cell"]
    assert BOAST in details("boasts-in-a-cell")
    shown = json.dumps(visible(cell))
    assert BOAST not in shown and "19" not in shown and "(Exception)" in shown, shown
    assert cell["tests"][0]["status"] == "failed" and cell["score"] == 13
