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
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client import KernelManager

from ..course.calls import FLAG_MARK
from .sandbox import Sandbox

GIB = 1 << 30


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
    #: Folders the kernel must not see (autograders, results), beyond the package itself.
    private: tuple[str, ...] = ()


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


class SandboxedKernelManager(KernelManager):
    sandbox: Sandbox | None = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        self.sandbox.give(Path(self.connection_file))  # written just now, by root
        return [*self.sandbox.prefix(), *cmd]


class Kernel:
    """A kernel started at construction (without waiting), used for one notebook."""

    def __init__(self, cwd: Path, limits: Limits):
        """Start a kernel in ``cwd``, a folder it owns: ``shutdown`` deletes it."""
        self.cwd = Path(cwd)
        self.limits = limits
        self.private = Path(tempfile.mkdtemp(prefix="bplab-private-"))  # the grader's only
        self.flags_file = self.private / "flags.log"
        self.sandbox = Sandbox(limits.memory_bytes, [Path(p) for p in limits.private],
                               self.flags_file, self.cwd)
        self.sandbox.give(self.cwd)
        self.manager = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                              ip=str(self.cwd / "kernel"))
        self.manager.sandbox = self.sandbox
        self.manager.connection_file = str(self.cwd / "connection.json")
        self.manager.kernel_spec.argv[0] = sys.executable  # this environment's Python
        home = str(self.cwd)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "BPLAB_"))}
        env.update(KERNEL_ENV, HOME=home, IPYTHONDIR=f"{home}/.ipython",
                   MPLCONFIGDIR=f"{home}/.matplotlib", XDG_CACHE_HOME=f"{home}/.cache",
                   JUPYTER_RUNTIME_DIR=f"{home}/.runtime", TMPDIR=home)
        self.log = open(self.private / "kernel.log", "wb")  # noqa: SIM115 (closed in shutdown)
        self.manager.start_kernel(cwd=home, env=env, stdout=self.log, stderr=self.log)
        self.client = None

    def ready(self) -> None:
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=self.limits.start_seconds)

    def alive(self) -> bool:
        return self.manager.is_alive()

    def flags(self) -> list[str]:
        """What the kernel's audit hook reported, in order, without repeats."""
        seen: list[str] = []
        try:
            text = self.flags_file.read_text(errors="replace")
        except OSError:
            return seen
        for line in text.splitlines():
            if line.startswith(FLAG_MARK) and line[len(FLAG_MARK):] not in seen:
                seen.append(line[len(FLAG_MARK):][:300])
        return seen[:50]

    def execute(self, code: str, seconds: float, run: Run,
                answer: Callable[[str], str] | None = None,
                collect: list[str] | None = None) -> CellOutcome:
        """Run ``code``; interrupt it after ``seconds``.

        Output goes to ``run.output`` (capped), and also to ``collect`` when given.
        ``answer`` replies to the kernel's input requests (the harness's proxies);
        without it the cell may not read input.
        """
        outcome = CellOutcome(len(run.cells), "ok")
        msg_id = self.client.execute(code, allow_stdin=answer is not None, store_history=False)
        deadline = time.monotonic() + seconds
        interrupted_at = None
        poller = zmq.Poller()
        poller.register(self.client.iopub_channel.socket, zmq.POLLIN)
        poller.register(self.client.stdin_channel.socket, zmq.POLLIN)
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
            ready = dict(poller.poll(200))
            if self.client.stdin_channel.socket in ready:
                request = self.client.get_stdin_msg(timeout=0)
                prompt = request["content"].get("prompt", "")
                self.client.input(answer(prompt) if answer else "")
            if self.client.iopub_channel.socket not in ready:
                continue
            try:
                msg = self.client.get_iopub_msg(timeout=0)
            except queue.Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                self._keep(run, content.get("text", ""))
                if collect is not None:
                    collect.append(content.get("text", ""))
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
        self.sandbox.release()  # kills whatever the kernel left running
        self.log.close()
        shutil.rmtree(self.cwd, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)


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
