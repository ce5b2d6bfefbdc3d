"""``backprop-lab grade``: grade folders of submissions into a gradebook and feedback.

Each submission is graded in a fresh kernel (see :mod:`.running.submission`) by one of
``--workers`` long-lived processes, each of which starts the kernel for its next
submission while it grades the current one; or, with ``--scheduler``, by the workers of
a Dask distributed cluster. Every result is written atomically as it arrives, so an
interrupted run loses only what was in flight; a re-run skips submissions whose file
and autograder are unchanged since their feedback was written (``--force`` regrades);
the gradebook is always rebuilt from the feedback files.

Every file found gets exactly one row: links, FIFOs and other non-regular files are
refused here, unread, before any worker sees them; a worker reads each file once
(:mod:`.running.intake`); whatever goes wrong with one file's record becomes its row
(:mod:`.feedback_folder`), and the batch goes on to its gradebook.
"""

from __future__ import annotations

import hashlib
import html
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .building.autograder import Autograder, find_autograders
from .classroom.run import Setup, finish_class, prepare_class, snapshot
from .reporting.class_stats import load_records
from .reporting.feedback_folder import (  # noqa: F401 (Job, write_atomic... are grade's names too)
    Job,
    is_current,
    keep,
    retire_stale,
    row,
    safe_stem,
    unique_stems,
    write_atomic,
)
from .reporting.report import BASE_COLUMNS, gradebook_rows, mistake_counts, plain, to_csv
from .reporting.similarity import DEFAULT_THRESHOLD
from .running.intake import Ungradable, read_submission, refusal
from .running.kernel import Limits
from .running.sandbox import choose_mode, sealed, to_seal
from .running.submission import grade_file
from .running.workers import crashed, run_local, safe_import_path


@dataclass
class Summary:
    records: list[dict] = field(default_factory=list)
    graded: int = 0
    skipped: int = 0
    seconds: float = 0.0


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


# --- a Dask cluster --------------------------------------------------------------

def grade_remote(name: str, notebook: bytes, zips: dict[str, bytes], limits: Limits,
                 assignment: str | None) -> str:
    """Runs on a Dask worker: the record of one submission as JSON text (never raises).

    The worker first checks it may grade (:func:`.dask_worker.refusal`: one thread, a
    sandbox that cuts the network); it keeps the autograders (unpacked once per worker
    process) and the submission in its private folder, and in mode ``uid`` seals what
    kernels must not read while it grades, as ``grade`` does locally."""
    import tempfile

    from distributed import get_worker

    from .running.dask_worker import private_root, refusal, shared_seal, to_wire

    path = Path(name)
    safe_import_path()  # nothing a kernel's uid can write is imported from, here either
    try:
        worker = get_worker()
        mode = choose_mode()
        tls = [worker.security.tls_worker_key, worker.security.tls_worker_cert]
        key = tls[0] or tls[1]  # a key may come inside the certificate file
        why = refusal(mode, worker.state.nthreads, worker.address, key)
        if why:
            return to_wire({**crashed(path, why), "reason": why})
        root = private_root()
        for zip_name, data in zips.items():
            digest = hashlib.sha256(data).hexdigest()[:16]
            target = root / "autograders" / digest / Path(zip_name).name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(target, data)
        autograders = {}
        for data in zips.values():
            autograders.update(find_autograders(
                root / "autograders" / hashlib.sha256(data).hexdigest()[:16]))
        private = [root, Path(worker.local_directory), *map(Path, limits.private)]
        limits = replace(limits, private=tuple(map(str, private)))
        closed = to_seal([*private, *filter(None, tls)], []) if mode == "uid" else []
        with shared_seal(closed), tempfile.TemporaryDirectory(dir=root) as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(notebook)
            record = grade_file(path, autograders, limits, assignment, data=notebook)
    except BaseException as error:  # a task that raises would send the client a pickle
        record = crashed(path, error)
    return to_wire(record)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run_dask(jobs: list[Job], autograders: dict[str, Autograder], limits: Limits,
             scheduler: str, assignment: str | None) -> Iterator[tuple[int, dict]]:
    """Grade ``jobs`` on the Dask cluster at ``scheduler``, over mutual TLS (the client
    certificate from ``$BPLAB_DASK_SECURITY``; a plain ``tcp://`` scheduler is refused
    unless ``$BPLAB_DASK_INSECURE=1``); yield (job index, record) as each is done. Only
    plain records come back: anything else is that submission's error."""
    from distributed import as_completed

    from .running.dask_security import connect
    from .running.dask_worker import from_wire

    with connect(scheduler) as client:
        zips = {a.path.name: a.path.read_bytes() for a in autograders.values()}
        [zips_future] = client.scatter([zips], broadcast=True)
        futures = {}
        for i, job in enumerate(jobs):
            try:  # read once, no link followed: the bytes sent are the bytes hashed
                data = read_submission(job.path)
            except (Ungradable, OSError) as error:
                yield i, row(job, "invalid", str(error))
                continue
            futures[client.submit(grade_remote, job.path.name, data, zips_future, limits,
                                  assignment, pure=False)] = i
        for future in as_completed(futures):
            path = jobs[futures[future]].path
            try:
                record = from_wire(future.result(), path)
            except Exception as error:  # a result that is not text, a lost worker, ...
                record = crashed(path, error)
            yield futures[future], record


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
    from .reporting.class_report import write_report  # Matplotlib and copydetect: only here

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
          progress: bool = True, similarity: str = "auto", classroom: Setup | None = None,
          similarity_threshold: float = DEFAULT_THRESHOLD) -> Summary:
    paths, class_run = prepare_class(paths, out, classroom)  # issue 20: classroom/run.py
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
    before = snapshot(feedback, [j.stem for j in todo])  # for the regrade ledger
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
    with sealed(to_seal(limits.private, [*paths, *(j.path for j in todo)])
                if mode == "uid" else []):
        done: set[int] = set()
        try:
            for index, record in stream:
                if index not in done:
                    done.add(index)
                    kept(sent[index], record)
        except Exception as error:
            if not done:  # nothing graded at all: a problem of the set-up, said as before
                raise
            # The workers failed midway: the rest get their rows (no checksum: a re-run
            # grades them), and the batch ends with its gradebook.
            why = f"the grader itself failed: {type(error).__name__}: {plain(error)[:200]}"
            print(f"backprop-lab grade: {why}; {len(sent) - len(done)} submissions not graded",
                  file=sys.stderr)
            for index, job in enumerate(sent):
                if index not in done:
                    kept(job, row(job, "error", why))
    summary.seconds = time.monotonic() - started
    finish_class(out, class_run, before, question_order(autograders, load_records(out)), assignment)
    summary.records = rebuild_outputs(out, autograders, similarity=similarity,
                                      similarity_threshold=similarity_threshold)
    return summary
