"""What one message between the grader and a kernel costs, and what a grading costs.

Three measures, each side by side in one run:

1. the wire alone: encode + decode (base64 included) of the messages a grading sends,
   in the BPW1 format against the ``.npz`` format before it (bench_wire_npz.py);
2. the Jupyter round trip alone: ``raw_input`` in a sandboxed kernel answered by the
   grader's ``Kernel.execute`` loop, with an empty answer (the floor of any request),
   as ipykernel does it (flushing stdout and stderr first) and as ``calls.serve`` asks
   (:func:`backprop_lab.course.shipped.unflushed`);
3. a whole grading of ``backprop_batch`` (its three parts, hidden cases of the public
   development key, in one sandboxed kernel): a Nielsen-style solution that calls its
   building blocks once per example, and a vectorized one, each with either format
   (the kernel's ``bplab/wire.py`` and the grader's side both switched).

Prints times and ratios, each with PASS/FAIL against its target; always exits 0.

Run: .venv/bin/python benchmarks/bench_wire.py [--rounds 7] [--skip-old-grading]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from backprop_lab.course import calls, shipped
from backprop_lab.course import wire as new_wire
from backprop_lab.engine import backprop_batch
from backprop_lab.judging import scoring
from backprop_lab.judging.judge import PARTS, judge
from backprop_lab.questions.cases import draw_cases
from backprop_lab.running import submission
from backprop_lab.running.kernel import Kernel, Limits, Run, run_cells

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_wire_npz as old_wire  # noqa: E402 (beside this file)

COURSE = Path(new_wire.__file__).resolve().parent
WIRES = {"npz": old_wire, "BPW1": new_wire}

PER_EXAMPLE = '''
import numpy as np

def backprop_batch(X, Y, weights, biases):
    """Nielsen's way: one example at a time, summed, through the building blocks."""
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    for x, y in zip(X, Y):
        a = x.reshape(-1, 1)
        activations, zs = [a], []
        for W, b in zip(weights, biases):
            zs.append(W @ a + b)
            a = sigmoid(zs[-1])
            activations.append(a)
        delta = bp1_output_error(activations[-1], zs[-1], y.reshape(-1, 1))
        nabla_b[-1] += bp3_bias_gradient(delta)
        nabla_w[-1] += bp4_weight_gradient(delta, activations[-2])
        for l in range(2, len(weights) + 1):
            delta = bp2_hidden_error(weights[-l + 1], delta, zs[-l])
            nabla_b[-l] += bp3_bias_gradient(delta)
            nabla_w[-l] += bp4_weight_gradient(delta, activations[-l - 1])
    return nabla_w, nabla_b
'''

VECTORIZED = '''
import numpy as np

def backprop_batch(X, Y, weights, biases):
    """All examples at once: one column each."""
    activations, zs = [X.T], []
    for W, b in zip(weights, biases):
        zs.append(W @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = bp1_output_error(activations[-1], zs[-1], Y.T)
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            delta = bp2_hidden_error(weights[l + 1], delta, zs[l])
        nabla_b[l] = bp3_bias_gradient(delta)
        nabla_w[l] = bp4_weight_gradient(delta, activations[l])
    return nabla_w, nabla_b
'''

BLOCKS = '''
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

def bp1_output_error(a_L, z_L, y):
    return (a_L - y) * sigmoid_prime(z_L)

def bp2_hidden_error(W_next, delta_next, z):
    return (W_next.T @ delta_next) * sigmoid_prime(z)

def bp3_bias_gradient(delta):
    return delta.sum(axis=1, keepdims=True)

def bp4_weight_gradient(delta, a_prev):
    return delta @ a_prev.T
'''


@contextlib.contextmanager
def grader_wire(module):
    """The grading process packs and unpacks with ``module`` meanwhile."""
    saved = shipped.pack, shipped.unpack, scoring.unpack
    shipped.pack, shipped.unpack, scoring.unpack = module.pack, module.unpack, module.unpack
    try:
        yield
    finally:
        shipped.pack, shipped.unpack, scoring.unpack = saved


def median_us(candidates: dict, rounds: int) -> dict[str, float]:
    """Median microseconds per call, the candidates interleaved over ``rounds`` rounds."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()
    for _ in range(rounds):
        for name, fn in candidates.items():
            n, started = 0, time.perf_counter()
            while time.perf_counter() - started < 0.05:
                fn()
                n += 1
            times[name].append((time.perf_counter() - started) / n * 1e6)
    return {name: statistics.median(ts) for name, ts in times.items()}


def messages() -> dict[str, object]:
    """A grading's messages: a building block's request and its answer, and the result
    line of six backprop_batch calls (values, arguments after the call)."""
    z = np.random.default_rng(0).normal(size=(3, 1))
    raws = []
    for case in draw_cases("backprop_batch", "reference"):
        raw = calls.call(backprop_batch, case.args)
        after, poked, raw.after, raw.poked = raw.after, raw.poked, None, None
        raws.append({**asdict(raw), "after": after, "poked": poked})
    return {"request sigmoid(z), z 3x1": {"name": "sigmoid", "args": [z], "kwargs": {}},
            "its answer": {"value": z},
            "result line, 6 batch calls": {"raws": raws, "flags": []}}


def bench_messages(rounds: int) -> float:
    print("1. the wire alone: encode + decode of one message (base64 included)")
    ratios = []
    for name, value in messages().items():
        candidates = {fmt: (lambda m=m, v=value: m.unpack(base64.b64decode(
            base64.b64encode(m.pack(v))))) for fmt, m in WIRES.items()}
        t = median_us(candidates, rounds)
        size = {fmt: len(m.pack(value)) for fmt, m in WIRES.items()}
        ratios.append(t["npz"] / t["BPW1"])
        print(f"   {name:30s} npz {t['npz']:8.1f} us ({size['npz']:,} B)   BPW1 "
              f"{t['BPW1']:7.1f} us ({size['BPW1']:,} B)   npz/BPW1 {ratios[-1]:5.1f}x")
    worst = min(ratios)
    print(f"   target: npz/BPW1 >= 5x on every message: {worst:.1f}x "
          f"{'PASS' if worst >= 5 else 'FAIL'}")
    return worst


def new_home(wire_source: Path) -> Path:
    """A kernel's home with ``bplab/`` (the course package) using ``wire_source``."""
    home = Path(tempfile.mkdtemp(prefix="bplab-kernel-"))
    shutil.copytree(COURSE, home / "bplab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "public_cases.npz"))
    shutil.copyfile(wire_source, home / "bplab" / "wire.py")
    return home


def bench_round_trip(rounds: int, n: int = 300) -> float:
    print("2. the Jupyter round trip alone: a request answered empty, in one kernel")
    kernel = Kernel(new_home(Path(new_wire.__file__)), Limits(cell_seconds=300))
    asks = {"raw_input (flushes)": "get_ipython().kernel.raw_input",
            "shipped.unflushed(raw_input)":
                "__import__('bplab.shipped').shipped.unflushed(get_ipython().kernel.raw_input)"}
    times: dict[str, list[float]] = {name: [] for name in asks}
    try:
        kernel.ready()
        for _ in range(rounds):
            for name, ask in asks.items():
                code = f"ask = {ask}\nfor i in range({n}):\n    ask('x')\n"
                started = time.perf_counter()
                outcome = kernel.execute(code, 300, Run(), lambda prompt: "")
                assert outcome.status == "ok", outcome
                times[name].append((time.perf_counter() - started) / n * 1e3)
    finally:
        kernel.shutdown()
    ms = {name: statistics.median(ts) for name, ts in times.items()}
    for name, t in ms.items():
        print(f"   {name:28s} {t:.2f} ms per request (median of {rounds} x {n})")
    ratio = ms["raw_input (flushes)"] / ms["shipped.unflushed(raw_input)"]
    print(f"   flushes/unflushed {ratio:.2f}x: target >= 1.2x {'PASS' if ratio >= 1.2 else 'FAIL'}"
          f" (sandbox {kernel.mode})")
    return ms["shipped.unflushed(raw_input)"]


def grade_backprop_batch(solution: str, fmt: str) -> tuple[float, int, str]:
    """Seconds to grade ``solution``'s backprop_batch (all parts), the grader's answers
    to the kernel's requests, and the parts passed."""
    module = WIRES[fmt]
    limits = Limits(call_seconds=120, total_seconds=1200, cell_seconds=120)
    answered = [0]
    answer = submission.answer_proxy

    def counted(*args):
        answered[0] += 1
        return answer(*args)

    kernel = Kernel(new_home(Path(module.__file__)), limits)
    submission.answer_proxy = counted
    try:
        with grader_wire(module):
            kernel.ready()
            deadline = time.monotonic() + limits.total_seconds
            run = run_cells(kernel, [submission.PRELUDE, BLOCKS, solution], limits, deadline)
            assert not run.errors(), [c.error for c in run.errors()]
            started, passed = time.perf_counter(), []
            for part in PARTS:
                cases = draw_cases("backprop_batch", part)
                outcome, got, _ = submission._harness(kernel, limits, run, "backprop_batch",
                                                      part, cases, deadline)
                assert got is not None, outcome
                passed.append(judge("backprop_batch", part, cases, got).passed)
            seconds = time.perf_counter() - started
    finally:
        submission.answer_proxy = answer
        kernel.shutdown()
    return seconds, answered[0], f"{sum(passed)}/{len(passed)} parts passed"


def bench_grading(skip_old: bool) -> None:
    print("3. grading backprop_batch (3 parts), one kernel, requests answered by the grader")
    t = {}
    for solution, source in (("per-example", PER_EXAMPLE), ("vectorized", VECTORIZED)):
        for fmt in ("npz", "BPW1"):
            if skip_old and fmt == "npz" and solution == "per-example":
                continue
            seconds, answered, passed = grade_backprop_batch(source, fmt)
            t[solution, fmt] = seconds
            print(f"   {solution:12s} {fmt:5s} {seconds:7.2f} s, {answered:,} requests "
                  f"({seconds / max(answered, 1) * 1e3:.2f} ms each), {passed}")
    if ("per-example", "npz") in t:
        ratio = t["per-example", "npz"] / t["per-example", "BPW1"]
        print(f"   per-example npz/BPW1 {ratio:.2f}x: target >= 1.3x "
              f"{'PASS' if ratio >= 1.3 else 'FAIL'}")
    ratio = t["per-example", "BPW1"] / t["vectorized", "BPW1"]
    print(f"   per-example/vectorized with BPW1: {ratio:.1f}x (no target: the requests' "
          "count is the solution's)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-old-grading", action="store_true",
                        help="skip the slowest grading (per-example with npz)")
    args = parser.parse_args()
    print(f"numpy {np.__version__}; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    bench_messages(args.rounds)
    bench_round_trip(args.rounds)
    bench_grading(args.skip_old_grading)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
