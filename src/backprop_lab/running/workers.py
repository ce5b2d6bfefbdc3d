"""Local worker processes for ``grade``: each holds one submission at a time.

Each worker starts the kernel for its next submission while it grades the current one.
The parent hands out the submissions one by one, so it knows which one each worker
holds: a worker that dies costs only that one (status ``error``, no checksum, so a
re-run grades it), and a new worker takes the rest of the batch.

As root, kernels run as other uids that may write wherever others can (a world-writable
working folder, ``/tmp``). Nothing the grader runs imports from there: worker processes
(and multiprocessing's resource tracker) start in a private folder of their own, so the
``''`` their ``python -c`` puts first on ``sys.path`` is that folder; and the grader and
its workers drop from ``sys.path`` every folder another user can write
(:func:`safe_import_path`).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..building.autograder import Autograder, find_autograders
from .kernel import Kernel, Limits
from .sandbox import UID_BASE, UID_COUNT, choose_mode
from .submission import grade_file, new_home


def run_local(jobs: list, autograder_dir: Path, limits: Limits, workers: int,
              assignment: str | None, mode: str | None = None) -> Iterator[tuple[int, dict]]:
    """Grade ``jobs`` on local workers; yield (job index, record) as each is done.

    A worker that dies (killed, out of memory) costs only the submission it held: that
    one gets status ``error`` and no checksum (so a re-run grades it), and a new worker
    takes the rest."""
    safe_import_path()
    pending = list(range(len(jobs)))[::-1]
    pool = _Pool(max(1, min(workers, len(jobs))),
                 (os.path.abspath(autograder_dir), limits, assignment, mode or choose_mode()))
    done: set[int] = set()
    deaths = 0
    try:
        for number in list(pool.procs):
            pool.give(number, _next(pending, jobs))
        while len(done) < len(jobs):
            try:
                number, index, record = pool.results.get(timeout=0.5)
            except queue.Empty:
                for _, held, code in pool.dead():
                    deaths += 1
                    if held is not None and held not in done:
                        done.add(held)
                        yield held, crashed(jobs[held].path, f"its worker process died "
                                            f"(exit code {code}) while grading it")
                    if pending and deaths > len(jobs) + workers:  # they die at start
                        while pending:
                            i = pending.pop()
                            done.add(i)
                            yield i, crashed(jobs[i].path, "the worker processes keep dying")
                    elif pending:
                        pool.give(pool.spawn(), _next(pending, jobs))
                continue
            if index in done:
                continue
            done.add(index)
            yield index, record
            if number in pool.procs:
                pool.give(number, _next(pending, jobs))
    finally:
        pool.close()


def _next(pending: list[int], jobs: list) -> tuple[int, str] | None:
    # absolute: a worker works in a folder of its own
    return (i := pending.pop(), os.path.abspath(jobs[i].path)) if pending else None


def writable_by_others(folder: str) -> bool:
    """Could a kernel's uid add a module in ``folder`` (``''``: the working folder)?
    Yes when all may write there (``/tmp`` too), or a kernel uid owns it or its group;
    anything unreadable counts as writable. (In the ``none`` mode the kernel is this
    user: it could write anywhere the grader can, but gains nothing by it.)"""
    try:
        info = Path(folder or ".").resolve().stat()
    except OSError:
        return True
    kernels = range(UID_BASE, UID_BASE + UID_COUNT)
    return bool(info.st_mode & stat.S_IWOTH) or info.st_uid in kernels or (
        info.st_gid in kernels and bool(info.st_mode & stat.S_IWGRP))


def safe_import_path() -> list[str]:
    """Drop from ``sys.path`` every entry a kernel's uid could write (or create: one that
    does not exist); return them."""
    dropped = [p for p in sys.path
               if (p and not os.path.exists(p)) or writable_by_others(p)]
    sys.path[:] = [p for p in sys.path if p not in dropped]
    return dropped


def _worker(number: int, tasks, results, autograder_dir: str, limits: Limits,
            assignment: str | None, mode: str):
    """Grade the tasks given to this worker, one at a time, until told to stop (None)."""
    safe_import_path()
    autograders = find_autograders(Path(autograder_dir))
    bplab = _any_bplab(autograders)
    upcoming = Kernel(new_home(bplab), limits, mode)
    while (task := tasks.get()) is not None:
        index, path = task
        kernel, upcoming = upcoming, Kernel(new_home(bplab), limits, mode)
        try:
            record = grade_file(Path(path), autograders, limits, assignment, kernel=kernel)
        except Exception as error:  # a bug of ours must not cost the batch
            record = crashed(Path(path), error)
        results.put((number, index, record))
    upcoming.shutdown()


def _any_bplab(autograders: dict[str, Autograder]) -> Path:
    """The student helpers, unpacked once per worker from any autograder zip."""
    import tempfile
    import zipfile

    grader = next(iter(autograders.values()))
    into = Path(tempfile.mkdtemp(prefix="bplab-helpers-"))
    with zipfile.ZipFile(grader.path) as z:
        for name in z.namelist():
            if name.startswith("files/bplab/"):
                z.extract(name, into)
    return into / "files" / "bplab"


def crashed(path: Path, error: Exception | str) -> dict:
    why = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return {"submission": path.name, "assignment": None, "status": "error", "score": 0.0,
            "max_score": 0.0, "flags": [], "questions": [], "sha256": "",
            "reason": f"the grader itself failed: {why}"}


class _Pool:
    """Worker processes, each given one task at a time, so that the task a dead worker
    held is known: it is reported as an error and a new worker takes the rest."""

    def __init__(self, count: int, args: tuple, target=None, isolate: bool = True):
        """``isolate=False``: start the workers in the caller's working folder (the old
        way; tests' control only)."""
        self.context = multiprocessing.get_context("spawn")
        self.target = target or _worker
        self.home = Path(tempfile.mkdtemp(prefix="bplab-workers-")) if isolate else None
        with self._private():  # the queues start the resource tracker
            self.results = self.context.Queue()
        self.args = args
        self.procs: dict[int, tuple] = {}  # number -> (process, its task queue)
        self.holding: dict[int, int | None] = {}
        self.spawned = 0
        for _ in range(count):
            self.spawn()

    @contextmanager
    def _private(self):
        """In the pool's own folder (root's, mode 700) while a process starts: it is the
        working folder it inherits and the ``''`` on its ``sys.path``."""
        if self.home is None:
            yield
            return
        here = os.getcwd()
        os.chdir(self.home)
        try:
            yield
        finally:
            os.chdir(here)

    def spawn(self) -> int:
        number, self.spawned = self.spawned, self.spawned + 1
        with self._private():
            tasks = self.context.Queue()
            proc = self.context.Process(target=self.target, daemon=True,
                                        args=(number, tasks, self.results, *self.args))
            proc.start()
        self.procs[number], self.holding[number] = (proc, tasks), None
        return number

    def give(self, number: int, task: tuple[int, str] | None) -> None:
        self.holding[number] = None if task is None else task[0]
        self.procs[number][1].put(task)

    def dead(self) -> list[tuple[int, int | None, int | None]]:
        """(worker, the task it held, its exit code) for each worker that died."""
        gone = [(n, self.holding[n], p.exitcode) for n, (p, _) in self.procs.items()
                if not p.is_alive()]
        for n, _, _ in gone:
            del self.procs[n], self.holding[n]
        return gone

    def close(self) -> None:
        for number in list(self.procs):
            self.give(number, None)
        for proc, _ in self.procs.values():
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
