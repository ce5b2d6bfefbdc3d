"""What the Gradescope zip runs: grade /autograder/submission, write results/results.json.

Gradescope unpacks the zip into ``/autograder/source`` and runs ``run_autograder`` as
root, once per submission. This grades the submission with the same code as
``backprop-lab grade`` (:func:`.running.submission.grade_file`: the student's code in a
sandboxed kernel of its own, judged in this process) and writes Gradescope's results
file (https://gradescope-autograders.readthedocs.io/en/latest/specs/):

- a visible test "Notebook": which submitted file was graded and which were not, and how
  the notebook's own cells ran; it tells nothing about the hidden cases
  (:mod:`.gradescope_notebook`);
- a test per question part (reference, finite differences, inputs unchanged) with its
  points, the question's feedback in ``output``, and the visibility the instructor chose
  at build time (``autograder.json`` in the zip, default ``after_published``);
- instructor-only tests (visibility ``hidden``): the status and reason of the whole
  grading, and the flags.

The time limits are ``LIMITS`` unless the instructor chose others at build time
(``build --cell-timeout/--timeout``, kept in ``autograder.json``).

Before any student code runs, ``/autograder`` (the autograder's files, the student's
metadata, the results) is made root-only (mode 0700), so a kernel running as a uid of
its own can neither read nor write it even where the container refuses new namespaces.
The root is an argument (``BPLAB_AUTOGRADER_ROOT`` in ``run_autograder``) so that tests
can emulate Gradescope in a temporary folder.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import replace
from pathlib import Path

from .building.autograder import Autograder, read_autograder
from .reporting.report import kernel_says
from .running.gradescope_notebook import Choice, find_submission, notebook_test
from .running.kernel import Limits
from .running.sandbox import choose_mode
from .running.submission import grade_file

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
DEFAULT_VISIBILITY = "after_published"
#: Within Gradescope's default 10-minute limit, so a slow notebook still gets its results.
LIMITS = Limits(cell_seconds=60.0, total_seconds=420.0)
PART_NAMES = {"reference": "equals the reference solution",
              "finite_differences": "equals finite differences",
              "inputs_unchanged": "leaves its inputs unchanged"}
def lock_down(root: Path) -> None:
    """Make ``root`` root-only (0700), with ``results/`` in it, when running as root."""
    (root / "results").mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return
    for folder in (root, root / "source", root / "results", root / "submission"):
        if folder.is_dir():
            os.chown(folder, 0, 0)
            os.chmod(folder, 0o700)


#: What grading reads of the unpacked zip (``autograder.json`` holds the secret).
KEPT = ("tests/", "files/", "otter_config", "autograder.json")


def load_autograder(source: Path, into: Path) -> Autograder:
    """The unpacked zip in ``source``, zipped again into ``into`` as ``grade_file`` reads it."""
    config = json.loads((source / "otter_config.json").read_text())
    path = into / f"{config['assignment_name']}-autograder.zip"
    with zipfile.ZipFile(path, "w") as z:
        for file in sorted(source.rglob("*")):
            relative = file.relative_to(source).as_posix()
            if file.is_file() and relative.startswith(KEPT):
                z.write(file, relative)
    return read_autograder(path)


def settings_of(source: Path) -> dict:
    """What the instructor chose at build time (``autograder.json``), or ``{}``."""
    path = source / "autograder.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def visibility_of(source: Path) -> str:
    chosen = settings_of(source).get("hidden_visibility")
    return chosen if chosen in VISIBILITIES else DEFAULT_VISIBILITY


def limits_of(source: Path) -> Limits:
    """``LIMITS``, with the cell and total seconds the instructor chose at build time."""
    settings = settings_of(source)
    chosen = {k: float(settings[k]) for k in ("cell_seconds", "total_seconds")
              if isinstance(settings.get(k), (int, float)) and settings[k] > 0}
    return replace(LIMITS, **chosen)


def details_test(record: dict, choice: Choice | None) -> dict:
    """For the instructor only: the status and reason of the whole grading."""
    lines = [f"status: {record['status']}; reason: {record.get('reason') or '-'}",
             f"sandbox: {record.get('sandbox', '-')}"]
    if record.get("output_truncated"):
        lines.append("The notebook printed more than 1 MiB; the rest was not kept.")
    lines += [f"{line[:300]!r}" for line in record.get("cells", [])[:20]]
    if choice is not None:
        lines.append(f"chosen: {choice.notebook}; ignored: {[str(p) for p in choice.ignored]}")
    return {"name": "Grading details (instructor only)", "visibility": "hidden",
            "output_format": "text", "output": "\n".join(lines), "status": "passed"}


def part_tests(record: dict, visibility: str) -> list[dict]:
    tests = []
    for q in record["questions"]:
        feedback = "\n".join(q["messages"])
        if q["diagnoses"]:
            feedback += "\nNamed mistakes: " + ", ".join(q["diagnoses"])
        whole = {"part": "", "score": q["score"], "max_score": q["max_score"]}
        for part in q.get("parts") or [whole]:  # a record without parts: one per question
            passed = part["score"] == part["max_score"]
            label = PART_NAMES.get(part["part"], part["part"])
            tests.append({"name": f"{q['name']}: {label}" if label else q["name"],
                          "score": part["score"], "max_score": part["max_score"],
                          "visibility": visibility, "output_format": "text",
                          "output": "Passed." if passed else feedback or "Failed.",
                          "status": "passed" if passed else "failed"})
    return tests


def to_results(record: dict, visibility: str = DEFAULT_VISIBILITY,
               choice: Choice | None = None) -> dict:
    """Gradescope's results.json for one ``grade_file`` record (``choice``: which of the
    submitted files it is)."""
    # what a kernel reported is evidence: escaped, and said to be the kernel's
    flags = [kernel_says(record.get("submission") or "the submission", f)
             for f in record.get("flags", [])]
    tests = [notebook_test(record, choice), *part_tests(record, visibility),
             details_test(record, choice),
             {"name": "Flags (instructor only)", "visibility": "hidden", "output_format": "text",
              "output": "\n".join(flags) if flags else "No flags.",
              "status": "failed" if flags else "passed"}]
    return {"score": float(record["score"]), "execution_time": record.get("seconds", 0.0),
            "output": tests[0]["output"], "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"status": record["status"], "assignment": record["assignment"],
                           "submission": record["submission"], "flags": flags,
                           "sandbox": choose_mode()}}


def failure(error: str) -> dict:
    """Results for when the autograder itself failed: zero, visible, the detail hidden."""
    return {"score": 0.0, "output": "The autograder failed; please tell your instructor.",
            "stdout_visibility": "hidden",
            "tests": [{"name": "Autograder failed", "visibility": "visible", "status": "failed",
                       "output": "The autograder failed; please tell your instructor."},
                      {"name": "Autograder error (instructor only)", "visibility": "hidden",
                       "status": "failed", "output": error}]}


def write_results(results_dir: Path, results: dict) -> Path:
    target = results_dir / "results.json"
    tmp = results_dir / ".results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2))
    os.replace(tmp, target)
    return target


def grade_submission(root: Path, limits: Limits = LIMITS) -> tuple[dict, Choice]:
    source = root / "source"
    with tempfile.TemporaryDirectory(prefix="bplab-gradescope-") as tmp:
        grader = load_autograder(source, Path(tmp))
        choice = find_submission(root / "submission", grader)
        if choice.notebook is None:
            record = {"submission": "", "assignment": grader.name, "status": "invalid",
                      "score": 0.0, "max_score": grader.max_score, "flags": [],
                      "questions": [], "reason": choice.why}
        else:
            private = (str(root), tmp, *limits.private)
            record = grade_file(choice.notebook, {grader.name: grader},
                                replace(limits, private=private), assignment=grader.name)
    return record, choice


def main(root: str | Path = "/autograder") -> int:
    """Grade the one submission under ``root`` and write ``root/results/results.json``."""
    root = Path(root).resolve()
    started = time.monotonic()
    try:
        lock_down(root)
        record, choice = grade_submission(root, limits_of(root / "source"))
        results = to_results(record, visibility_of(root / "source"), choice)
    except Exception:
        results = failure(traceback.format_exc())
        record = None
    results["execution_time"] = round(time.monotonic() - started, 2)
    write_results(root / "results", results)
    if record is not None:
        print(f"{record['submission']}: {record['status']} {record['score']:g}/"
              f"{record['max_score']:g} {record.get('reason', '')} (sandbox: {choose_mode()})")
        for q in record["questions"]:
            print(f"  {q['name']}: {q['score']:g}/{q['max_score']:g} {' '.join(q['diagnoses'])}")
        for flag in record["flags"]:
            print(f"  flag: {kernel_says(record['submission'], flag)}")
    else:
        print(results["tests"][1]["output"], file=sys.stderr)
    return 0
