"""Clean virtual environments for tests of what a user installs, built once and shared.

uv builds each environment from a requirements list alone (its package cache makes a
rebuild quick); an environment is keyed by the list's text and the Python it runs on,
kept under ``BPLAB_ENV_CACHE`` (default ``~/.cache/backprop-lab/envs``) between runs, and
built by one process at a time (a file lock), so every test that asks for the same list
shares one environment.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("BPLAB_ENV_CACHE", Path.home() / ".cache" / "backprop-lab" / "envs"))


def uv() -> str:
    """The uv executable: beside this Python (the [test] extra installs it), else on PATH."""
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        raise RuntimeError("uv is not installed: pip install -e '.[test]'")
    return found


def _runs(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=30)
        return done.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` ("3.13") on this machine, or None.

    Looks on PATH, then in pyenv's and uv's own installs (pyenv's shims answer only
    for the selected version, so the real binaries are tried too)."""
    candidates = [shutil.which(f"python{version}")]
    for root in (Path.home() / ".pyenv" / "versions", Path("/usr/local/bin"), Path("/usr/bin")):
        candidates += sorted(glob.glob(str(root / f"{version}*" / "bin" / f"python{version}")))
        candidates += [str(root / f"python{version}")]
    done = subprocess.run([uv(), "python", "find", "--no-python-downloads", version],
                          capture_output=True, text=True)
    candidates.append(done.stdout.strip() if done.returncode == 0 else None)
    for candidate in candidates:
        if candidate and Path(candidate).exists() and _runs(candidate):
            return candidate
    return None


def closest_python(version: str) -> str:
    """``version`` if the machine has it, else the nearest newer one, else this Python."""
    major, minor = (int(v) for v in version.split(".")[:2])
    for m in [minor, *range(minor + 1, minor + 4), *range(minor - 1, 10, -1)]:
        found = find_python(f"{major}.{m}")
        if found:
            return found
    return sys.executable


def clean_env(requirements: Path | list[str], python: str = "3.13",
              editable: Path | None = None) -> Path:
    """The ``python`` executable of a virtual environment holding exactly ``requirements``
    (a requirements file, or lines of one), plus ``editable`` installed without deps."""
    lines = (Path(requirements).read_text().splitlines() if isinstance(requirements, Path)
             else list(requirements))
    interpreter = closest_python(python)
    key_text = "\n".join([*lines, f"python={interpreter}", f"editable={editable}"])
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    target = CACHE / key
    exe = target / "bin" / "python"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            return exe
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([uv(), "venv", "--quiet", "--no-python-downloads", "--python",
                        interpreter, str(target)], check=True)
        req = target / "requirements.txt"
        req.write_text("\n".join(lines) + "\n")
        subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(exe), "-r",
                        str(req)], check=True)
        if editable is not None:
            subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(exe),
                            "--no-deps", "-e", str(editable)], check=True)
        (target / ".complete").write_text(key_text)
    return exe
