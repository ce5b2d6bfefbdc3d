"""Speed ratios of the reference engine, every compared candidate timed side by side.

Run from the repository root: ``.venv/bin/python benchmarks/bench_backprop.py [--threads N]``.
Prints one table per part with PASS/FAIL against the targets; always exits 0.
PyTorch (the optional ``bench`` extra) is used when importable and skipped otherwise.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from backprop_lab.engine import (
    backprop_batch,
    backprop_vectorized,
    bp1_output_error,
    bp2_hidden_error,
    feedforward,
    get_params,
    init_network,
    network_numerical_gradient,
    relative_error,
)

try:
    import torch
except ImportError:
    torch = None

ROW = "{:<17} {:>5}  {:<24} {:>10}  {:<15} {:>8}  {:<8} {}"


def median_times(candidates: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per call of each candidate, every call timed on its own.

    After one warm-up call each, every round calls each candidate in turn for ~20 ms
    (at least once), so noise on the machine hits all of them alike; the median drops
    the odd call a busy neighbour or a late thread wake-up slowed down. A 0.1 s pause
    before each candidate lets the idle threads of the last one (OpenBLAS's, torch's
    OpenMP ones) stop spinning: on 2 cores they would otherwise steal the next one's.
    """
    for f in candidates.values():
        f()
    calls = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, f in candidates.items():
            time.sleep(0.1)
            times, before, until = calls[name], len(calls[name]), time.perf_counter() + 0.02
            while len(times) == before or time.perf_counter() < until:
                start = time.perf_counter()
                f()
                times.append(time.perf_counter() - start)
    return {name: float(np.median(times)) for name, times in calls.items()}


def problem(sizes: list[int], N: int, seed: int = 0) -> tuple:
    """A network from ``init_network`` and a batch ``X (N, d)``, ``Y (N, k)``, seeded."""
    rng = np.random.default_rng(seed)
    weights, biases = init_network(sizes, rng)
    return rng.standard_normal((N, sizes[0])), rng.uniform(0, 1, (N, sizes[-1])), weights, biases


def matrix_products(X: np.ndarray, Y: np.ndarray, weights: list, biases: list) -> Callable:
    """The matrix products of ``backprop_batch`` alone, on its arrays (same shapes, layouts).

    Forward ``W @ a`` (``a^0 = X.T``, a transposed view), then per layer backwards
    ``W.T @ delta`` and ``delta @ a_prev.T``, exactly as backprop_batch does them.
    """
    zs, activations = feedforward(X, weights, biases)
    L = len(weights)
    deltas = [bp1_output_error(activations[-1], zs[-1], Y.T)]
    for l in range(L - 2, -1, -1):
        deltas.insert(0, bp2_hidden_error(weights[l + 1], deltas[0], zs[l]))

    def products() -> None:
        for W, a in zip(weights, activations[:-1]):
            W @ a
        for l in range(L - 1, -1, -1):
            if l < L - 1:
                weights[l + 1].T @ deltas[l + 1]
            deltas[l] @ activations[l].T

    return products


def per_sample(X: np.ndarray, Y: np.ndarray, weights: list, biases: list) -> tuple[list, list]:
    """The batch gradient as a Python loop of ``backprop_vectorized`` over the rows, summed."""
    nabla_w = [np.zeros_like(W) for W in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for x, y in zip(X, Y):
        dw, db = backprop_vectorized(x[:, None], y[:, None], weights, biases)
        for total, g in zip(nabla_w + nabla_b, dw + db):
            total += g
    return nabla_w, nabla_b


def torch_autograd(X: np.ndarray, Y: np.ndarray, weights: list, biases: list) -> Callable:
    """PyTorch float64 autograd of the same network and cost; the call returns the gradient.

    Written like the engine, ``sigmoid(W @ a + b)`` on columns: at ``[2,3,3,1]`` that is
    faster in torch than rows through ``F.linear``, and as fast at ``[784,100,100,10]``.
    """
    Xt, Yt = torch.from_numpy(X).T, torch.from_numpy(Y).T
    params = [torch.tensor(p, requires_grad=True) for p in [*weights, *biases]]
    L = len(weights)

    def gradient() -> list:
        for p in params:
            p.grad = None
        a = Xt
        for W, b in zip(params[:L], params[L:]):
            a = torch.sigmoid(W @ a + b)
        loss = 0.5 * ((a - Yt) ** 2).sum()
        loss.backward()
        return [p.grad for p in params]

    return gradient


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def row(shape: object, N: object, name: str, t: float | None, label: str = "",
        ratio: float | None = None, target: str = "", ok: bool | None = None) -> None:
    """One line of the table; cells not given stay empty."""
    time_ms = "" if t is None else f"{t * 1e3:.3f} ms"
    ratio_x = "" if ratio is None else f"{ratio:.2f}x"
    result = "" if ok is None else verdict(ok)
    print(ROW.format(str(shape).replace(" ", ""), N, name, time_ms, label, ratio_x, target, result))


def bench_backprop(sizes: list[int], N: int, rounds: int) -> None:
    X, Y, weights, biases = problem(sizes, N)
    reference = get_params(*backprop_batch(X, Y, weights, biases))
    loop_error = relative_error(reference, get_params(*per_sample(X, Y, weights, biases)))
    candidates = {
        "backprop_batch": lambda: backprop_batch(X, Y, weights, biases),
        "matrix products alone": matrix_products(X, Y, weights, biases),
        "per-sample loop": lambda: per_sample(X, Y, weights, biases),
    }
    if torch is not None:
        candidates["torch float64 autograd"] = torch_autograd(X, Y, weights, biases)
        torch_grads = [g.numpy() for g in candidates["torch float64 autograd"]()]
        torch_error = relative_error(reference, np.concatenate([g.ravel() for g in torch_grads]))
    t = median_times(candidates, rounds)
    tb = t["backprop_batch"]
    row(sizes, N, "backprop_batch", tb)
    big = sizes == [784, 100, 100, 10]
    ratio = tb / t["matrix products alone"]
    target, ok = ("<= 1.2x", ratio <= 1.2) if big else ("", None)
    row("", "", "matrix products alone", t["matrix products alone"], "batch/products", ratio,
        target, ok)
    row("", "", "per-sample loop", t["per-sample loop"], "loop/batch", t["per-sample loop"] / tb)
    print(f"{'':25}(per-sample loop vs backprop_batch: relative error {loop_error:.1e})")
    if torch is None:
        print(f"{'':25}torch not installed: skipped")
        return
    ratio = t["torch float64 autograd"] / tb
    target, ok = ("> 1x", ratio > 1) if big else (">= 2x", ratio >= 2)
    row("", "", "torch float64 autograd", t["torch float64 autograd"], "torch/batch", ratio,
        target, ok)
    print(f"{'':25}torch gradient vs backprop_batch: relative error {torch_error:.1e} "
          f"(< 1e-10: {verdict(torch_error < 1e-10)})")


def bench_gradcheck(sizes: list[int], N: int, rounds: int) -> None:
    X, Y, weights, biases = problem(sizes, N)
    candidates = {
        "fast=True": lambda: network_numerical_gradient(X, Y, weights, biases, fast=True),
        "fast=False": lambda: network_numerical_gradient(X, Y, weights, biases, fast=False),
    }
    error = relative_error(candidates["fast=True"](), candidates["fast=False"]())
    t = median_times(candidates, rounds)
    speedup = t["fast=False"] / t["fast=True"]
    target, ok = (">= 15x", speedup >= 15) if sizes != [2, 3, 3, 1] else ("", None)
    row(sizes, N, "fast=True", t["fast=True"])
    row("", "", "fast=False", t["fast=False"], "plain/fast", speedup, target, ok)
    print(f"{'':25}fast vs plain: relative error {error:.1e} (<= 1e-8: {verdict(error <= 1e-8)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and torch threads (default: numpy's BLAS default)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved timing rounds")
    args = parser.parse_args()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        threads = args.threads or max(blas)
        print(f"numpy {np.__version__}, BLAS threads {threads}", end="")
        if torch is not None:
            torch.set_num_threads(threads)
            print(f"; torch {torch.__version__}, threads {torch.get_num_threads()}", end="")
        print(f"; time: median per call over {args.rounds} interleaved rounds")
        print("load average before the run: {:.2f} {:.2f} {:.2f} (a busy machine skews"
              " ratios between 1- and 2-thread code)\n".format(*os.getloadavg()))
        header = ("shape", "batch", "candidate", "time", "ratio", "", "target", "result")
        print("1. backprop_batch (ratio: how many times one time is the other)")
        print(ROW.format(*header))
        for sizes, N in [([2, 3, 3, 1], 50), ([2, 3, 3, 1], 1000), ([784, 100, 100, 10], 1000)]:
            bench_backprop(sizes, N, args.rounds)
        print("\n2. network_numerical_gradient, fast=True against the plain fast=False")
        print(ROW.format(*header))
        for sizes in ([2, 3, 3, 1], [10, 20, 20, 5], [784, 30, 10]):
            for N in (10, 64):
                bench_gradcheck(sizes, N, 3 if sizes[0] == 784 else args.rounds)


if __name__ == "__main__":
    main()
