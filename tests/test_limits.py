"""--timeout bounds everything a submission costs; --call-timeout bounds one call (issue 10)."""

import os
import subprocess
import sys
import time

import pytest

from backprop_lab.grade import grade
from backprop_lab.running.kernel import Kernel, Limits, Run
from backprop_lab.running.submission import new_home
from backprop_lab.samples import filled, read, write

pytestmark = pytest.mark.slow
ENDLESS_SIGMOID = "def sigmoid(z):\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def a1(dist):
    return read(dist / "a1_forward" / "student" / "a1_forward.ipynb")


@pytest.mark.task("grade --timeout")
def test_cells_share_one_deadline(a1, dist, tmp_path):
    # A cell of 4 s, then one of 30 s under a 60 s cell limit: the submission's 10 s end it.
    nb = filled(a1)
    for seconds in (30, 4):
        nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                               "execution_count": None,
                               "source": f"import time\ntime.sleep({seconds})"})
    write(nb, tmp_path / "in" / "slow.ipynb")
    summary = grade([tmp_path / "in"], tmp_path / "out", autograder_dir=dist, workers=1,
                    limits=Limits(cell_seconds=60, total_seconds=10), progress=False)
    (r,) = summary.records
    assert r["status"] == "timeout" and "time limit" in r["reason"], r
    assert r["seconds"] - r["kernel_seconds"] < 10 + 5, r


@pytest.mark.task("grade --call-timeout")
def test_call_timeout_option_bounds_each_call_and_the_rest_fail_at_once(a1, dist, tmp_path):
    path = write(filled(a1, {"sigmoid": ENDLESS_SIGMOID}), tmp_path / "endless.ipynb")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "backprop_lab", "check", str(path),
                           "--autograders", str(dist), "--call-timeout", "2",
                           "--timeout", "100"], capture_output=True, text=True)
    elapsed = time.monotonic() - started
    assert "did not finish within 2 seconds" in done.stdout, done.stdout + done.stderr
    # sigmoid has many hidden cases; only its first may take the 2 s.
    assert elapsed < 60, elapsed


@pytest.mark.task("kernel interrupt")
def test_an_endless_cell_is_interrupted_by_message_inside_the_sandbox(dist, tmp_path):
    home = new_home(dist / "a1_forward" / "student" / "bplab")
    kernel = Kernel(home, Limits())
    try:
        kernel.ready()
        run = Run()
        started = time.monotonic()
        outcome = kernel.execute("while True:\n    pass", 2, run)
        assert outcome.status == "timeout" and time.monotonic() - started < 2 + 3, outcome
        after = kernel.execute("print(6 * 7)", 5, run)  # the kernel lives on
        assert after.status == "ok" and "42" in run.output, (after, run.output)
    finally:
        kernel.shutdown()


@pytest.mark.task("sandbox: the weaker wall is said")
def test_check_says_in_one_line_when_there_is_no_sandbox(a1, dist, tmp_path):
    path = write(filled(a1), tmp_path / "full.ipynb")
    env = {**os.environ, "BPLAB_SANDBOX": "none"}
    done = subprocess.run([sys.executable, "-m", "backprop_lab", "check", str(path),
                           "--autograders", str(dist)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "sandbox" in line]
    assert len(said) == 1 and said[0].startswith("backprop-lab: no sandbox"), done.stderr
    forced = subprocess.run([sys.executable, "-m", "backprop_lab", "check", str(path),
                             "--autograders", str(dist)], capture_output=True, text=True,
                            env={**os.environ, "BPLAB_SANDBOX": "walls"})
    assert forced.returncode != 0 and "BPLAB_SANDBOX='walls'" in forced.stderr, forced.stderr


@pytest.mark.task("grade --call-timeout")
def test_timed_calls_fail_the_rest_of_a_stub_at_once_and_name_the_budget():
    from backprop_lab.course.calls import OUT_OF_TIME, timed_calls

    def sleepy(x):
        time.sleep(x)
        return x

    started = time.monotonic()
    raws = timed_calls(sleepy, [(5.0,)] * 6, seconds=0.5, budget=30)
    assert time.monotonic() - started < 2  # one call's limit, not six
    assert [r.error for r in raws] == ["it did not finish within 0.5 seconds"] * 6
    quick = timed_calls(sleepy, [(0.0,), (5.0,), (0.0,)], seconds=10, budget=0.5)
    assert quick[0].value == 0.0 and quick[1].error == OUT_OF_TIME == quick[2].error
