"""Submissions that try to talk or break their way past the grader (issues 6 and 10).

Each attack, if it worked, would earn credit: what it steals (the reference engine's
source, an autograder zip, another submission's answer, an answer served on the network,
the grader's own reference) becomes its stub's answer, and when the wall holds it falls
back to a wrong answer: a broken wall shows as points. An attack that only a wall stops
runs only where that wall is up (``WALLED``); the controls in the same batch keep full
marks and no flags.

As root, ``test_the_corpus_holds_as_an_unprivileged_user`` runs this file again as a
throwaway user (bubblewrap without root), and ``test_the_corpus_holds_in_uid_mode``
under ``BPLAB_SANDBOX=uid``, both with a Python that user can run.
"""

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_kerckhoffs import DELEGATING_SIGMOID, RELABEL, _lookup_sigmoid

from backprop_lab.grade import grade
from backprop_lab.questions.secret import DEVELOPMENT_KEY
from backprop_lab.running.kernel import Limits
from backprop_lab.running.sandbox import PACKAGE, UID_BASE, UID_COUNT, choose_mode
from backprop_lab.samples import filled, read, write

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
MODE = choose_mode()
WRONG_SIGMOID = "def sigmoid(z):\n    return z * 0.5\n"
RIGHT_SIGMOID = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
# A sigmoid that runs the code an attack stole into `stolen` and answers with its sigmoid.
USE_STOLEN = ("def sigmoid(z):\n"
              "    found = {}\n"
              "    for code in stolen:\n"
              "        try:\n"
              "            exec(code, found)\n"
              "        except Exception:\n"
              "            pass\n"
              "    return found['sigmoid'](z) if 'sigmoid' in found else z * 0.5\n")
# Shorter than any default: what runs until a limit stops it costs the suite that limit,
# in every grading of this corpus (here, in test_walls twice, and on Gradescope, emulated).
LIMITS = {"cell_seconds": 10, "total_seconds": 25, "call_seconds": 3}
# Kernels inherit this, so this run's leftovers are told from other runs' on the machine.
RUN_MARK = f"ATTACK_RUN_MARK=bplab-{os.getpid()}"
os.environ["ATTACK_RUN_MARK"] = RUN_MARK.partition("=")[2]

LOOKUP_SIGMOID = _lookup_sigmoid(DEVELOPMENT_KEY)
# name -> (extra cells put before the stubs, stub sources, attacked question, flag text)
ATTACKS = {
    # Tampering with what a grader might use.
    "tamper-numpy": (["import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                      "np.testing.assert_allclose = lambda *a, **k: None\n"
                      "np.linalg.norm = lambda *a, **k: 0.0\n"],
                     {"sigmoid": WRONG_SIGMOID}, "sigmoid", "replaced numpy.allclose"),
    "tamper-harness": (["import bplab.calls as c\n"
                        "c.call = lambda fn, args, seconds=10: c.Raw(value=None)\n"],
                       {"sigmoid": WRONG_SIGMOID}, "sigmoid", "replaced bplab.calls.call"),
    "forge-results": (["import bplab.calls as c, base64\n"
                       "from bplab.wire import pack\n"
                       "def fake(stub, payload, builds_on, env, ask, *limits):\n"
                       "    raws = [dict(value=0.5, error=None, not_implemented=False,\n"
                       "                 mutated=[], seconds=0.0)] * 6\n"
                       "    blob = base64.b64encode(pack({'raws': raws, 'flags': []}))\n"
                       "    print(c.RAW_MARK + blob.decode())\n"
                       "c.serve = fake\n"],
                      {"sigmoid": WRONG_SIGMOID}, "sigmoid", "replaced bplab.calls.serve"),
    "patch-otter": (["from otter.test_files import exception_test\n"
                     "exception_test.ExceptionTestFile.run = lambda self, env: None\n"
                     "import otter.test_files.abstract_test as t\n"
                     "t.TestFile.all_or_nothing = False\n"],
                    {"sigmoid": WRONG_SIGMOID}, "sigmoid", None),
    # Reaching for the reference or the autograder.
    "import-engine": ([], {"sigmoid": "def sigmoid(z):\n"
                                      "    try:\n"
                                      "        from backprop_lab.engine import sigmoid as s\n"
                                      "    except ImportError:\n"
                                      "        return z * 0.5\n"
                                      "    return s(z)\n"}, "sigmoid", "imported backprop_lab"),
    "read-engine-source": (["import glob\n"
                            "stolen = []\n"
                            "def steal(p):\n"
                            "    try:\n        stolen.append(open(p).read())\n"
                            "    except OSError:\n        pass\n"
                            "steal('{engine}')\n"
                            "for p in glob.iglob('/**/backprop_lab/engine/activations.py',\n"
                            "                    recursive=True):\n"
                            "    steal(p)\n"],
                           {"sigmoid": USE_STOLEN}, "sigmoid", "a private path"),
    "find-zips": (["import glob, zipfile\n"
                   "stolen = []\n"
                   "def steal(z):\n"
                   "    try:\n"
                   "        code = zipfile.ZipFile(z).read('files/backprop_lab/engine/"
                   "activations.py')\n"
                   "        stolen.append(code.decode())\n"
                   "    except (OSError, KeyError):\n        pass\n"
                   "steal('{zip}')\n"
                   "for z in glob.iglob('/**/*autograder*.zip', recursive=True):\n"
                   "    steal(z)\n"],
                  {"sigmoid": USE_STOLEN}, "sigmoid", "a private path"),
    "ask-own-reference": ([], {"bp4_weight_gradient":
                               "def bp4_weight_gradient(delta, a_prev):\n"
                               "    import base64\n"
                               "    from bplab.calls import PROXY_MARK, decode, encode\n"
                               "    ask = get_ipython().kernel.raw_input\n"
                               "    req = {'name': 'bp4_weight_gradient',\n"
                               "           'args': [delta, a_prev]}\n"
                               "    return decode(ask(PROXY_MARK + encode(req)))['value']\n"},
                          "bp4_weight_gradient", "asked for the reference bp4_weight_gradient"),
    # Rewriting results.
    "rewrite-results": (["import atexit, glob, json, os\n"
                         "def rewrite():\n"
                         "    for p in glob.glob('/**/feedback/*.json', recursive=True):\n"
                         "        open(p, 'w').write('{}')\n"
                         "    open('results.json', 'w').write(json.dumps({'score': 100}))\n"
                         "atexit.register(rewrite)\n"
                         "rewrite()\n"],
                        {"sigmoid": "def sigmoid(z):\n    ...\n"}, "sigmoid",
                        "searched for a private path"),
    # Stubs that come from somewhere other than the notebook.
    "stub-from-exec": ([], {"sigmoid": "exec(compile('def sigmoid(z):\\n"
                                       "    import numpy as np\\n"
                                       "    return 1 / (1 + np.exp(-z))\\n', "
                                       "'/tmp/helper.py', 'exec'))\n"},
                       "sigmoid", "sigmoid is not a function defined in the notebook"),
    "stub-from-library": ([], {"sigmoid": "import functools\nfrom scipy.special import expit\n"
                                          "sigmoid = functools.partial(expit)\n"},
                          "sigmoid", "sigmoid is not a function defined in the notebook"),
    "stub-from-module": ([], {"sigmoid": "open('mine.py', 'w').write('def sigmoid(z):\\n"
                                         "    return 1 / (1 + __import__(\"numpy\").exp(-z))\\n')\n"
                                         "from mine import sigmoid\n"},
                         "sigmoid", "sigmoid is not a function defined in the notebook"),
    # Written with the source at hand (issue 16; tests/test_kerckhoffs.py has each one's
    # control): another stub's reference, the public development cases, a relabelled import.
    # (feedforward unfinished: the reference's would call this sigmoid back, and a
    # recursion's message depends on the clock)
    "delegate-to-feedforward": ([], {"sigmoid": DELEGATING_SIGMOID,
                                     "feedforward": "def feedforward(X, weights, biases):\n"
                                                    "    raise NotImplementedError\n"},
                                "sigmoid", None),
    "public-lookup-table": ([], {"sigmoid": LOOKUP_SIGMOID}, "sigmoid", None),
    "relabelled-import": ([RELABEL], {"sigmoid": "sigmoid = _s\n"}, "sigmoid",
                          "sigmoid is not a function defined in the notebook"),
    # Resources and exits, with unfinished answers.
    "threads-outlive": (["import threading, time, numpy as np\n"
                         "def later():\n    time.sleep(1.0)\n"
                         "    np.allclose = lambda *a, **k: True\n"
                         "threading.Thread(target=later, daemon=True).start()\n",
                         # the thread has patched numpy by the time the grader calls:
                         # the flag does not depend on how fast the cells ran
                         "import time\ntime.sleep(2)\n"],
                        {"sigmoid": WRONG_SIGMOID}, "sigmoid", None),
    "children-left": (["import subprocess, os\n"
                       "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
                       "if os.fork() == 0:\n    os.setsid()\n"
                       "    if os.fork() == 0:\n        import time\n        time.sleep(300)\n"
                       "    os._exit(0)\n"],
                      {"sigmoid": WRONG_SIGMOID}, "sigmoid", None),
    "kill-kernel": (["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"],
                    {}, None, None),
    "sys-exit-then-wrong": (["import sys\nsys.exit(0)\n"], {"sigmoid": WRONG_SIGMOID},
                            "sigmoid", None),
    # Walls of issue 10: the network, the neighbours, the clock.
    "network": ([], {"sigmoid": "def sigmoid(z):\n"
                                "    import socket\n"
                                "    try:\n"
                                "        with socket.create_connection(('127.0.0.1', {port}),\n"
                                "                                      timeout=2) as s:\n"
                                "            code = s.makefile().read()\n"
                                "    except OSError:\n"
                                "        return z * 0.5\n"
                                "    found = {{}}\n"
                                "    exec(code, found)\n"
                                "    return found['sigmoid'](z)\n"}, "sigmoid", None),
    # Sorted first, so that two workers start it and its victim at once.
    "0-neighbour-thief": (["import glob, time\n"
                         "stolen, start = [], time.monotonic()\n"
                         "while not stolen and time.monotonic() - start < 9:\n"
                         "    for p in glob.glob('/tmp/*/neighbour-answer.py') + "
                         "glob.glob('/tmp/*/*/neighbour-answer.py'):\n"
                         "        try:\n            stolen.append(open(p).read())\n"
                         "        except OSError:\n            pass\n"
                         "    time.sleep(0.2)\n"],
                        {"sigmoid": USE_STOLEN}, "sigmoid", None),
    "never-returns": ([], {"sigmoid": "def sigmoid(z):\n    while True:\n        pass\n"},
                      "sigmoid", None),
    "never-returns-greedy": ([], {"sigmoid": "def sigmoid(z):\n"
                                             "    while True:\n"
                                             "        try:\n"
                                             "            while True:\n"
                                             "                pass\n"
                                             "        except BaseException:\n"
                                             "            pass\n"}, "sigmoid", None),
}
# Attacks that only a wall stops, with the modes whose wall must stop them (elsewhere
# they would earn credit: the README says what each mode does not protect).
WALLED = {"import-engine": {"bubblewrap", "uid"}, "read-engine-source": {"bubblewrap"},
          "find-zips": {"bubblewrap"}, "rewrite-results": {"bubblewrap", "uid"},
          "network": {"bubblewrap"}, "0-neighbour-thief": {"bubblewrap", "uid"}}
# The victim of 0-neighbour-thief: full marks, leaving its answer in its folder meanwhile.
VICTIM = ("open('neighbour-answer.py', 'w').write({code!r})\n"
          "import time\ntime.sleep(9)\n")


def submission(nb, extra_cells, sources):
    nb = filled(nb, {k: v for k, v in sources.items()})
    for code in reversed(extra_cells):
        nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                               "execution_count": None, "source": code})
    return nb


@contextmanager
def answer_server() -> Iterator[int]:
    """A port on 127.0.0.1 that hands the right sigmoid's source to whoever connects."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(RIGHT_SIGMOID.encode())

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def assignment_of(name: str) -> str:
    """The assignment a notebook of the corpus is submitted to (its name without .ipynb)."""
    sources = ATTACKS[name][1] if name in ATTACKS else {}
    return "a2_backprop" if name == "control-a2" or "bp4_weight_gradient" in sources \
        else "a1_forward"


def write_corpus(dist: Path, port: int, folder: Path) -> Path:
    """The attacks this mode must stop, the controls and the thief's victim, in ``folder``.
    Session fixtures in conftest.py (attack_corpus, attack_results) write and grade it once
    a run: test_gradescope compares Gradescope's scores with the same grading."""
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    a2 = read(dist / "a2_backprop" / "student" / "a2_backprop.ipynb")
    places = {"{engine}": str(ROOT / "src" / "backprop_lab" / "engine" / "activations.py"),
              "{zip}": str(dist / "a1_forward" / "a1_forward-autograder.zip"),
              "{port}": str(port)}
    for name, (cells, sources, _, _) in ATTACKS.items():
        if name in WALLED and MODE not in WALLED[name]:
            continue  # it would succeed: not a test of this mode
        base = a2 if assignment_of(name) == "a2_backprop" else a1
        cells = [_place(c, places) for c in cells]
        sources = {k: _place(v, places) for k, v in sources.items()}
        write(submission(base, cells, sources), folder / f"{name}.ipynb")
    write(filled(a1), folder / "control-a1.ipynb")
    write(filled(a2), folder / "control-a2.ipynb")
    write(submission(a1, [VICTIM.format(code=RIGHT_SIGMOID)], {}),
          folder / "0-neighbour-victim.ipynb")
    return folder


def _place(code: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        code = code.replace(key, value)
    return code.replace("{{}}", "{}")


def graded(corpus, dist, out, workers):
    limits = Limits(**LIMITS, private=(str(dist), str(out)))
    summary = grade([corpus], out, autograder_dir=dist, workers=workers, limits=limits,
                    progress=False)
    return {r["submission"].removesuffix(".ipynb"): {**r, "_out": out} for r in summary.records}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_earns_nothing_and_is_flagged(name, attack_results):
    if name in WALLED and MODE not in WALLED[name]:
        pytest.skip(f"the {MODE!r} sandbox does not stop {name} (see the README)")
    _, _, question, flag = ATTACKS[name]
    r = attack_results[name]
    assert r["sandbox"] == MODE, r
    scores = {q["name"]: q for q in r["questions"]}
    if question is not None:
        assert scores[question]["score"] == 0, (name, scores[question])
    else:
        assert r["status"] == "error" and r["score"] == 0, r
    if flag is not None and MODE != "none":
        assert any(flag in f for f in r["flags"]), (name, r["flags"])


def test_the_rest_of_the_batch_is_untouched(attack_results):
    for control in ("control-a1", "control-a2", "0-neighbour-victim"):
        r = attack_results[control]
        assert r["status"] == "graded" and r["score"] == r["max_score"] and not r["flags"], r


def test_the_network_answer_is_really_there(attack_server):
    # What the network attack would get, were the network open: the right answer.
    with socket.create_connection(("127.0.0.1", attack_server), timeout=5) as s:
        assert s.makefile().read() == RIGHT_SIGMOID


def test_a_stub_that_never_returns_costs_its_call_limit(attack_results):
    r = attack_results["never-returns"]
    assert r["status"] == "graded", r
    sigmoid = next(q for q in r["questions"] if q["name"] == "sigmoid")
    assert any("did not finish within" in m for m in sigmoid["messages"]), sigmoid
    others = [q for q in r["questions"] if q["name"] != "sigmoid"]
    assert all(q["score"] == q["max_score"] for q in others), others
    # 3 s for its first case, the other cases failing at once: far less than 12 x 3 s.
    assert r["seconds"] - r["kernel_seconds"] < 12 * LIMITS["call_seconds"] / 2, r


def test_a_stub_that_swallows_interrupts_is_stopped_at_the_deadline(attack_results):
    r = attack_results["never-returns-greedy"]
    assert r["status"] == "timeout" and "sigmoid" in r["reason"], r
    assert r["seconds"] - r["kernel_seconds"] < LIMITS["total_seconds"] + 10, r


def test_no_sandbox_process_outlives_the_batch(attack_results):
    owners = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(next(line for line in text.splitlines() if line.startswith("Uid:")).split()[1])
        state = next(line for line in text.splitlines() if line.startswith("State:"))
        if UID_BASE <= uid < UID_BASE + UID_COUNT and "zombie" not in state:
            try:
                ours = RUN_MARK.encode() in (status.parent / "environ").read_bytes()
            except OSError:
                continue  # gone meanwhile
            if ours:
                owners.append((status.parent.name, uid, state))
    assert not owners


@pytest.mark.skipif(MODE == "none", reason="no sandbox here")
def test_the_kernel_cannot_see_the_answers(dist, tmp_path):
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    tops = ["/tmp", "/root", "/home", "/opt", "/srv", "/var/tmp", "/work", str(dist),
            str(PACKAGE)]
    if MODE == "uid":  # no namespaces: only the folders the grader closed are out of reach
        tops = [str(dist), str(PACKAGE)]
    probe = ("import os, sys\n"
             "seen = []\n"
             f"for top in {tops!r} + sys.path:\n"
             "    for folder, _, names in os.walk(top):\n"
             "        seen += [os.path.join(folder, n) for n in names]\n"
             "leaks = [p for p in seen if '/backprop_lab/' in p or p.endswith('-autograder.zip')\n"
             "         or p.endswith('a1_forward.ipynb') or '/solutions/' in p]\n"
             "assert os.getuid() != 0\n"
             "assert not leaks, leaks[:5]\n"
             # (a folder closed to the kernel still imports as an empty namespace package)
             "try:\n    import backprop_lab.engine\nexcept ImportError:\n    pass\n"
             "else:\n    raise AssertionError('backprop_lab.engine is importable')\n"
             "def sigmoid(z):\n    import numpy as np\n    return 1 / (1 + np.exp(-z))\n")
    nb = filled(a1)
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": probe})
    write(nb, tmp_path / "in" / "probe.ipynb")
    summary = grade([tmp_path / "in"], tmp_path / "out", autograder_dir=dist, workers=1,
                    limits=Limits(cell_seconds=60, total_seconds=120, private=(str(dist),)),
                    progress=False)
    (record,) = summary.records
    assert record["sandbox"] == MODE
    assert not record["cells"], record["cells"]  # the probe's assertions held


# Not graded a second time: what runs until a limit stops it or searches the disk (its
# verdict is the clock's, and it would double the test's time) and the neighbours.
CLOCKED = {"never-returns", "never-returns-greedy", "read-engine-source", "find-zips",
           "0-neighbour-thief", "0-neighbour-victim"}


def test_grading_is_deterministic_across_runs_and_worker_counts(attack_corpus, dist,
                                                                 attack_results, tmp_path):
    subset = tmp_path / "subset"
    subset.mkdir()
    for notebook in attack_corpus.glob("*.ipynb"):
        if notebook.stem not in CLOCKED:
            shutil.copy(notebook, subset)
    # Both gradings are read from their own output folders, each written by its own run.
    again = graded(subset, dist, tmp_path / "again", workers=2)  # the first had 4
    assert len(again) >= 12 and "control-a2" in again and "tamper-harness" in again
    assert again["control-a1"]["_out"] != attack_results["control-a1"]["_out"]

    def essence(r):  # everything but timings and paths
        return (r["status"], r["score"], r["flags"], r["reason"],
                [(q["name"], q["score"], q["messages"], q["diagnoses"]) for q in r["questions"]])

    assert {k: essence(v) for k, v in again.items()} == {
        k: essence(attack_results[k]) for k in again}


def test_feedback_files_were_not_rewritten(attack_results):
    # rewrite-results tried to overwrite every feedback/*.json it could find, at once
    # and again at exit: each file must still hold what the grader wrote.
    out = attack_results["control-a1"]["_out"]
    for stem, record in attack_results.items():
        on_disk = json.loads((out / "feedback" / f"{stem}.json").read_text())
        assert on_disk["score"] == record["score"] and on_disk["questions"], stem
