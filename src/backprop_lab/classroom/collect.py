"""From what the instructor downloaded to the files ``grade`` grades, each with its student.

What holds:

- Zips (Canvas's and Moodle's bulk downloads, or a zip a student handed in inside
  them) are unpacked under ``OUT/unpacked/<zip name>/`` (``-2``, ``-3``... for a name
  given twice, as every Canvas download is ``submissions.zip``): no member outside that folder
  (absolute paths, ``..``, links are refused and listed), at most ``MAX_BYTES`` in all.
- Every file found is listed: a notebook is graded; anything else (a ``.py``, a PDF, a
  Jupyter checkpoint copy, macOS metadata) is listed with the reason it is not.
- Each file is matched to at most one roster student (:mod:`.layouts`, then the
  roster's keys); a notebook that matches none is graded and listed as matching nobody.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from .layouts import classify
from .roster import Student, squeeze

MAX_BYTES = 2 * 1024**3  #: what the zips of one run may unpack to, in all
IGNORED = {"__MACOSX": "macOS metadata", ".DS_Store": "macOS metadata",
           ".ipynb_checkpoints": "a Jupyter checkpoint copy, not the submission"}


@dataclass
class Entry:
    source: str  # the file's path (its folder resolved), as feedback records keep it
    label: str
    layout: str
    student: str | None  # the roster id, or None
    mtime: float
    late: bool = False
    reason: str = ""  # why it is not graded ("" for a notebook)


def unpack(archive: Path, into: Path, skipped: list[tuple[str, str]],
           name: str | None = None) -> Path:
    """Extract ``archive`` into ``into/<name or its stem>/``, safely; nested zips too."""
    target = into / (name or archive.stem)
    total = 0
    try:
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir():
                    continue
                if name.is_absolute() or ".." in name.parts or (info.external_attr >> 28) == 0xA:
                    skipped.append((f"{archive.name}/{info.filename}", "unsafe name in the zip "
                                    "(absolute, '..' or a link): not unpacked"))
                    continue
                total += info.file_size
                if total > MAX_BYTES:
                    skipped.append((f"{archive.name}/{info.filename}", "the zip unpacks to more "
                                    f"than {MAX_BYTES} bytes: the rest is not unpacked"))
                    break
                path = target / Path(*name.parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, open(path, "wb") as dst:
                    dst.write(src.read())
                stamp = __import__("time").mktime((*info.date_time, 0, 0, -1))
                os.utime(path, (stamp, stamp))
    except (zipfile.BadZipFile, OSError) as error:
        skipped.append((archive.name, f"not a readable zip ({error})"))
    for inner in sorted(target.rglob("*.zip")) if target.is_dir() else []:
        unpack(inner, inner.parent, skipped)
        inner.unlink()
    return target


def reason(label: str, path: Path) -> str:
    """Why the file found at ``label`` is not graded, or "" for a notebook ``grade`` grades
    (its name ends in ``.ipynb``, as ``grade.find_submissions`` takes them)."""
    parts = PurePosixPath(label).parts
    why = next((w for part, w in IGNORED.items() if part in parts), "")
    if why or path.name.endswith(".ipynb"):
        return why
    if path.suffix.lower() == ".ipynb":
        return (f"not graded: its name ends in {path.suffix!r}, and only names ending in "
                "'.ipynb' (lower case) are graded; rename it")
    if path.suffix.lower() == ".zip":
        return "a zip in a folder: not unpacked (name the zip itself as a PATH, with --roster)"
    return f"not a notebook ({path.suffix or 'no extension'})"


def not_graded(paths: list[Path]) -> list[Entry]:
    """Without a roster: every file under the folders given that ``grade`` does not grade
    (``grade.find_submissions`` takes the ``*.ipynb`` outside ``.ipynb_checkpoints``; a
    file named directly is graded whatever its name), each with the reason."""
    entries = []
    for root in map(Path, paths):
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_symlink() or not p.is_dir()):
            if path.name.endswith(".ipynb") and ".ipynb_checkpoints" not in path.parts:
                continue  # graded, with its gradebook row (a macOS ._ copy included)
            label = path.relative_to(root).as_posix()
            entries.append(Entry(str(path), label, "plain", None, path.lstat().st_mtime,
                                 reason=reason(label, path) or IGNORED[".ipynb_checkpoints"]))
    return entries


def match(keys: list[str], students: list[Student], layout: str) -> Student | None:
    """The one student these keys name (most specific key first), or None."""
    for key in map(squeeze, keys):
        found = [s for s in students if key and key in s.keys]
        if len(found) == 1:
            return found[0]
    return None


def collect(paths: list[Path], out: Path, students: list[Student]) -> tuple[list[Path],
                                                                            list[Entry]]:
    """The folders to grade (zips unpacked) and every file found in them."""
    skipped: list[tuple[str, str]] = []
    roots: list[Path] = []
    for path in map(Path, paths):
        if path.is_file() and path.suffix.lower() == ".zip":
            # Canvas names every download submissions.zip: a second one gets -2, -3...
            taken = {r.name for r in roots}
            name = next(n for n in (path.stem, *(f"{path.stem}-{i}" for i in range(2, 10**6)))
                        if n not in taken)
            roots.append(unpack(path, out / "unpacked", skipped, name))
        else:
            roots.append(path)
    entries = [Entry("", label, "zip", None, 0.0, reason=why) for label, why in skipped]
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*")
                                                     if p.is_file() or p.is_symlink())
        for path in files:
            label = path.name if path == root else path.relative_to(root).as_posix()
            found = classify(label)
            student = match(found.keys, students, found.layout)
            source = str(Path(os.path.realpath(path.parent)) / path.name)
            why = reason(label, path)
            if not why and student is None:
                why = (f"graded, but names no student ({found.layout}: the LMS hid who "
                       "handed it in)" if not found.keys else
                       f"graded, but matches no roster student ({found.layout} name)")
            entries.append(Entry(source, label, found.layout,
                                 student.id if student else None,
                                 path.lstat().st_mtime, found.late, why))
    return roots, entries


def save(entries: list[Entry], out: Path) -> None:
    (out / "classroom").mkdir(parents=True, exist_ok=True)
    (out / "classroom" / "files.json").write_text(json.dumps([asdict(e) for e in entries],
                                                             indent=1))


def load(out: Path) -> list[Entry]:
    return [Entry(**e) for e in json.loads((out / "classroom" / "files.json").read_text())]
