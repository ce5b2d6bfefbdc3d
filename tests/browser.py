"""Headless Chromium with the network blocked: the DOM after scripts ran, and screenshots.

Every run gets a new empty profile; the proxy points at a closed port and every host
name resolves to nothing, so a page that needs the network shows it (blank images,
missing icons) instead of quietly fetching. Pages are loaded from file:// URLs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".pytest_artifacts"
OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars",
           "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           "--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium() -> str:
    """The browser's path; skip when it is absent and cannot be installed (not root)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        pytest.fail("chromium is missing: `make test` installs it (.ci/system-packages)")
    pytest.skip("chromium is not installed and this user cannot install it (not root, or "
                "no apt-get): `make test` as root on Debian installs it")


def _run(page: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="bplab-chromium-") as profile:
        command = [chromium(), *OFFLINE, f"--user-data-dir={profile}", *extra,
                   page.resolve().as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def dump_dom(page: Path, timeout: float = 120.0, budget_ms: int = 5000) -> str:
    """The page's DOM as HTML after its scripts ran (``budget_ms`` of virtual time)."""
    done = _run(page, ["--dump-dom", f"--virtual-time-budget={budget_ms}"], timeout)
    if done.returncode != 0 or "<html" not in done.stdout:
        raise RuntimeError(f"chromium failed on {page}: {done.stderr[-2000:]}")
    return done.stdout


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2000,
               timeout: float = 120.0) -> Path:
    """A PNG of the page's first ``width`` x ``height`` pixels."""
    png.parent.mkdir(parents=True, exist_ok=True)
    done = _run(page, [f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
                       "--virtual-time-budget=3000"], timeout)
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot of {page}: {done.stderr[-2000:]}")
    return png


def timed_dump(page: Path, timeout: float = 300.0) -> tuple[str, float]:
    """``dump_dom`` and the seconds it took, browser start included."""
    started = time.monotonic()
    dom = dump_dom(page, timeout=timeout)
    return dom, time.monotonic() - started


def keep(path: Path, name: str) -> Path:
    """Copy a test's file into ``.pytest_artifacts/`` (gitignored) and print where it is."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    shutil.copy2(path, target)
    print(f"artifact: {target}")
    return target
