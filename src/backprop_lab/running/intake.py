"""Take a submission in: its bytes, read once, from a regular file that is not a link.

What holds:

- ``read_submission`` opens the path with ``O_NOFOLLOW`` and ``O_NONBLOCK`` and checks
  the opened file with ``fstat``: a symbolic link, a FIFO, a device, a socket or a folder
  is refused (:class:`Ungradable`, with the reason) before one byte of it is read, so the
  grading process (root, maybe) never reads what a link points to and never blocks on a
  FIFO. The bytes returned are the only read: whoever hashes, grades and keeps the code
  of a submission uses these same bytes.
- A file larger than ``MAX_BYTES`` is refused unread.
- ``check_structure`` refuses (with the place named) a parsed notebook whose parts the
  grader reads have the wrong types, so nothing later meets an ``int`` where it expects
  a cell or a string.
"""

from __future__ import annotations

import errno
import os
import stat

#: The largest submission read (a notebook with plots is a few MB).
MAX_BYTES = 64 << 20

KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket",
         stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFLNK: "a symbolic link"}


class Ungradable(Exception):  # noqa: N818 (reads as "raise Ungradable(reason)")
    """The file cannot be graded: the reason is the message."""


def not_regular(mode: int) -> str:
    """What a non-regular file is, in words ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def refusal(path: str | os.PathLike) -> str:
    """Why the path would be refused without opening it (``lstat`` only), or ""."""
    try:
        what = not_regular(os.lstat(path).st_mode)
    except OSError as error:
        return f"the file cannot be read ({error.strerror or type(error).__name__})"
    return f"the file is {what}, not a regular file: refused" if what else ""


def read_submission(path: str | os.PathLike, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, read once; links and the rest refused."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Ungradable("the file is a symbolic link, not a regular file: refused") \
                from None
        raise Ungradable(f"the file cannot be read ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)
        what = not_regular(info.st_mode)
        if what:
            raise Ungradable(f"the file is {what}, not a regular file: refused")
        if info.st_size > limit:
            raise Ungradable(f"the file is larger than {limit >> 20} MiB "
                             f"({info.st_size} bytes): refused")
        chunks, size = [], 0
        while size <= limit:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            except OSError as error:
                raise Ungradable(f"the file cannot be read ({error.strerror or error})") \
                    from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while it was read
            raise Ungradable(f"the file is larger than {limit >> 20} MiB: refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_structure(nb: dict) -> None:
    """Refuse a notebook whose cells, sources, metadata or tags have the wrong types."""
    if not isinstance(nb.get("metadata", {}), dict):
        raise Ungradable("the notebook's metadata is not a JSON object")
    otter = nb.get("metadata", {}).get("otter")
    if otter is not None and not (isinstance(otter, dict)
                                  and isinstance(otter.get("assignment_name", ""), str)):
        raise Ungradable("the notebook's Otter metadata is not an object with a name")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise Ungradable("the notebook has no list of cells")
    for number, cell in enumerate(cells, 1):
        where = f"cell {number}"
        if not isinstance(cell, dict):
            raise Ungradable(f"{where} is not a JSON object")
        if not isinstance(cell.get("cell_type", ""), str):
            raise Ungradable(f"{where} has a cell type that is not a string")
        if not isinstance(cell.get("source", ""), str):
            raise Ungradable(f"{where} has a source that is not text")
        metadata = cell.get("metadata", {})
        if not isinstance(metadata, dict):
            raise Ungradable(f"{where} has metadata that is not a JSON object")
        tags = metadata.get("tags", [])
        if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            raise Ungradable(f"{where} has tags that are not a list of strings")
