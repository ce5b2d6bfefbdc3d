"""Run a notebook's code cells in a fresh, limited Jupyter kernel.

Limits per kernel: one deadline for the whole submission (its cells, every call the
grader makes to its stubs, and the grader's own work answering them), a time limit per
cell (an endless cell is interrupted and the next cell runs: Otter has none, its issue
#469), memory (RLIMIT_AS per process, and, as root where a control group can be made,
one limit on the whole process tree: :mod:`.cgroups`), files (RLIMIT_FSIZE, and
size-limited tmpfs for ``/tmp`` and the home folder where the wall allows), and output:
no message from the kernel larger than ``message_bytes`` is ever received (ZeroMQ drops
it unread), the output kept is capped as it arrives, and what is collected for the
grader is capped too (a notebook that prints gigabytes costs its own time, not the
grader's memory). The kernel starts from a clean environment (:func:`kernel_environment`:
an allow-list). Interrupts go as messages on the control channel (a signal cannot reach
a kernel in its own PID namespace); a kernel that ignores them, or is still running at
the deadline, is killed with its whole process tree.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import zmq
from jupyter_client import KernelManager

from ..course.calls import FLAG_MARK
from .cell_run import CellOutcome, Run, run_cells
from .limits import GIB, KERNEL_ENV, MIB, REPLY_GRACE, Limits, kernel_environment
from .sandbox import Sandbox

__all__ = ["GIB", "KERNEL_ENV", "MIB", "CellOutcome", "Kernel", "Limits", "Run",
           "kernel_environment", "run_cells"]

#: How often a cell's loop asks whether the kernel still lives (at most), in seconds.
ALIVE_EVERY = 0.05


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
        self.sandbox = Sandbox(limits.memory_bytes, self.flags_file, self.cwd, mode=mode,
                               nproc=limits.processes, disk=limits.disk_bytes,
                               whole_tree=limits.whole_tree)
        self.sandbox.give(self.cwd)
        # Every socket of this kernel's client and manager refuses larger messages unread.
        self.context = zmq.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, limits.message_bytes)
        self.manager = SandboxedKernelManager(kernel_name="python3", transport="ipc",
                                              ip=str(self.cwd / "kernel"),
                                              context=self.context)
        self.manager.sandbox = self.sandbox
        self.manager.connection_file = str(self.cwd / "connection.json")
        self.manager.kernel_spec.argv[0] = self.sandbox.python  # one the kernel's uid can run
        self.manager.kernel_spec.interrupt_mode = "message"  # signals cannot cross the wall
        home = str(self.cwd)
        self.log = open(self.private / "kernel.log", "wb")  # noqa: SIM115 (closed in shutdown)
        self.manager.start_kernel(cwd=home, env=kernel_environment(home), stdout=self.log,
                                  stderr=self.log)
        self.client = None

    @property
    def mode(self) -> str:
        return self.sandbox.mode

    def ready(self) -> None:
        self.client = self.manager.client(context=self.context)
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

        Output goes to ``run.output`` (capped), and also to ``collect`` when given, up to
        ``limits.message_bytes``: past that, the cell's outcome is an error that says so
        and the rest is read and dropped. ``answer`` replies to the kernel's input
        requests (the harness's proxies), inside the same deadline (the time it takes is
        the submission's); without it the cell may not read input. A cell that does not
        stop within ``limits.grace_seconds`` of its interrupt is ``dead``: the caller
        kills the kernel. A cell whose output was dropped unread (a message past
        ``limits.message_bytes``) ends on its reply from the shell channel instead.
        """
        outcome = CellOutcome(len(run.cells), "ok")
        msg_id = self.client.execute(code, allow_stdin=answer is not None, store_history=False)
        start = time.monotonic()
        deadline = start + 1e9 if deadline is None else deadline
        limit = min(start + seconds, deadline)
        interrupted_at = replied_at = None
        heard = start  # when the output channel last said anything
        checked = start - ALIVE_EVERY  # when the kernel was last seen alive
        collected = 0
        poller = zmq.Poller()
        # The channels' own get_msg (signatures checked as ever), not the client's
        # get_*_msg, which wrap each call in an asyncio loop (~0.1 ms a request).
        iopub, stdin, shell = (self.client.iopub_channel, self.client.stdin_channel,
                               self.client.shell_channel)
        for channel in (iopub, stdin, shell):
            poller.register(channel.socket, zmq.POLLIN)
        while True:
            now = time.monotonic()
            if now - checked >= ALIVE_EVERY:  # (a request answered every 2 ms needs no check)
                if not self.alive():
                    outcome.status, outcome.error = "dead", self.death()
                    return outcome
                checked = now
            if now >= deadline:
                outcome.status, outcome.out_of_time = "timeout", True
                outcome.error = (f"the submission's time limit ran out after {now - start:.0f} s "
                                 "of this cell")
                return outcome
            if replied_at is not None and now - max(replied_at, heard) > REPLY_GRACE:
                run.output_truncated = True  # its output went past the limit, unread
                if outcome.status == "ok" and collect is not None:
                    outcome.status = "error"
                    outcome.error = (f"its output went past {self.limits.message_bytes:,} "
                                     "bytes at once and was not read")
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
            if stdin.socket in ready:
                request = stdin.get_msg(timeout=0)
                prompt = request["content"].get("prompt", "")
                self.client.input(answer(prompt) if answer else "")
            if shell.socket in ready:
                reply = self._own(shell.get_msg, msg_id)
                if reply is not None and reply["msg_type"] == "execute_reply":
                    replied_at = time.monotonic()
            if iopub.socket not in ready:
                continue
            heard = time.monotonic()
            msg = self._own(iopub.get_msg, msg_id)
            if msg is None:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text = content.get("text", "")
                self._keep(run, text)
                if collect is not None and collected <= self.limits.message_bytes:
                    collected += len(text)
                    if collected <= self.limits.message_bytes:
                        collect.append(text)
                    elif outcome.status == "ok":
                        outcome.status = "error"
                        outcome.error = (f"it printed more than {self.limits.message_bytes:,} "
                                         "characters while it was called; the grader read "
                                         "no further")
            elif kind == "error" and outcome.status == "ok":
                outcome.status = "error"
                outcome.error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                return outcome

    @staticmethod
    def _own(get: Callable, msg_id: str) -> dict | None:
        """The next message from ``get`` if it answers ``msg_id`` (others are dropped)."""
        try:
            msg = get(timeout=0)
        except queue.Empty:
            return None
        return msg if msg.get("parent_header", {}).get("msg_id") == msg_id else None

    def limit_hit(self) -> str:
        """The limit of its whole process tree the kernel went past, said for the
        student (``""``: none, or no such limit here)."""
        hit = self.sandbox.limit_hit()
        if hit == "memory":
            return (f"the memory limit of {self.limits.memory_bytes:,} bytes for all its "
                    "processes together")
        if hit == "processes":
            return f"the limit of {self.limits.processes} processes"
        return ""

    def death(self) -> str:
        """Why the kernel is gone, in the student's terms: a limit it hit, if one was."""
        hit = self.limit_hit()
        if hit:
            return f"the kernel was stopped at {hit}"
        return "the kernel died or the notebook exited"

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
        self.context.destroy(linger=0)  # ours (given to the manager): its I/O thread too
        self.sandbox.release()  # kills whatever the kernel left running
        self.log.close()
        shutil.rmtree(self.cwd, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)
