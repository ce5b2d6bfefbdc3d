"""``backprop-lab grade``: grade folders of submissions into a gradebook and feedback.

Each submission is graded in a fresh kernel (see :mod:`.grading.submission`) by one of
``--workers`` long-lived processes, each of which starts the kernel for its next
submission while it grades the current one; or, with ``--scheduler``, by the workers of
a Dask distributed cluster. Every result is written atomically as it arrives, so an
interrupted run loses only what was in flight; a re-run skips submissions whose file
and autograder are unchanged since their feedback was written (``--force`` regrades);
the gradebook is always rebuilt from the feedback files.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .grading.autograder import Autograder, find_autograders
from .grading.class_stats import load_records
from .grading.intake import Ungradable, read_submission, refusal
from .grading.kernel import Limits
from .grading.report import (
    BASE_COLUMNS,
    feedback_markdown,
    gradebook_rows,
    mistake_counts,
    plain,
    to_csv,
)
from .grading.sandbox import choose_mode, private_defaults, sealed
from .grading.similarity import DEFAULT_THRESHOLD
from .grading.submission import grade_file
from .workers import crashed, run_local


@dataclass
class Job:
    path: Path
    #: The name of its feedback files (``feedback/<stem>.json``, ``.md``): unique in the run.
    stem: str
    #: The gradebook's ``submission``: the path relative to the folder graded.
    label: str = ""
    #: The file's own path: its folder resolved, its name kept (a link is not followed).
    source: str = ""


@dataclass
class Summary:
    records: list[dict] = field(default_factory=list)
    graded: int = 0
    skipped: int = 0
    seconds: float = 0.0


#: A feedback file name keeps at most this many bytes of the submission's name.
STEM_BYTES = 120
#: Flags kept per submission, and characters kept per flag.
FLAG_COUNT, FLAG_CHARS = 50, 300


def find_submissions(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every .ipynb under the paths (a file named directly is taken whatever its name),
    each with its label: its path relative to the folder given, or its name."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted((p, p.relative_to(path).as_posix()) for p in path.rglob("*.ipynb")
                            if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append((path, path.name))
    return found


def source_of(path: Path) -> str:
    """The identity of a submission file: its folder resolved, its own name kept."""
    return str(Path(os.path.realpath(path.parent)) / path.name)


def safe_stem(stem: str) -> str:
    """``stem`` as a file name: unprintable characters (surrogates of undecodable bytes,
    controls) and backslashes become ``_``; at most STEM_BYTES bytes of UTF-8."""
    text = "".join(c if c.isprintable() and c != "\\" else "_" for c in stem) or "_"
    return text.encode("utf-8")[:STEM_BYTES].decode("utf-8", errors="ignore")


def unique_stems(found: list[tuple[Path, str]]) -> list[Job]:
    """One job per file (a file found twice is graded once), each with its own feedback
    name and label.

    A file's feedback name is its ``safe_stem``; when an earlier file took that name, it
    is the stem with -2, -3, ..., skipping every name another file has as its own stem
    (so ``a2_backprop-2.ipynb`` keeps its name beside two ``a2_backprop.ipynb``). Names
    are compared case-folded (a case-insensitive disk cannot merge two). No two files
    share a name: a plain name is some file's stem and used once, a numbered one is no
    file's stem. A repeated label gets its folder's name in front, then its full path."""
    jobs, sources = [], set()
    for path, label in found:
        source = source_of(path)
        if source not in sources:
            sources.add(source)
            jobs.append(Job(path, safe_stem(path.stem), label, source))
    for rename in (lambda j: f"{Path(j.source).parent.name}/{j.label}", lambda j: j.source):
        counts = Counter(j.label for j in jobs)
        for job in jobs:
            if counts[job.label] > 1:
                job.label = rename(job)
    taken = {job.stem.casefold() for job in jobs}
    used: set[str] = set()
    for job in jobs:
        key, n = job.stem, 1
        while key.casefold() in used or (n > 1 and key.casefold() in taken):
            n += 1
            key = f"{job.stem}-{n}"
        used.add(key.casefold())
        job.stem = key
    return jobs


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one step; any text is written (a lone surrogate or
    other unencodable character as a backslash escape)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", errors="backslashreplace")
    os.replace(tmp, path)


def is_current(job: Job, feedback: Path, autograders: dict[str, Autograder]) -> bool:
    """True when the feedback was written for this very file and autograder."""
    try:
        old = json.loads((feedback / f"{job.stem}.json").read_text(errors="replace"))
        digest = hashlib.sha256(read_submission(job.path)).hexdigest()
    except (OSError, ValueError, RecursionError, Ungradable):
        return False
    if not isinstance(old, dict) or old.get("source", job.source) != job.source:
        return False  # the stem belonged to another file last time
    grader = autograders.get(str(old.get("assignment") or ""))
    return bool(old.get("sha256")) and old.get("sha256") == digest and (
        grader is None if old.get("status") == "invalid"
        else grader is not None and old.get("autograder") == grader.digest)


def row(job: Job, status: str, reason: str) -> dict:
    """The record of a file that was not graded: ``invalid`` or ``error``, with the reason.
    No checksum, so a re-run tries it again."""
    return {"submission": job.label, "assignment": None, "status": status, "score": 0.0,
            "max_score": 0.0, "flags": [], "questions": [], "reason": reason, "sha256": "",
            "code": []}


def finished(job: Job, record: object) -> dict:
    """The record as it is kept: labelled, its flags escaped, without repeats and capped
    (they are what the kernel said, not ours), its code a list of strings."""
    if not isinstance(record, dict):
        raise TypeError(f"the grading returned a {type(record).__name__}, not a record")
    record.update(submission=job.label, source=job.source)
    flags = record.get("flags") or []
    flags = dict.fromkeys(plain(f)[:FLAG_CHARS] for f in (flags if isinstance(flags, list)
                                                          else [flags]))
    record["flags"] = list(flags)[:FLAG_COUNT]
    code = record.get("code") or []
    record["code"] = [c for c in code if isinstance(c, str)] if isinstance(code, list) else []
    return record


def keep(feedback: Path, job: Job, record: object) -> dict:
    """Write one file's feedback; whatever goes wrong becomes that file's ``error`` row."""
    try:
        record = finished(job, record)
        text = json.dumps(record, indent=1)
        write_atomic(feedback / f"{job.stem}.md", feedback_markdown(record))
        write_atomic(feedback / f"{job.stem}.json", text)
    except Exception as error:
        record = row(job, "error", "its feedback could not be written "
                     f"({type(error).__name__}: {plain(error)[:200]})")
        record["source"] = job.source
        write_atomic(feedback / f"{job.stem}.md", feedback_markdown(record))
        write_atomic(feedback / f"{job.stem}.json", json.dumps(record, indent=1))
    return record


# --- a Dask cluster --------------------------------------------------------------

def grade_remote(name: str, notebook: bytes, zips: dict[str, bytes], limits: Limits,
                 assignment: str | None) -> dict:
    """Runs on a Dask worker: unpack the autograders (once per worker) and grade."""
    import tempfile

    cache = Path(tempfile.gettempdir()) / "backprop-lab-autograders"
    cache.mkdir(mode=0o700, exist_ok=True)
    limits = replace(limits, private=(*limits.private, str(cache)))
    for zip_name, data in zips.items():
        target = cache / hashlib.sha256(data).hexdigest()[:16] / zip_name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data)
    wanted = {hashlib.sha256(d).hexdigest()[:16] for d in zips.values()}
    autograders = {}
    for digest in wanted:
        autograders.update(find_autograders(cache / digest))
    with tempfile.TemporaryDirectory(prefix="bplab-sub-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(notebook)
        try:
            return grade_file(path, autograders, limits, assignment)
        except Exception as error:
            return crashed(path, error)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run_dask(jobs: list[Job], autograders: dict[str, Autograder], limits: Limits,
             scheduler: str, assignment: str | None) -> Iterator[tuple[int, dict]]:
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        zips = {a.path.name: a.path.read_bytes() for a in autograders.values()}
        [zips_future] = client.scatter([zips], broadcast=True)
        futures = {client.submit(grade_remote, job.path.name, job.path.read_bytes(),
                                 zips_future, limits, assignment, pure=False): i
                   for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as error:
                yield futures[future], crashed(jobs[futures[future]].path, error)


# --- progress ------------------------------------------------------------------

class Progress:
    """A bar with ETA on a terminal; one plain line per submission otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.start, self.stream = total, 0, time.monotonic(), stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def update(self, record: dict) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        if self.tty:
            filled = int(30 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                              f"  {elapsed:5.0f}s elapsed, ETA {eta:4.0f}s ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {plain(record['submission'])}: "
                              f"{record['status']} {record['score']:g}/{record['max_score']:g}"
                              f" (ETA {eta:.0f}s)\n")
        self.stream.flush()


# --- the command -----------------------------------------------------------------

def question_order(autograders: dict[str, Autograder], records: list[dict]) -> list[str]:
    names = [q.name for a in autograders.values() for q in a.questions]
    extra = sorted({q["name"] for r in records for q in r["questions"]} - set(names))
    return names + extra


def retire_stale(feedback: Path, jobs: list[Job]) -> list[str]:
    """Move feedback whose submission file is gone (or is now graded under another stem)
    to ``feedback/removed/``, out of the gradebook; return the stems moved."""
    stems = {job.source: job.stem for job in jobs}
    moved = []
    for path in sorted(feedback.glob("*.json")):
        try:
            source = json.loads(path.read_text(errors="replace")).get("source")
        except (OSError, ValueError, RecursionError, AttributeError):
            continue
        if not isinstance(source, str) or (os.path.lexists(source)
                                           and stems.get(source, path.stem) == path.stem):
            continue
        (feedback / "removed").mkdir(exist_ok=True)
        for kind in (".json", ".md"):
            old = path.with_suffix(kind)
            if old.exists():
                os.replace(old, feedback / "removed" / old.name)
        moved.append(path.stem)
    return moved


def rebuild_outputs(out: Path, autograders: dict[str, Autograder], *, similarity: str = "auto",
                    similarity_threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """gradebook.csv, mistakes.csv and report.html from the files in ``out/feedback``.

    The gradebook and mistakes are written first; a report that cannot be built is
    replaced by a page that says why (and a warning), so the gradebook always stands."""
    records = load_records(out)
    questions = question_order(autograders, records)
    rows = gradebook_rows(records, questions)
    write_atomic(out / "gradebook.csv", to_csv(rows, BASE_COLUMNS + questions))
    counts = mistake_counts(records)
    mistakes = [{"question": q, "mistake": code, "submissions": n}
                for (q, code), n in sorted(counts.items())]
    write_atomic(out / "mistakes.csv", to_csv(mistakes, ["question", "mistake", "submissions"]))
    from .grading.class_report import write_report  # Matplotlib and copydetect: only here

    try:
        write_report(out, [a.path for a in autograders.values()], similarity=similarity,
                     threshold=similarity_threshold)
    except Exception as error:  # the report is a view: the gradebook above stands
        why = f"{type(error).__name__}: {plain(error)[:300]}"
        print(f"backprop-lab grade: the class report could not be built ({why}); "
              "the gradebook and feedback are complete", file=sys.stderr)
        write_atomic(out / "report.html", "<!DOCTYPE html><meta charset=utf-8><title>Class "
                     "report</title><p>The class report could not be built: "
                     f"{html.escape(why)}. The gradebook and feedback are complete.</p>\n")
    return records


def grade(paths: list[Path], out: Path, *, autograder_dir: Path = Path("dist"),
          workers: int | None = None, limits: Limits | None = None,
          scheduler: str | None = None, force: bool = False, assignment: str | None = None,
          progress: bool = True, similarity: str = "auto",
          similarity_threshold: float = DEFAULT_THRESHOLD) -> Summary:
    limits = limits or Limits()
    # The kernels must not see the autograders or the results, wherever they are.
    private = (str(Path(autograder_dir).resolve()), str(Path(out).resolve()))
    limits = replace(limits, private=tuple(dict.fromkeys((*limits.private, *private))))
    autograders = find_autograders(autograder_dir)
    if not autograders:
        raise FileNotFoundError(f"no autograder zips under {autograder_dir}: "
                                "run `backprop-lab build` first")
    feedback = out / "feedback"
    feedback.mkdir(parents=True, exist_ok=True)
    jobs = unique_stems(find_submissions(paths))
    retire_stale(feedback, jobs)
    todo = [j for j in jobs if force or not is_current(j, feedback, autograders)]
    summary = Summary(skipped=len(jobs) - len(todo))
    started = time.monotonic()
    bar = Progress(len(todo)) if progress and todo else None
    mode = choose_mode()
    # Links, FIFOs, folders...: refused here, never handed to a worker (which refuses them
    # too, should one be swapped in meanwhile).
    sent, refused = [], []
    for job in todo:
        why = refusal(job.path)
        if why:
            refused.append((job, why))
        else:
            sent.append(job)
    if not sent:
        stream = iter(())
    elif scheduler:
        stream = run_dask(sent, autograders, limits, scheduler, assignment)
    else:
        stream = run_local(sent, autograder_dir, limits, workers or os.cpu_count() or 1,
                           assignment, mode)

    def kept(job: Job, record: object) -> None:
        record = keep(feedback, job, record)
        summary.graded += 1
        if bar:
            bar.update(record)

    for job, why in refused:
        kept(job, row(job, "invalid", why))
    # In the uid mode nothing hides files: what kernels must not read is closed meanwhile.
    with sealed([*private_defaults(), *map(Path, limits.private)] if mode == "uid" else []):
        done: set[int] = set()
        try:
            for index, record in stream:
                if index not in done:
                    done.add(index)
                    kept(sent[index], record)
        except Exception as error:  # the workers themselves failed: the rest get their rows
            why = f"the grader itself failed: {type(error).__name__}: {plain(error)[:200]}"
            for index, job in enumerate(sent):
                if index not in done:
                    kept(job, row(job, "error", why))
    summary.seconds = time.monotonic() - started
    summary.records = rebuild_outputs(out, autograders, similarity=similarity,
                                      similarity_threshold=similarity_threshold)
    return summary
