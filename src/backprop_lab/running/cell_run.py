"""A run of a notebook's cells in a kernel: each cell's outcome, and what stopped the run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .limits import Limits


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


def run_cells(kernel, sources: list[str], limits: Limits,
              deadline: float | None = None) -> Run:
    """Execute ``sources`` in order in ``kernel`` (a :class:`.kernel.Kernel`), each within
    ``limits.cell_seconds`` and all before ``deadline`` (default: ``limits.total_seconds``
    from now); stop early only if the kernel is gone or the time is up."""
    run = Run()
    if deadline is None:
        deadline = time.monotonic() + limits.total_seconds
    for source in sources:
        if time.monotonic() >= deadline:
            run.stopped = "timeout"
            break
        outcome = kernel.execute(source, limits.cell_seconds, run, deadline=deadline)
        run.cells.append(outcome)
        if (outcome.status != "dead" and not run.stopped
                and kernel.sandbox.limit_hit() == "memory"):
            # a process of its tree was stopped and the kernel lives: like a MemoryError
            outcome.status = "error"
            outcome.error = f"MemoryError: a process went past {kernel.limit_hit()}"
        if outcome.status == "error" and outcome.error.startswith("MemoryError"):
            run.stopped = run.stopped or "memory limit"
        if outcome.status == "dead":
            run.stopped = "kernel died" if "interrupted" not in outcome.error else "stuck"
            break
        if outcome.out_of_time:
            run.stopped = "timeout"
            break
    return run
