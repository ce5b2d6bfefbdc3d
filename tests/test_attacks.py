"""Submissions that try to talk their way past the grader (issue 6), on `grade`.

Each attack comes with wrong or unfinished answers for the stubs it attacks; it must
earn nothing for them, be flagged where detection is promised, and leave the rest of
the batch untouched. The Gradescope path (otter run) is described in the README.
"""

import json
from pathlib import Path

import pytest

from backprop_lab.grade import grade
from backprop_lab.grading.kernel import Limits
from backprop_lab.grading.sandbox import UID_BASE, UID_COUNT, can_isolate
from backprop_lab.samples import filled, read, write

pytestmark = pytest.mark.slow

WRONG_SIGMOID = "def sigmoid(z):\n    return z * 0.5\n"

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
                       "def fake(stub, payload, builds_on, env, ask):\n"
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
                                      "    from backprop_lab.engine import sigmoid as s\n"
                                      "    return s(z)\n"}, "sigmoid", "imported backprop_lab"),
    "read-engine-source": (["import importlib.metadata as m, glob\n"
                            "paths = glob.glob('/**/backprop_lab/engine/*.py', recursive=True)\n"
                            "src = [open(p).read() for p in paths]\n"
                            "for p in ['/work/main/src/backprop_lab/engine/activations.py']:\n"
                            "    try:\n        open(p).read()\n    except OSError:\n"
                            "        pass\n"],
                           {"sigmoid": "def sigmoid(z):\n    ...\n"}, "sigmoid",
                           "a private path"),
    "find-zips": (["import glob, zipfile\n"
                   "zips = glob.glob('/**/*autograder*.zip', recursive=True)\n"
                   "code = [zipfile.ZipFile(z).read('files/backprop_lab/engine/activations.py')\n"
                   "        for z in zips]\n"
                   "assert not code, 'found an autograder'\n"],
                  {"sigmoid": WRONG_SIGMOID}, "sigmoid", "searched for a private path"),
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
    # Resources and exits, with unfinished answers.
    "threads-outlive": (["import threading, time, numpy as np\n"
                         "def later():\n    time.sleep(1.0)\n"
                         "    np.allclose = lambda *a, **k: True\n"
                         "threading.Thread(target=later, daemon=True).start()\n"],
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
}


def submission(nb, extra_cells, sources):
    nb = filled(nb, {k: v for k, v in sources.items()})
    for code in reversed(extra_cells):
        nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                               "execution_count": None, "source": code})
    return nb


@pytest.fixture(scope="module")
def corpus(dist, tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    a2 = read(dist / "a2_backprop" / "student" / "a2_backprop.ipynb")
    for name, (cells, sources, _, _) in ATTACKS.items():
        base = a2 if "bp4_weight_gradient" in sources else a1
        write(submission(base, cells, sources), folder / f"{name}.ipynb")
    write(filled(a1), folder / "control-a1.ipynb")
    write(filled(a2), folder / "control-a2.ipynb")
    return folder


def graded(corpus, dist, out, workers):
    limits = Limits(cell_seconds=10, total_seconds=90, private=(str(dist), str(out)))
    summary = grade([corpus], out, autograder_dir=dist, workers=workers, limits=limits,
                    progress=False)
    return {r["submission"].removesuffix(".ipynb"): {**r, "_out": out} for r in summary.records}


@pytest.fixture(scope="module")
def results(corpus, dist, tmp_path_factory):
    return graded(corpus, dist, tmp_path_factory.mktemp("out"), workers=2)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_earns_nothing_and_is_flagged(name, results):
    _, _, question, flag = ATTACKS[name]
    r = results[name]
    scores = {q["name"]: q for q in r["questions"]}
    if question is not None:
        assert scores[question]["score"] == 0, (name, scores[question])
    else:
        assert r["status"] == "error" and r["score"] == 0, r
    if flag is not None and can_isolate():
        assert any(flag in f for f in r["flags"]), (name, r["flags"])


def test_the_rest_of_the_batch_is_untouched(results):
    for control in ("control-a1", "control-a2"):
        r = results[control]
        assert r["status"] == "graded" and r["score"] == r["max_score"] and not r["flags"], r


def test_no_sandbox_process_outlives_the_batch(results):
    owners = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(next(line for line in text.splitlines() if line.startswith("Uid:")).split()[1])
        state = next(line for line in text.splitlines() if line.startswith("State:"))
        if UID_BASE <= uid < UID_BASE + UID_COUNT and "zombie" not in state:
            owners.append((status.parent.name, uid, state))
    assert not owners


@pytest.mark.skipif(not can_isolate(), reason="the sandbox needs root on Linux")
def test_the_kernel_cannot_see_the_answers(dist, tmp_path):
    a1 = read(dist / "a1_forward" / "student" / "a1_forward.ipynb")
    probe = ("import os, sys\n"
             "seen = []\n"
             "for top in ['/work', '/tmp', '/root', '/home', '/opt', '/srv', '/var/tmp',\n"
             "            *sys.path]:\n"
             "    for folder, _, names in os.walk(top):\n"
             "        seen += [os.path.join(folder, n) for n in names]\n"
             "leaks = [p for p in seen if '/backprop_lab/' in p or p.endswith('-autograder.zip')\n"
             "         or p.endswith('a1_forward.ipynb') or '/solutions/' in p]\n"
             "assert os.getuid() != 0\n"
             "assert not leaks, leaks[:5]\n"
             "try:\n    import backprop_lab\nexcept ImportError:\n    pass\n"
             "else:\n    raise AssertionError('backprop_lab is importable')\n"
             "def sigmoid(z):\n    import numpy as np\n    return 1 / (1 + np.exp(-z))\n")
    nb = filled(a1)
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": probe})
    write(nb, tmp_path / "in" / "probe.ipynb")
    summary = grade([tmp_path / "in"], tmp_path / "out", autograder_dir=dist, workers=1,
                    limits=Limits(cell_seconds=60, total_seconds=120, private=(str(dist),)),
                    progress=False)
    (record,) = summary.records
    assert not record["cells"], record["cells"]  # the probe's assertions held


def test_grading_is_deterministic_across_runs_and_worker_counts(corpus, dist, results, tmp_path):
    again = graded(corpus, dist, tmp_path / "again", workers=1)

    def essence(r):  # everything but timings and paths
        return (r["status"], r["score"], r["flags"],
                [(q["name"], q["score"], q["messages"], q["diagnoses"]) for q in r["questions"]])

    assert {k: essence(v) for k, v in again.items()} == {k: essence(v) for k, v in results.items()}


def test_feedback_files_were_not_rewritten(results):
    # rewrite-results tried to overwrite every feedback/*.json it could find, at once
    # and again at exit: each file must still hold what the grader wrote.
    out = results["control-a1"]["_out"]
    for stem, record in results.items():
        on_disk = json.loads((out / "feedback" / f"{stem}.json").read_text())
        assert on_disk["score"] == record["score"] and on_disk["questions"], stem
