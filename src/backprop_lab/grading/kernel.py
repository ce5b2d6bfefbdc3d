"""Run a notebook's code cells in a fresh, limited Jupyter kernel.

Limits per kernel: a time limit per cell (an endless cell is interrupted and the
next cell runs: Otter has none, its issue #469), a time limit for the whole notebook,
an address-space cap (RLIMIT_AS, so a memory hog gets MemoryError or dies alone), and
a cap on the output kept (a notebook that prints gigabytes costs time, not memory).
The kernel leads its own process group, which is killed at the end, children too.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client import KernelManager

GIB = 1 << 30

# Applied in the kernel's process before it becomes Python's ipykernel.
_LIMITED_EXEC = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)

KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


@dataclass
class Limits:
    cell_seconds: float = 60.0
    total_seconds: float = 600.0
    memory_bytes: int = 2 * GIB
    output_bytes: int = 1 << 20
    start_seconds: float = 60.0


@dataclass
class CellOutcome:
    index: int
    status: str  # "ok", "error", "timeout", "dead"
    error: str = ""


@dataclass
class Run:
    """What happened to the notebook: per-cell outcomes and what stopped it, if anything."""

    cells: list[CellOutcome] = field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    stopped: str = ""  # "", "timeout", "kernel died", "memory limit"

    def errors(self) -> list[CellOutcome]:
        return [c for c in self.cells if c.status != "ok"]


class LimitedKernelManager(KernelManager):
    memory_bytes: int = 2 * GIB

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, "-c", _LIMITED_EXEC, str(self.memory_bytes), *cmd]


class Kernel:
    """A kernel started at construction (without waiting), used for one notebook."""

    def __init__(self, cwd: Path, limits: Limits, extra_env: dict[str, str] | None = None):
        """Start a kernel in ``cwd``, a folder it owns: ``shutdown`` deletes it."""
        self.cwd = Path(cwd)
        self.limits = limits
        self.manager = LimitedKernelManager(kernel_name="python3", transport="ipc",
                                            ip=str(Path(cwd) / ".kernel"))
        self.manager.memory_bytes = limits.memory_bytes
        self.manager.kernel_spec.argv[0] = sys.executable  # this environment's Python
        env = {**os.environ, **KERNEL_ENV, **(extra_env or {})}
        self.manager.start_kernel(cwd=str(cwd), env=env)
        self.client = None

    def ready(self) -> None:
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=self.limits.start_seconds)

    def alive(self) -> bool:
        return self.manager.is_alive()

    def execute(self, code: str, seconds: float, run: Run) -> CellOutcome:
        """Run ``code``; interrupt it after ``seconds``. Output goes to ``run.output``, capped."""
        outcome = CellOutcome(len(run.cells), "ok")
        msg_id = self.client.execute(code, allow_stdin=False, store_history=False)
        deadline = time.monotonic() + seconds
        interrupted_at = None
        while True:
            if not self.alive():
                outcome.status, outcome.error = "dead", "the kernel died"
                return outcome
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.manager.interrupt_kernel()
                interrupted_at = now
                outcome.status = "timeout"
                outcome.error = f"the cell was still running after {seconds:g} s and was stopped"
            if interrupted_at is not None and now - interrupted_at > 10:
                outcome.status, outcome.error = "dead", "the cell could not be interrupted"
                return outcome
            try:
                msg = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                self._keep(run, content.get("text", ""))
            elif kind == "error" and outcome.status == "ok":
                outcome.status = "error"
                outcome.error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                return outcome

    def _keep(self, run: Run, text: str) -> None:
        room = self.limits.output_bytes - len(run.output)
        if room > 0:
            run.output += text[:room]
        if len(text) > room:
            run.output_truncated = True

    def shutdown(self) -> None:
        """Stop the kernel and everything it started (its whole process group)."""
        if self.client is not None:
            self.client.stop_channels()
        provisioner = getattr(self.manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        pid = getattr(process, "pid", None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.manager.shutdown_kernel(now=True)
        except Exception:  # already gone: nothing left to stop
            pass
        self.manager.cleanup_resources()
        shutil.rmtree(self.cwd, ignore_errors=True)


def run_cells(kernel: Kernel, sources: list[str], limits: Limits) -> Run:
    """Execute ``sources`` in order within the limits; stop early only if the kernel is gone."""
    run = Run()
    deadline = time.monotonic() + limits.total_seconds
    for source in sources:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.stopped = "timeout"
            break
        outcome = kernel.execute(source, min(limits.cell_seconds, remaining), run)
        run.cells.append(outcome)
        if outcome.status == "error" and outcome.error.startswith("MemoryError"):
            run.stopped = run.stopped or "memory limit"
        if outcome.status == "dead":
            run.stopped = "kernel died"
            break
        if outcome.status == "timeout" and time.monotonic() >= deadline:
            run.stopped = "timeout"
            break
    return run
