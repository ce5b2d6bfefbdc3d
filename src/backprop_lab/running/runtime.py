"""A Python other users can run: what the kernels of mode ``uid`` start with.

In mode ``uid`` each kernel runs as a uid of its own, which must be able to run the
grader's Python. A Python under a closed folder (pyenv, or a virtual environment, under
``/root``, mode 0700) cannot be run by another uid, and opening that folder would open
everything in it. So the grader makes a copy other users can run, once:

    /var/tmp/backprop-lab-runtime-<key>/base/   the interpreter, its libpython, the stdlib
    /var/tmp/backprop-lab-runtime-<key>/venv/   a virtual environment on it, holding every
                                                package of this environment but
                                                ``backprop_lab`` itself

What holds:

- The engine and the grading code never reach the copy: every top-level entry of a
  site-packages folder whose name contains ``backprop_lab`` (the package, its
  dist-info, an editable install's ``.pth`` and finder) is left out.
- Files are hard links where the file system allows (no extra space), else copies;
  nothing of the original is opened up, and every file in the copy is root's and
  read-only to others. A kernel cannot change the copy.
- ``<key>`` hashes the interpreter and the names of what is installed (a dist-info's
  name holds its version): an unchanged environment reuses its copy, one with another
  package or version gets a new one. Old copies stay until removed
  (``rm -rf /var/tmp/backprop-lab-runtime-*``).
- The copy is made in a private temporary folder, renamed into place, and run once as
  ``nobody`` (``import ipykernel, numpy``) before ``.complete`` marks it usable. A copy
  that is not root's own, or that others may write (someone else's, in the
  world-writable /var/tmp), is never used. ``BPLAB_RUNTIME_DIR`` chooses another parent
  folder than /var/tmp.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from ..machine import MachineProblem, describe_os_error

FORMAT = "1"
KEEP_OUT = re.compile(r"backprop[_-]lab", re.IGNORECASE)
STDLIB_SKIP = {"site-packages", "dist-packages", "test", "__phello__"}
NOBODY = 65534
PREFIX = "backprop-lab-runtime-"


def closed_folder(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (itself included) that other users cannot
    enter, or None when every one of them is open."""
    path = Path(path).resolve()
    for folder in [*reversed(path.parents), path]:
        if folder == Path("/") or not folder.is_dir():
            continue
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def python_closed() -> Path | None:
    """The closed folder that keeps other users from this Python, or None."""
    for place in (Path(sys.base_prefix), Path(sys.prefix)):
        found = closed_folder(place)
        if found is not None:
            return found
    return None


def kernel_python(mode: str) -> str:
    """The Python a kernel of ``mode`` starts with: this one, or in mode ``uid`` when
    other users cannot run this one, the shared copy (made on first use)."""
    if mode != "uid" or python_closed() is None:
        return sys.executable
    return str(shared_python())


def in_use() -> Path | None:
    """The copy this process made or found, if it needed one."""
    return shared_python() if shared_python.cache_info().currsize else None


def parent_folder() -> Path:
    chosen = os.environ.get("BPLAB_RUNTIME_DIR")
    if chosen:
        return Path(chosen)
    for candidate in (Path("/var/tmp"), Path(tempfile.gettempdir())):
        if candidate.is_dir() and closed_folder(candidate) is None:
            return candidate
    return Path(tempfile.gettempdir())


def _site_dirs() -> list[Path]:
    """The site-packages folders of this Python (under its prefixes, on sys.path)."""
    prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    found: list[Path] = []
    for entry in sys.path:
        if not entry:
            continue
        path = Path(entry).resolve()
        if (path.name in ("site-packages", "dist-packages") and path.is_dir()
                and prefixes & set(path.parents) and path not in found):
            found.append(path)
    return found


def key() -> str:
    parts = [FORMAT, os.path.realpath(sys.executable), sys.version,
             sysconfig.get_paths()["stdlib"]]
    for site in _site_dirs():
        for entry in sorted(site.iterdir()):
            if not KEEP_OUT.search(entry.name) and entry.name != "__pycache__":
                parts.append(entry.name)  # a dist-info's name holds its version
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@functools.cache
def shared_python() -> Path:
    """The runtime's python, made now unless a usable one exists (see the module)."""
    parent = parent_folder()
    target = parent / f"{PREFIX}{key()}"
    python = target / "venv" / "bin" / "python"
    if _usable(target):
        return python
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{PREFIX}", dir=parent))
        try:
            _make(work, target)
            work.chmod(0o755)
            os.rename(work, target)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            if not target.exists():
                raise
            return _wait_for(target)  # another grader made it meanwhile
        try:
            _check(python)
        except MachineProblem:
            shutil.rmtree(target, ignore_errors=True)
            raise
        (target / ".complete").write_text(key() + "\n")
    except OSError as error:
        raise MachineProblem("sandbox 'uid' needs a copy of this Python that other users "
                             f"can run, and making it in {parent} failed: "
                             f"{describe_os_error(error)} (BPLAB_RUNTIME_DIR chooses "
                             "another folder)") from None
    return python


def _usable(target: Path) -> bool:
    try:
        info = target.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise MachineProblem(f"{target} exists but is not this user's own, closed to writes "
                             f"by others: remove it (rm -rf {target})")
    return (target / ".complete").is_file()


def _wait_for(target: Path, seconds: float = 120.0) -> Path:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if _usable(target):
            return target / "venv" / "bin" / "python"
        time.sleep(0.5)
    raise MachineProblem(f"{target} was left unfinished by another run: remove it "
                         f"(rm -rf {target})")


def _make(work: Path, target: Path) -> None:
    """Lay the copy out in ``work``; its paths name ``target``, where it will live."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base, venv = work / "base", work / "venv"
    _place(Path(os.path.realpath(sys.executable)), base / "bin" / version)
    libdir = sysconfig.get_config_var("LIBDIR")
    if libdir and Path(libdir).is_dir() and closed_folder(Path(libdir)) is not None:
        for lib in Path(libdir).iterdir():  # libpython (pyenv's RUNPATH names /root)
            if lib.is_file() and ".so" in lib.name:
                _place(lib, base / "lib" / lib.name)
    _tree(Path(sysconfig.get_paths()["stdlib"]), base / "lib" / version,
          lambda name: name in STDLIB_SKIP)
    site = venv / "lib" / version / "site-packages"
    for folder in _site_dirs():
        _tree(folder, site, lambda name: bool(KEEP_OUT.search(name)))
    _mkdir(venv / "bin")
    os.symlink(os.path.join(os.pardir, os.pardir, "base", "bin", version),  # relative
               venv / "bin" / version)
    (venv / "pyvenv.cfg").write_text(
        f"home = {target / 'base' / 'bin'}\ninclude-system-site-packages = false\n"
        f"version = {platform.python_version()}\n")
    wrapper = venv / "bin" / "python"
    wrapper.write_text(  # libpython from the copy, whatever the binary's RUNPATH says
        "#!/bin/sh\n"
        f'LD_LIBRARY_PATH="{target / "base" / "lib"}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}"\n'
        f'export LD_LIBRARY_PATH\nexec "{target / "venv" / "bin" / version}" "$@"\n')
    wrapper.chmod(0o755)
    for folder, _, _ in os.walk(work):  # root's umask may be 077
        os.chmod(folder, 0o755)


def _mkdir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


def _place(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` when others can read it, else a copy
    others can read."""
    _mkdir(target.parent)
    mode = source.stat().st_mode
    if mode & stat.S_IROTH and (not mode & stat.S_IXUSR or mode & stat.S_IXOTH):
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)
    target.chmod(0o755 if mode & stat.S_IXUSR else 0o644)


def _tree(source: Path, target: Path, skip) -> None:
    """Everything under ``source`` into ``target`` (merged), but top-level ``skip``s."""
    for entry in source.iterdir():
        if skip(entry.name):
            continue
        for folder, dirs, files in os.walk(entry) if entry.is_dir() and not entry.is_symlink() \
                else [(str(entry.parent), [], [entry.name])]:
            here = target / Path(folder).relative_to(source)
            _mkdir(here)
            for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]:
                path = Path(folder) / name
                if path.is_symlink():
                    if not (here / name).exists():
                        os.symlink(os.readlink(path), here / name)
                elif path.is_file() and not (here / name).exists():
                    _place(path, here / name)


def _check(python: Path) -> None:
    """Run the copy as ``nobody``: what a kernel's uid will do with it."""
    try:
        done = subprocess.run([str(python), "-c", "import ipykernel, numpy, jupyter_client"],
                              user=NOBODY, group=NOBODY, extra_groups=[], cwd="/",
                              env={"PATH": "/usr/bin:/bin", "HOME": "/"},
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MachineProblem(f"the copy of Python in {python.parents[2]} could not run as "
                             f"another user ({error})") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise MachineProblem(f"the copy of Python in {python.parents[2]} does not run as "
                             f"another user ({last}); remove it and report this")
