"""Run a notebook's code cells in a fresh, limited Jupyter kernel.

Limits per kernel: one deadline for the whole submission (its cells and every call the
grader makes to its stubs), a time limit per cell (an endless cell is interrupted and
the next cell runs: Otter has none, its issue #469), an address-space cap (RLIMIT_AS, so
a memory hog gets MemoryError or dies alone), and a cap on the output kept (a notebook
that prints gigabytes costs time, not memory). Interrupts go as messages on the control
channel (a signal cannot reach a kernel in its own PID namespace); a kernel that ignores
them, or is still running at the deadline, is killed with its whole process tree.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
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
    #: Time for one call of a stub by the grader (each call also gets at most what is left).
    call_seconds: float = 10.0
    #: How long an interrupted cell may take to stop before its kernel is killed.
    grace_seconds: float = 5.0
    #: Folders the kernel must not see (autograders, results), beyond the package itself.
    private: tuple[str, ...] = ()


@dataclass
class CellOutcome:
    index: int
    status: str  # "ok", "error", "timeout", "dead"
    error: str = ""
    #: True when the submission's deadline (not the cell's own limit) stopped the cell.
    out_of_time: bool = False


@dataclass
class Run:
    """What happened to the notebook: per-cell outcomes and what stopped it, if anything."""

    cells: list[CellOutcome] = field(default_factory=list)
    output: str = ""
    output_truncated: bool = False
    stopped: str = ""  # "", "timeout", "stuck", "kernel died", "memory limit"

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

    def __init__(self, cwd: Path, limits: Limits, mode: str | None = None):
        """Start a kernel in ``cwd``, a folder it owns: ``shutdown`` deletes it."""
        self.cwd = Path(cwd)
        self.limits = limits
        self.private = Path(tempfile.mkdtemp(prefix="bplab-private-"))  # the grader's only
        self.flags_file = self.private / "flags.log"
        self.sandbox = Sandbox(limits.memory_bytes, self.flags_file, self.cwd, mode=mode)
        self.sandbox.give(self.cwd)
        self.manager = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                              ip=str(self.cwd / "kernel"))
        self.manager.sandbox = self.sandbox
        self.manager.connection_file = str(self.cwd / "connection.json")
        self.manager.kernel_spec.argv[0] = self.sandbox.python  # one the kernel's uid can run
        self.manager.kernel_spec.interrupt_mode = "message"  # signals cannot cross the wall
        home = str(self.cwd)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "BPLAB_"))}
        env.update(KERNEL_ENV, HOME=home, IPYTHONDIR=f"{home}/.ipython",
                   MPLCONFIGDIR=f"{home}/.matplotlib", XDG_CACHE_HOME=f"{home}/.cache",
                   JUPYTER_RUNTIME_DIR=f"{home}/.runtime", TMPDIR=home)
        self.log = open(self.private / "kernel.log", "wb")  # noqa: SIM115 (closed in shutdown)
        self.manager.start_kernel(cwd=home, env=env, stdout=self.log, stderr=self.log)
        self.client = None

    @property
    def mode(self) -> str:
        return self.sandbox.mode

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
                collect: list[str] | None = None, deadline: float | None = None) -> CellOutcome:
        """Run ``code``; interrupt it after ``seconds``; stop at once at ``deadline``
        (``time.monotonic()``; the submission's end: nothing more will run in this kernel).

        Output goes to ``run.output`` (capped), and also to ``collect`` when given.
        ``answer`` replies to the kernel's input requests (the harness's proxies);
        without it the cell may not read input. A cell that does not stop within
        ``limits.grace_seconds`` of its interrupt is ``dead``: the caller kills the kernel.
        """
        outcome = CellOutcome(len(run.cells), "ok")
        msg_id = self.client.execute(code, allow_stdin=answer is not None, store_history=False)
        start = time.monotonic()
        deadline = start + 1e9 if deadline is None else deadline
        limit = min(start + seconds, deadline)
        interrupted_at = None
        poller = zmq.Poller()
        poller.register(self.client.iopub_channel.socket, zmq.POLLIN)
        poller.register(self.client.stdin_channel.socket, zmq.POLLIN)
        while True:
            if not self.alive():
                outcome.status, outcome.error = "dead", "the kernel died"
                return outcome
            now = time.monotonic()
            if now >= deadline:
                outcome.status, outcome.out_of_time = "timeout", True
                outcome.error = (f"the submission's time limit ran out after {now - start:.0f} s "
                                 "of this cell")
                return outcome
            if interrupted_at is None and now > limit:
                self._interrupt()
                interrupted_at = now
                outcome.status = "timeout"
                outcome.error = f"the cell was still running after {seconds:g} s and was stopped"
            if interrupted_at is not None and now - interrupted_at > self.limits.grace_seconds:
                outcome.status = "dead"
                outcome.error = f"the cell ran past {seconds:g} s and could not be interrupted"
                return outcome
            ready = dict(poller.poll(max(1, min(200, int((deadline - now) * 1000)))))
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

    def _interrupt(self) -> None:
        """The control channel's interrupt_request (the kernel raises KeyboardInterrupt)."""
        try:
            self.manager.interrupt_kernel()
        except Exception:  # a kernel past answering: the grace period ends in a kill
            pass

    def _keep(self, run: Run, text: str) -> None:
        room = self.limits.output_bytes - len(run.output)
        if room > 0:
            run.output += text[:room]
        if len(text) > room:
            run.output_truncated = True

    def shutdown(self) -> None:
        """Stop the kernel and everything it started: its process group (under bwrap,
        with its PID namespace) and, as root, every process of its uid."""
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


def run_cells(kernel: Kernel, sources: list[str], limits: Limits,
              deadline: float | None = None) -> Run:
    """Execute ``sources`` in order, each within ``limits.cell_seconds`` and all before
    ``deadline`` (default: ``limits.total_seconds`` from now); stop early only if the
    kernel is gone or the time is up."""
    run = Run()
    if deadline is None:
        deadline = time.monotonic() + limits.total_seconds
    for source in sources:
        if time.monotonic() >= deadline:
            run.stopped = "timeout"
            break
        outcome = kernel.execute(source, limits.cell_seconds, run, deadline=deadline)
        run.cells.append(outcome)
        if outcome.status == "error" and outcome.error.startswith("MemoryError"):
            run.stopped = run.stopped or "memory limit"
        if outcome.status == "dead":
            run.stopped = "kernel died" if "interrupted" not in outcome.error else "stuck"
            break
        if outcome.out_of_time:
            run.stopped = "timeout"
            break
    return run
