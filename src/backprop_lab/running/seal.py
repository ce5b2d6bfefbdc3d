"""For the ``uid`` mode: what a kernel must not read is closed to other users meanwhile.

Without namespaces a kernel sees the whole file system as an unprivileged uid of its
own, so everything of the run is made unreadable to other users while it runs
(:func:`sealed`): the package and the repository's solutions, the autograders and the
results, the submissions given (files and folders) and the working folder (where the
results of earlier runs usually are). A folder that holds what a kernel needs (this
Python, the temporary folder where kernel homes are made) is not closed itself: what it
holds besides is. The system's own folders and the top-level folders are never touched.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def _needed() -> list[Path]:
    """What a kernel must reach: this Python and the folder its home is made in."""
    return [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, tempfile.gettempdir())]


def to_seal(private: Iterable, submissions: Iterable) -> list[Path]:
    """Everything of a run a kernel must not read (see the module's docstring): the
    package, the repository's solutions and masters, ``private`` (autograders,
    results), ``submissions`` (files or folders) and the working folder."""
    tree = PACKAGE.parents[1] if (PACKAGE.parents[1] / "pyproject.toml").is_file() else None
    repository = [tree / "solutions", tree / "assignments"] if tree else []
    wanted = [PACKAGE, *repository, *map(Path, private), *map(Path, submissions), Path.cwd()]
    needed = _needed()
    out: list[Path] = []
    for path in dict.fromkeys(Path(p).resolve() for p in wanted):
        if path.exists():
            out += [p for p in _closable(path, needed) if p not in out]
    return out


def _closable(path: Path, needed: list[Path]) -> Iterator[Path]:
    if len(path.parts) <= 2:  # "/" and the top-level folders: the system's, or everyone's
        return
    if path in needed:
        return
    if any(path in n.parents for n in needed):
        for child in sorted(path.iterdir()):
            if not child.is_symlink():
                yield from _closable(child, needed)
        return
    yield path


@contextmanager
def sealed(paths: list[Path]) -> Iterator[None]:
    """``paths`` unreadable to other users while the block runs (:func:`to_seal`).

    Each existing path loses its group and other permission bits (a folder can no longer
    be entered), and gets its own mode back afterwards. Does nothing without root.
    """
    before: list[tuple[Path, int]] = []
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        for path in dict.fromkeys(Path(p).resolve() for p in paths):
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
                path.chmod(mode & 0o700)
            except OSError:
                continue
            before.append((path, mode))
    try:
        yield
    finally:
        for path, mode in reversed(before):
            try:
                path.chmod(mode)
            except OSError:
                pass
