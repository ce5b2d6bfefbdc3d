"""Count the Python lines a call runs in the notebook's own code: evidence for "no loop
over examples" (a2's ``backprop_batch``), which the grader judges, not the kernel.

Student-safe. Only frames compiled from notebook cells count (:func:`.standins.is_cell_file`):
NumPy's own Python code, the stand-ins and the course's helpers do not. A call that
leaves another trace function in place (``sys.settrace`` in the student's code) gets no
count, and the grader gives the part nothing (docs/contract.md, section 3).
"""

from __future__ import annotations

import sys

from .standins import is_cell_file


class LineCounter:
    """``with LineCounter() as lines: fn(...)``; then ``lines.count`` is the number of
    line events in notebook frames, or None when the trace was not ours at the end."""

    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        self.count: int | None = 0
        self.skip = skip  # functions not counted (building blocks graded on their own)
        self._previous = None

    def _call(self, frame, event, arg):
        if (event == "call" and is_cell_file(frame.f_code.co_filename)
                and frame.f_code.co_name not in self.skip):
            return self._line
        return None

    def _line(self, frame, event, arg):  # noqa: ARG002 (the trace protocol's arguments)
        if event == "line" and self.count is not None:
            self.count += 1
        return self._line

    def __enter__(self) -> LineCounter:
        self._previous = sys.gettrace()
        sys.settrace(self._call)
        return self

    def __exit__(self, *exc) -> None:
        if sys.gettrace() != self._call:  # the student's code replaced the trace
            self.count = None
        sys.settrace(self._previous)
