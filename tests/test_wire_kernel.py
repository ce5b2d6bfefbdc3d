"""A kernel's requests to the grader, as ``calls.serve`` makes them: without ipykernel's
flushes (a third of each request's time, benchmarks/bench_wire.py), losing nothing.

One sandboxed kernel for the module, its home holding ``bplab/`` as a grading's does.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from backprop_lab.course import wire
from backprop_lab.running.kernel import Kernel, Limits, Run

COURSE = Path(wire.__file__).resolve().parent
ASKS = {"unflushed": "_s.unflushed(get_ipython().kernel.raw_input)",
        "raw_input": "get_ipython().kernel.raw_input"}  # the control: ipykernel's own


@pytest.fixture(scope="module")
def kernel():
    home = Path(tempfile.mkdtemp(prefix="bplab-kernel-"))
    shutil.copytree(COURSE, home / "bplab", ignore=shutil.ignore_patterns("__pycache__"))
    k = Kernel(home, Limits(cell_seconds=60, total_seconds=300))
    try:
        k.ready()
        yield k
    finally:
        k.shutdown()


def run(kernel, code: str, answer) -> tuple[str, str]:
    collected: list[str] = []
    head = "import sys, bplab.calls as _c, bplab.shipped as _s\n"
    outcome = kernel.execute(head + code, 60, Run(), answer, collected)
    return outcome.status, "".join(collected)


@pytest.mark.slow
@pytest.mark.parametrize("ask", sorted(ASKS))
def test_what_a_stub_prints_around_its_requests_reaches_the_grader(kernel, ask):
    code = (f"ask = {ASKS[ask]}\n"
            "print('before', flush=False)\n"
            "got = [ask(f'q{i}') for i in range(20)]\n"
            "print('after', got[-1])\n"
            "sys.stderr.write('to stderr\\n')\n"
            "print('streams back', sys.stdout is not None and sys.stderr is not None)\n")
    status, text = run(kernel, code, str.upper)
    assert status == "ok", text
    for line in ("before", "after Q19", "streams back True"):
        assert line in text, (ask, text)


@pytest.mark.slow
@pytest.mark.parametrize("answer_seconds", [0.0, 1.0])
def test_a_request_cut_by_the_call_time_limit_gives_the_streams_back(kernel,
                                                                     answer_seconds):
    code = ("ask = _s.unflushed(get_ipython().kernel.raw_input)\n"
            "try:\n"
            "    with _c._TimeLimit(0.3):\n"
            "        print('answer', ask('q'))\n"
            "except _c._Timeout:\n"
            "    print('cut')\n"
            "print('streams back', sys.stdout is not None and sys.stderr is not None)\n")

    def slow(prompt: str) -> str:
        time.sleep(answer_seconds)
        return "A"

    status, text = run(kernel, code, slow)
    assert status == "ok" and "streams back True" in text, text
    # The slow answer is cut (the control, answered at once, is not).
    assert ("cut" in text) == (answer_seconds > 0.3), text
