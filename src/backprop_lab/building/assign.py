"""``backprop-lab build``: Otter Assign on every master notebook under ``assignments/``.

Each master is staged in a temporary folder beside two copies of this package:
``bplab/`` (the student-safe ``course`` package plus the public cases it checks
against), which Otter ships beside the student notebook, and ``backprop_lab/`` (engine
and grading), which goes only into the autograder zip. Output, per assignment::

    DIR/<name>/student/<name>.ipynb, DIR/<name>/student/bplab/   what students get,
    DIR/<name>/student/README.md, requirements.txt                 with how to use it
    DIR/<name>/autograder/                                         Otter's autograder folder
    DIR/<name>/<name>-autograder.zip                               for Gradescope or `grade`

The autograder zip is Otter's (``otter_config.json``, ``tests/``, ``files/``) with
Otter's run scripts and conda environment replaced by ``autograder/``'s own
(``run_autograder``, ``setup.sh``, ``requirements.txt``: see :mod:`.gradescope`), plus
``autograder.json`` (the visibility of hidden parts, the time limits), written with fixed
timestamps, modes and order so that the same sources give the same bytes.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..gradescope import LIMITS, VISIBILITIES
from ..questions.secret import check_secret, new_secret
from .autograder import AutograderError, read_autograder
from .masters import MasterError, check_master, with_points_table
from .public_cases import write_public_cases
from .student_kit import write_manual_questions, write_student_kit

PACKAGE = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "public_cases.npz")
#: Otter's own files that ``autograder/`` replaces (Otter runs Otter; ours runs ``grade``).
REPLACED = ("run_autograder", "run_otter.py", "setup.sh", "environment.yml",
            "requirements.txt", "autograder.json")
OURS = ("run_autograder", "setup.sh", "requirements.txt")
EXECUTABLE = ("run_autograder", "setup.sh")
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
#: Gradescope's (cell seconds, total seconds) for one submission, unless chosen at build.
GRADESCOPE_LIMITS = (LIMITS.cell_seconds, LIMITS.total_seconds)


class BuildError(RuntimeError):
    """Otter Assign failed on a master notebook."""


@dataclass
class Built:
    name: str
    student: Path
    autograder_zip: Path
    solution: Path


def find_assignments(source: Path | None = None) -> Path:
    """``source`` when given, else ``assignments/`` here, else the one beside the source
    tree this package came from."""
    if source is not None:
        if source.is_dir():
            return source
        raise FileNotFoundError(f"no assignments folder {source}")
    for candidate in (Path.cwd() / "assignments", PACKAGE.parents[1] / "assignments"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no assignments/ folder here or beside the package; "
                            "run from the repository or pass --source")


def stage(master: Path, folder: Path) -> Path:
    """Copy ``master`` into ``folder`` with ``bplab/`` and ``backprop_lab/`` beside it."""
    questions = check_master(master)
    nb = with_points_table(json.loads(master.read_text()), questions)
    (folder / master.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    shutil.copytree(PACKAGE / "course", folder / "bplab", ignore=IGNORE)
    write_public_cases(folder / "bplab" / "public_cases.npz")
    shutil.copytree(PACKAGE, folder / "backprop_lab", ignore=IGNORE)
    return folder / master.name


def find_autograder_source(assignments: Path) -> Path:
    """``autograder/`` beside ``assignments/``: the Gradescope run scripts and the one list."""
    folder = assignments.resolve().parent / "autograder"
    missing = [n for n in OURS if not (folder / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}")
    return folder


def _entry(name: str) -> zipfile.ZipInfo:
    """An entry with a fixed time and mode (numpy already stamps its .npz entries so)."""
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so that the mode below is read
    info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
    return info


def _write(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in sorted(entries):
            z.writestr(_entry(name), entries[name], compresslevel=9)
    return buffer.getvalue()


def check_settings(hidden_visibility: str, limits: tuple[float, float]) -> None:
    """Raise ValueError, naming the setting, unless both are what a zip can hold."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}")
    cell, total = limits
    if not (cell > 0 and total > 0):
        raise ValueError(f"the time limits must be positive (cell {cell:g} s, total {total:g} s)")
    if cell > total:
        raise ValueError(f"a cell's limit ({cell:g} s) cannot exceed the whole submission's "
                         f"({total:g} s)")


def gradescope_zip(otter_zip: Path, target: Path, autograder: Path,
                   hidden_visibility: str = "after_published",
                   limits: tuple[float, float] = GRADESCOPE_LIMITS,
                   secret: str | None = None) -> Path:
    """Otter's zip with ``autograder/``'s run scripts and requirements, reproducibly for
    one ``secret`` (a new random one when None: see :mod:`.questions.secret`); ``limits``
    are Gradescope's (cell seconds, total seconds) for one submission."""
    check_settings(hidden_visibility, limits)
    secret = new_secret() if secret is None else check_secret(secret)
    with zipfile.ZipFile(otter_zip) as z:
        entries = {n: z.read(n) for n in z.namelist()
                   if not n.endswith("/") and n not in REPLACED and "__pycache__" not in n}
    entries.update({n: (autograder / n).read_bytes() for n in OURS})
    settings = {"hidden_visibility": hidden_visibility, "cell_seconds": limits[0],
                "total_seconds": limits[1], "secret": secret}
    entries["autograder.json"] = json.dumps(settings, indent=2).encode() + b"\n"
    target.write_bytes(_write(entries))
    return target


def build_one(master: Path, out: Path, *, run_tests: bool = True,
              hidden_visibility: str = "after_published",
              limits: tuple[float, float] = GRADESCOPE_LIMITS,
              secret: str | None = None) -> Built:
    name = master.stem
    target = out / name
    with tempfile.TemporaryDirectory(prefix=f"build-{name}-") as tmp:
        try:
            staged = stage(master, Path(tmp))
        except MasterError as error:
            raise BuildError(str(error)) from None
        write_manual_questions(master, Path(tmp) / "backprop_lab")
        command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", staged.name, "dist"]
        if not run_tests:
            command.insert(4, "--no-run-tests")
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise BuildError(f"otter assign failed on {master}:\n{tail}")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(tmp) / "dist", target)
    (zipped,) = (target / "autograder").glob(f"{name}-autograder_*.zip")
    final_zip = gradescope_zip(zipped, target / f"{name}-autograder.zip",
                               find_autograder_source(master.parent), hidden_visibility,
                               limits, secret)
    zipped.unlink()
    try:
        read_autograder(final_zip)  # every hidden test is one `grade` scores
    except AutograderError as error:
        raise BuildError(f"{master.name}: {error}") from None
    write_student_kit(master, target / "student")
    return Built(name, target / "student" / f"{name}.ipynb", final_zip,
                 target / "autograder" / f"{name}.ipynb")


def build(out: Path = Path("dist"), source: Path | None = None, *, run_tests: bool = True,
          names: list[str] | None = None,
          hidden_visibility: str = "after_published",
          limits: tuple[float, float] = GRADESCOPE_LIMITS,
          secret: str | None = None) -> list[Built]:
    """Build every master (or those in ``names``) into ``out``; ``hidden_visibility`` is
    when Gradescope shows students the hidden parts, ``limits`` the seconds a cell and a
    whole submission get there (see :mod:`.gradescope`); ``secret``, the one the hidden
    cases are drawn from (a new random one per build when None: set it to rebuild the
    same bytes)."""
    check_settings(hidden_visibility, limits)
    secret = new_secret() if secret is None else check_secret(secret)
    masters = sorted(find_assignments(source).glob("*.ipynb"))
    if names:
        unknown = sorted(set(names) - {m.stem for m in masters})
        if unknown:
            raise BuildError(f"no master notebook {', '.join(unknown)}.ipynb in "
                             f"{find_assignments(source)}")
        masters = [m for m in masters if m.stem in names]
    out.mkdir(parents=True, exist_ok=True)
    return [build_one(m, out, run_tests=run_tests, hidden_visibility=hidden_visibility,
                      limits=limits, secret=secret) for m in masters]


def execute_solutions(built: list[Built], out: Path, timeout: float = 120.0) -> list[Path]:
    """Run each built solution notebook top to bottom and keep it, outputs and plots included."""
    import nbformat
    from nbclient import NotebookClient

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for b in built:
        nb = nbformat.read(b.solution, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(b.solution.parent)}}).execute()
        target = out / b.solution.name
        nbformat.write(nb, target)
        written.append(target)
    return written
