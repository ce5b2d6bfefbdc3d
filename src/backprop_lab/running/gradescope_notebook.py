"""The Gradescope test every student sees: which notebook is graded, and how it ran.

A submission may hold several notebooks: :func:`find_submission` picks the one to grade.
The *Notebook* test (:func:`notebook_test`) is visible under every visibility setting,
before grades are published, so it carries nothing about the hidden cases. The rule:

- it depends only on the files submitted and on the run of the notebook's own cells,
  which ends before the first hidden case is sent to the kernel (``record["stopped"]``
  and ``record["cells"]``); nothing that happens while the stubs are graded (the kernel
  dying in a chosen stub, output, a stub's error message) changes a byte of it;
- it quotes no student text but file names (:func:`shown`): an exception is named by
  its class only when that is one of Python's own;
- its length is bounded (``VISIBLE_LIMIT``).
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from pathlib import Path

from ..building.autograder import Autograder
from .submission import Ungradable, defined_stubs, read_notebook

#: What the visible test says of the run of the notebook's own cells (``stopped``).
CELL_PHASE = {"": "Your notebook's cells ran to the end; its functions were then graded "
                  "(the results appear as your instructor chose).",
              "memory limit": "A cell of your notebook ran out of memory; the rest ran, and "
                              "its functions were then graded.",
              "timeout": "Your notebook did not finish within the time limit, so its "
                         "functions could not be graded.",
              "stuck": "A cell of your notebook ran too long and could not be stopped, so "
                       "its functions could not be graded.",
              "kernel died": "Your notebook's kernel died or the notebook exited while its "
                             "cells ran, so its functions could not be graded."}
#: A cell's error text that is the grader's own words, and how the visible test says it.
CELL_STOPS = (("the cell was still running", "ran past the time limit of one cell"),
              ("the submission's time limit ran out", "the submission's time ran out"),
              ("the cell ran past", "could not be stopped"),
              ("the kernel died", "the kernel died"))
NAME_LIMIT = 60
VISIBLE_LIMIT = 1500


@dataclass
class Choice:
    """Which submitted notebook is graded, and why; the others are ignored."""

    notebook: Path | None
    ignored: list[Path]
    why: str  # why this one, or why none


def find_submission(folder: Path, grader: Autograder) -> Choice:
    """The notebook to grade among those submitted: the one named ``<assignment>.ipynb``,
    else the only one defining a stub of the assignment, else the only notebook; with
    several and no such rule, none (the student is told how to resubmit)."""
    found = sorted(p for p in folder.rglob("*.ipynb") if p.is_file() and not p.is_symlink()
                   and not any(part.startswith((".", "__MACOSX")) for part in
                               p.relative_to(folder).parts))
    name = f"{grader.name}.ipynb"
    named = [p for p in found if p.name == name]
    defining = [p for p in found if _defines_stubs(p, grader)]
    for chosen, why in ((named, f"it is named {name}"),
                        (defining, f"it is the only one defining {grader.name}'s functions"),
                        (found, "it is the only notebook")):
        if len(chosen) == 1:
            return Choice(chosen[0], [p for p in found if p != chosen[0]], why)
    if not found:
        return Choice(None, [], "no .ipynb file was submitted")
    return Choice(None, found, f"{len(found)} notebooks were submitted and none is the one "
                  f"to grade: submit only that one, or name it {name}")


def _defines_stubs(path: Path, grader: Autograder) -> bool:
    try:
        return bool(defined_stubs(read_notebook(path)) & grader.stubs())
    except (Ungradable, OSError):
        return False


def shown(text: str, limit: int = NAME_LIMIT) -> str:
    """Student text (a file name), quoted as such: printable characters only, at most
    ``limit`` of them, in double quotes."""
    clean = "".join(c if c.isprintable() and c not in '"\\' else "?" for c in str(text))
    return '"' + (clean if len(clean) <= limit else clean[:limit - 3] + "...") + '"'


def _listed(items: list[str], at_most: int) -> str:
    more = len(items) - at_most
    return ", ".join(items[:at_most]) + (f" and {more} more" if more > 0 else "")


def _cell_outcome(line: str) -> tuple[str, str]:
    """(the cell number, what happened: fixed words) of a record's ``cells`` entry."""
    match = re.match(r"(?:code )?cell (\d+): (.*)", line, re.DOTALL)
    if not match:
        return "?", "an error"
    number, error = match.groups()
    for start, words in CELL_STOPS:
        if error.startswith(start):
            return number, words
    ename = error.split(":", 1)[0].strip()
    if isinstance(getattr(builtins, ename, None), type) and issubclass(
            getattr(builtins, ename), BaseException):
        return number, ename
    return number, "an exception of the notebook's own"


def notebook_test(record: dict, choice: Choice | None = None) -> dict:
    """The always-visible test: which file was graded, and how its own cells ran.

    What it says depends only on the files submitted and on the run of the notebook's
    own cells, which ends before the first hidden case is sent to the kernel: nothing
    that happens while the stubs are graded (the kernel dying, output, time) changes it,
    and it quotes no student text but file names (``shown``). Its length is bounded
    (``VISIBLE_LIMIT``)."""
    lines = []
    if choice is not None and choice.notebook is not None:
        lines.append(f"Graded: {shown(choice.notebook.name)} ({choice.why}).")
    if choice is not None and choice.ignored:
        lines.append("Not graded: " + _listed([shown(p.name) for p in choice.ignored], 3) + ".")
    stopped = record.get("stopped")
    cells = [_cell_outcome(line) for line in record.get("cells", [])]
    if record["status"] == "invalid":
        why = choice.why if choice is not None and choice.notebook is None else \
            record.get("reason", "").split(" (")[0]
        lines.append(f"This submission could not be graded: {shown(why, 240)[1:-1]}.")
    elif stopped is None:
        lines.append("Your notebook could not be started; please tell your instructor.")
    else:
        lines.append(CELL_PHASE.get(stopped, CELL_PHASE[""]))
        if cells:
            lines.append("Code cells that raised an error or were stopped (their later "
                         "cells still ran, unless said above): "
                         + _listed([f"{n} ({what})" for n, what in cells], 10) + ".")
    ok = record["status"] != "invalid" and stopped == "" and not cells
    return {"name": "Notebook", "visibility": "visible", "output_format": "text",
            "output": "\n".join(lines)[:VISIBLE_LIMIT], "status": "passed" if ok else "failed"}
