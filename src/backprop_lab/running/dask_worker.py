"""What a Dask worker checks and keeps private before it grades, and what it sends back.

- It grades with one thread only (``dask worker --nthreads 1``): one kernel at a time per
  worker process, as the local workers do.
- It grades only on a TLS cluster (unless started with ``BPLAB_DASK_INSECURE=1``), and
  only when its own TLS key is closed to other users.
- It refuses the modes ``uid`` and ``none``, where a kernel keeps the network and so can
  reach the scheduler and the other workers, unless the worker was started with
  ``BPLAB_DASK_ALLOW_NETWORK=1``.
- Its autograders and submissions live in a folder of its own (made by ``mkdtemp``: 0700,
  its user's), and in mode ``uid`` what kernels must not read is sealed while it grades
  (:func:`shared_seal`: :func:`.running.sandbox.sealed` for every worker process of the
  machine at once).
- It sends the record back as JSON text; the client reads it with :func:`from_wire`,
  which accepts only a plain record and turns anything else into that submission's error.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .dask_security import INSECURE_ENV
from .sandbox import is_root
from .workers import crashed

ALLOW_ENV = "BPLAB_DASK_ALLOW_NETWORK"
#: Where the worker processes of a machine keep the modes they sealed: only root seals,
#: and /run is root's alone, where /tmp would let a kernel of mode uid take the name first.
SEALS = Path("/run" if os.path.isdir("/run") else tempfile.gettempdir()) / "backprop-lab-seals"
#: The largest record the client reads back.
WIRE_LIMIT = 16 << 20
_root: Path | None = None


def refusal(mode: str, nthreads: int | None, address: str, key: str | None) -> str | None:
    """Why this worker (its sandbox mode, threads, own address and TLS key file) must not
    grade, or None when it may."""
    if nthreads != 1:
        return (f"this Dask worker runs {nthreads} threads: start it with --nthreads 1 "
                "(one kernel at a time per worker process)")
    if not address.startswith("tls://") and os.environ.get(INSECURE_ENV, "").strip() != "1":
        return (f"this Dask worker is on an unencrypted cluster ({address}): anyone who "
                "reaches it can run code here; use TLS (README, \"On several machines\") "
                f"or start the worker with {INSECURE_ENV}=1")
    if key and os.path.isfile(key) and stat.S_IMODE(os.stat(key).st_mode) & 0o077:
        return f"this Dask worker's TLS key can be read by other users: chmod 600 {key}"
    if mode in ("uid", "none") and os.environ.get(ALLOW_ENV, "").strip() != "1":
        return (f"this Dask worker's sandbox is '{mode}': its kernels would keep the network "
                "and could reach the scheduler and the other workers; make bubblewrap usable "
                f"there, or start the worker with {ALLOW_ENV}=1 to accept that")
    return None


def private_root() -> Path:
    """This worker process's own folder (0700, its user's), made once and removed when
    the process exits."""
    global _root
    if _root is None or not _root.is_dir():
        _root = Path(tempfile.mkdtemp(prefix="bplab-dask-"))
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _own(_root)


def _own(folder: Path) -> Path:
    info = folder.lstat()
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
            or stat.S_IMODE(info.st_mode) & 0o077):
        raise RuntimeError(f"{folder} is not a private folder of this user (0700): "
                           "remove it and start the worker again")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _state() -> Iterator[dict]:
    """The machine's seal state, locked: {"holders": [pid, ...], "modes": {path: mode}}."""
    try:
        SEALS.mkdir(mode=0o700)
    except FileExistsError:
        pass
    _own(SEALS)
    fd = os.open(SEALS / "state.json", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "r+") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            state = json.loads(file.read() or "{}")
        except ValueError:
            state = {}
        state.setdefault("holders", [])
        state.setdefault("modes", {})
        yield state
        file.seek(0)
        file.truncate()
        file.write(json.dumps(state))


@contextmanager
def shared_seal(paths: list[Path]) -> Iterator[None]:
    """``paths`` unreadable to other users while any worker process of this machine
    grades: each loses its group and other bits, and the last process to leave gives back
    the modes the first one found (a holder that died is forgotten). Nothing without root.
    """
    if not is_root():
        yield
        return
    with _state() as state:
        state["holders"] = [p for p in state["holders"] if _alive(p)] + [os.getpid()]
        for path in dict.fromkeys(str(Path(p).resolve()) for p in paths):
            try:
                mode = state["modes"].setdefault(path, stat.S_IMODE(os.stat(path).st_mode))
                os.chmod(path, mode & 0o700)
            except OSError:
                state["modes"].pop(path, None)
    try:
        yield
    finally:
        with _state() as state:
            holders = [p for p in state["holders"] if _alive(p)]
            if os.getpid() in holders:
                holders.remove(os.getpid())
            state["holders"] = holders
            if not holders:
                for path, mode in state["modes"].items():
                    try:
                        os.chmod(path, mode)
                    except OSError:
                        pass
                state["modes"] = {}


def to_wire(record: dict) -> str:
    """What a worker sends back: the record as JSON text (unpaired surrogates escaped)."""
    return json.dumps(record, ensure_ascii=True)


STATUSES = ("graded", "error", "timeout", "invalid")
# The fields the gradebook reads, with their JSON types.
FIELDS = {"status": str, "score": (int, float), "max_score": (int, float), "flags": list,
          "questions": list}
QUESTION = {"name": str, "score": (int, float), "max_score": (int, float), "messages": list,
            "diagnoses": list}


def from_wire(result: object, path: Path) -> dict:
    """The record a worker sent, when it is a plain one; else an error record for
    ``path`` that says what came instead."""
    if not isinstance(result, str | bytes):
        return crashed(path, f"the Dask worker sent a {type(result).__name__}, not a record")
    if len(result) > WIRE_LIMIT:
        return crashed(path, f"the Dask worker's record is over {WIRE_LIMIT} bytes")
    try:
        record = json.loads(result)
    except ValueError as error:
        return crashed(path, f"the Dask worker's record is not JSON ({error})")
    problem = _malformed(record, FIELDS, "the record")
    if problem is None:
        for question in record["questions"]:
            problem = problem or _malformed(question, QUESTION, "a question")
    if problem is None and record["status"] not in STATUSES:
        problem = f"unknown status {record['status'][:40]!r}"
    if problem is None and not all(isinstance(f, str) for f in record["flags"]):
        problem = "a flag is not text"
    if problem:
        return crashed(path, f"the Dask worker's record is malformed: {problem}")
    return record


def _malformed(value: object, fields: dict, what: str) -> str | None:
    if not isinstance(value, dict):
        return f"{what} is a {type(value).__name__}, not an object"
    for key, kind in fields.items():
        if not isinstance(value.get(key), kind) or isinstance(value.get(key), bool):
            return f"{what}'s {key!r} is missing or not a {getattr(kind, '__name__', 'number')}"
    return None
