"""The feedback folder of ``grade``: one feedback file per submission file, each written
whatever the record holds.

What holds:

- One job per submission file (a file found twice is graded once), and no two files
  share a feedback name (``unique_stems``): a file keeps its own stem where it can, so
  names stay readable; the gradebook's ``submission`` is the path relative to the folder
  graded.
- ``keep`` writes a record's ``.md`` and ``.json``; whatever goes wrong on the way (an
  unencodable character, a record that is not one, a name the disk refuses) becomes that
  file's ``error`` row instead. ``write_atomic`` writes any text: what UTF-8 cannot carry
  (a lone surrogate) is written as a backslash escape.
- Flags are what a kernel reported: kept escaped (``report.plain``), once each, capped.
- ``is_current`` and ``retire_stale`` read what earlier runs wrote without trusting it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..building.autograder import Autograder
from ..running.intake import Ungradable, read_submission
from .report import feedback_markdown, plain


@dataclass
class Job:
    path: Path
    #: The name of its feedback files (``feedback/<stem>.json``, ``.md``): unique in the run.
    stem: str
    #: The gradebook's ``submission``: the path relative to the folder graded.
    label: str = ""
    #: The file's own path: its folder resolved, its name kept (a link is not followed).
    source: str = ""


#: A feedback file name keeps at most this many bytes of the submission's name.
STEM_BYTES = 120
#: Flags kept per submission, and characters kept per flag.
FLAG_COUNT, FLAG_CHARS = 50, 300


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
