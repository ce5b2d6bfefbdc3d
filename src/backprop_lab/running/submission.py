"""Grade one submission: read it, route it, run it in a fresh kernel, judge, report.

The kernel runs the student's cells (plots and animations tagged ``otter_ignore`` are
skipped), then only *calls* the stubs on inputs drawn here and writes the raw results;
comparing and scoring happen here, in the grading process (:mod:`.judge`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import nbformat

from ..building.autograder import Autograder
from ..course.calls import OUT_OF_TIME, TIMED_OUT, Raw, encode
from ..judging.counterexample import add_counterexamples, extra_deadline
from ..judging.judge import BUILDS_ON, COUNTED, PARTS
from ..judging.provenance import Bindings
from ..judging.scoring import answer_proxy, concise, parse_flags, parse_raws, score_question
from ..judging.shipping import evaluate, modified, shipped
from ..questions.cases import draw_cases
from ..questions.registry import course_index
from ..questions.secret import submission_key
from ..reporting.similarity import code_cells as notebook_code
from ..reporting.similarity import kept_code
from .cells import cell_name, numbered_code_cells
from .intake import Ungradable, check_structure, read_submission
from .kernel import Kernel, Limits, run_cells

__all__ = ["Ungradable", "answer_proxy", "concise", "grade_file", "parse_raws",
           "score_question"]

PRELUDE = (
    "class _NoGrader:\n"
    "    def __getattr__(self, name):\n"
    "        return lambda *args, **kwargs: None\n"
    "grader = _NoGrader()\n"
    "import bplab.calls as _bplab_calls\n"
    "def _bplab_probe():\n"
    "    pass\n"
    "_bplab_calls.start(_bplab_probe)\n"
    "del _NoGrader, _bplab_probe\n"
)
HARNESS_CELL = (
    "import bplab.calls as _bplab_calls\n"
    "_bplab_calls.report_tampering()\n"
    "_bplab_calls.serve({stub!r}, {payload!r}, {builds_on!r}, globals(),\n"
    "                   get_ipython().kernel.raw_input, {seconds!r}, {budget!r},\n"
    "                   count_lines={count_lines!r})\n"
)
#: Of the time left, what the grader keeps for reading the results back.
HARNESS_MARGIN = 0.5
#: Words in a notebook's source that can fake a line count (decided here, from the source).
TRACE_WORDS = ("settrace", "setprofile", "gettrace", "f_trace", "LineCounter")
DEF_LINE = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def read_notebook(source: Path | bytes) -> nbformat.NotebookNode:
    """The notebook in ``source`` (bytes, or a path read once by ``read_submission``), as
    nbformat v4, its structure checked; anything else is :class:`Ungradable`."""
    data = source if isinstance(source, bytes) else read_submission(source)
    if not data.strip():
        raise Ungradable("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's warnings about old cell ids
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise Ungradable("the file is not a notebook (it is not UTF-8 text)") from None
    except Exception as error:  # nbformat raises many kinds (RecursionError too: deep JSON)
        first = (str(error).splitlines() or [""])[0][:200]
        raise Ungradable(f"the file is not a readable notebook ({type(error).__name__}: "
                         f"{first})") from None
    if not isinstance(nb, dict):
        raise Ungradable("the file is not a notebook (its JSON is not an object)")
    check_structure(nb)
    return nb


def defined_stubs(nb) -> set[str]:
    """Names of the top-level functions the notebook defines (a student may import first)."""
    return {name for c in nb.cells if c.get("cell_type") == "code"
            for name in DEF_LINE.findall(c.get("source", ""))}


def route(nb, autograders: dict[str, Autograder], assignment: str | None) -> Autograder:
    """By Otter metadata, else by the stubs the notebook defines, else by ``assignment``."""
    name = (nb.get("metadata", {}).get("otter") or {}).get("assignment_name")
    if name:
        if name not in autograders:
            raise Ungradable(f"the notebook is for assignment {name!r}, which has no autograder "
                          f"here (known: {', '.join(sorted(autograders)) or 'none'})")
        return autograders[name]
    stubs = defined_stubs(nb)
    overlap = sorted(((len(stubs & a.stubs()), n) for n, a in autograders.items()), reverse=True)
    if overlap and overlap[0][0] > 0 and (len(overlap) == 1 or overlap[0][0] > overlap[1][0]):
        return autograders[overlap[0][1]]
    if assignment:
        if assignment not in autograders:
            raise Ungradable(f"--assignment {assignment!r} has no autograder here")
        return autograders[assignment]
    raise Ungradable("cannot tell which assignment this is: no Otter metadata, no stub of any "
                  "assignment; pass --assignment NAME")


def new_home(bplab: Path) -> Path:
    """A fresh folder for a kernel to start in, with the student helpers ``bplab/``."""
    home = Path(tempfile.mkdtemp(prefix="bplab-kernel-"))
    shutil.copytree(bplab, home / "bplab")
    return home


def _extract_files(grader: Autograder, into: Path) -> Path:
    with zipfile.ZipFile(grader.path) as z:
        for name in z.namelist():
            if name.startswith("files/"):
                z.extract(name, into)
    return into / "files"


def grade_file(path: Path, autograders: dict[str, Autograder], limits: Limits,
               assignment: str | None = None, kernel: Kernel | None = None, *,
               data: bytes | None = None) -> dict:
    """The feedback record of one submission (docs/contract.md, section 4, plus details).

    The file is read once (``data``, when given, is those bytes): its ``sha256``, the
    notebook graded and the ``code`` kept for the similarity report all come from the
    same bytes. A symbolic link or other non-regular file is refused unread."""
    path = Path(path)
    started = time.monotonic()
    record = {"submission": path.name, "assignment": None, "status": "invalid", "score": 0.0,
              "max_score": 0.0, "flags": [], "questions": [], "reason": "", "sha256": "",
              "code": []}
    try:
        if data is None:
            data = read_submission(path)
        record["sha256"] = hashlib.sha256(data).hexdigest()
        nb = read_notebook(data)
        record["code"] = kept_code(notebook_code(nb))
        grader = route(nb, autograders, assignment)
    except (Ungradable, OSError) as error:
        record["reason"] = str(error)
        if kernel is not None:
            kernel.shutdown()
        return record
    record.update(assignment=grader.name, max_score=grader.max_score, autograder=grader.digest,
                  manual=grader.manual)
    with tempfile.TemporaryDirectory(prefix="bplab-grade-") as tmp:
        work = Path(tmp)
        files = _extract_files(grader, work / "autograder")
        if kernel is None:
            kernel = Kernel(new_home(files / "bplab"), limits)
        try:
            key = submission_key(grader.secret, record["sha256"])
            record.update(_run_and_judge(nb, grader, kernel, limits, key))
        except RuntimeError as error:  # the kernel never started: this file's row says so
            record.update(status="error", reason=f"the kernel could not start ({error})")
        finally:
            kernel.shutdown()
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


def _run_and_judge(nb, grader: Autograder, kernel: Kernel, limits: Limits, key: bytes) -> dict:
    """Run the cells, then each graded part's calls, all before one deadline; the hidden
    cases are drawn with the submission's ``key`` (see :mod:`.secret`)."""
    parts = sorted({(p.stub, p.part) for q in grader.questions for p in q.parts},
                   key=lambda sp: (course_index(sp[0]), PARTS.index(sp[1])))
    cases = {sp: draw_cases(*sp, key=key) for sp in parts}
    numbered = numbered_code_cells(nb)
    sources = [source for _, source in numbered]
    bindings = Bindings(sources)
    started = time.monotonic()
    kernel.ready()
    deadline = time.monotonic() + limits.total_seconds
    run = run_cells(kernel, [PRELUDE, *sources], limits, deadline)
    status, reason, flags = "graded", "", []
    raws: dict = {}
    notes: dict[str, list[str]] = {}
    slow: dict[str, str] = {}  # stub -> why its first case failed for time
    if run.stopped in ("timeout", "stuck", "kernel died"):
        status = "error" if run.stopped == "kernel died" else "timeout"
        reason = _explain(run, numbered)
    else:
        if run.stopped == "memory limit":
            status, reason = "error", "memory limit: " + _explain(run, numbered)
        for stub, part in parts:
            refused = bindings.why_not(stub)
            if refused:  # decided from the source: nothing the kernel says can change it
                raws[(stub, part)] = [Raw(error=refused + ", so it earns nothing",
                                          not_implemented=True) for _ in cases[(stub, part)]]
                if refused not in flags:
                    flags.append(refused)
                continue
            if stub in slow:  # the stub already ran out of time: its other cases fail alike
                raws[(stub, part)] = [Raw(error=slow[stub]) for _ in cases[(stub, part)]]
                continue
            outcome, got, found = _harness(kernel, limits, run, stub, part,
                                           cases[(stub, part)], deadline)
            flags += [f for f in found if f not in flags]
            if got is not None and part in COUNTED and any(
                    word in source for source in sources for word in TRACE_WORDS):
                for raw in got:  # the notebook can replace the trace: no evidence
                    raw.lines = None
            if got is not None:
                raws[(stub, part)] = got
                timed = [r.error for r in got if _timed_out(r)]
                if timed:
                    slow[stub] = timed[0]
            elif not outcome.out_of_time:
                notes.setdefault(stub, []).append(f"Not graded ({part}): {outcome.error}.")
            if outcome.out_of_time or any(r.error == OUT_OF_TIME for r in got or []):
                status = "timeout"
                reason = (f"{stub} ran long: the submission's time limit of "
                          f"{limits.total_seconds:g} s ran out while {stub} was graded")
                break
            if outcome.status == "dead":
                status, reason = "error", f"the kernel died while {stub} was graded"
                if kernel.limit_hit():  # the row says which limit
                    reason += f": it went past {kernel.limit_hit()}"
                break
    flags += [f for f in kernel.flags() if f not in flags]
    in_order = sorted(grader.questions, key=lambda q: _course_order(q.name))
    questions = [score_question(q, cases, raws, reason, notes) for q in in_order]
    if status == "graded":  # one more harness run per unnamed mistake (counterexample.py)
        add_counterexamples(questions, cases, raws, lambda stub, drawn: _harness(
            kernel, limits, run, stub, "reference", drawn, extra_deadline(deadline))[1])
    cell_notes = [f"{cell_name(numbered, c.index)}: {c.error}" for c in run.errors()
                  if c.index > 0]
    return {"status": status, "reason": reason, "questions": questions, "flags": flags,
            "score": sum(q["score"] for q in questions), "cells": cell_notes,
            "output_truncated": run.output_truncated, "sandbox": kernel.mode,
            "stopped": run.stopped,  # how the cells ended, before any hidden case (Gradescope)
            "kernel_seconds": round(deadline - limits.total_seconds - started, 2)}


def _course_order(name: str) -> int:
    return course_index(name)


def _timed_out(raw: Raw) -> bool:
    return bool(raw.error) and raw.error.startswith(TIMED_OUT)


def _harness(kernel: Kernel, limits: Limits, run, stub: str, part: str, drawn,
             deadline: float):
    """Have the kernel call ``stub`` on the part's cases before ``deadline``, each call
    within ``limits.call_seconds``; answer its reference requests."""
    flags: list[str] = []
    allowed = BUILDS_ON.get(stub, frozenset())

    def answer(prompt: str) -> str:
        reply = evaluate(prompt, drawn)
        return answer_proxy(prompt, stub, allowed, flags) if reply is None else reply

    left = deadline - time.monotonic()
    sent = [shipped(c.args, i) for i, c in enumerate(drawn)]
    code = HARNESS_CELL.format(stub=stub, builds_on=sorted(allowed), payload=encode(sent),
                               seconds=float(limits.call_seconds),
                               budget=round(max(left - HARNESS_MARGIN, 0.0), 3),
                               count_lines=part in COUNTED)
    collected: list[str] = []
    outcome = kernel.execute(code, left, run, answer, collected, deadline=deadline)
    if outcome.status != "ok":  # what the tampering report said still counts
        return outcome, None, flags + parse_flags("".join(collected))
    try:
        got = parse_raws("".join(collected), len(drawn))
    except Exception as error:  # whatever the kernel printed: this part, not the notebook
        outcome.error = f"the results could not be read ({type(error).__name__}: {error})"
        return outcome, None, flags + parse_flags("".join(collected))
    for raw, args in zip(got["raws"], sent, strict=True):
        raw.mutated = modified(args, raw.after)  # the kernel's own verdicts are not read
        raw.aliased = [] if raw.poked is None else [
            p for p in modified(args, raw.poked) if p not in raw.mutated]
    return outcome, got["raws"], flags + got["flags"]


def _explain(run, numbered: list[tuple[int, str]]) -> str:
    bad = [c for c in run.cells if c.status in ("dead", "timeout") or "MemoryError" in c.error]
    where = f" ({cell_name(numbered, bad[-1].index)})" if bad else ""
    if run.stopped == "timeout":
        return "the notebook did not finish within the time limit" + where
    if run.stopped == "stuck":
        return (bad[-1].error if bad else "a cell could not be interrupted") + where
    if run.stopped == "kernel died":  # the limit it went past, when one stopped it
        return (bad[-1].error if bad else "the kernel died or the notebook exited") + where
    return (bad[-1].error if bad else "an error") + where


