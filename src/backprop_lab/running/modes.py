"""Which wall this machine gives a kernel (bubblewrap, uid or none), why, and the one
line that says so; see :mod:`.sandbox` for what each wall holds."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..machine import MachineProblem, install_hint
from . import network, runtime
from .bwrap import _system_binds

MODES = ("bubblewrap", "uid", "none")
UID_BASE, UID_COUNT = 61000, 2000
PACKAGE = Path(__file__).resolve().parents[1]


def is_root() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@functools.cache
def bubblewrap_works() -> bool:
    """Can ``bwrap`` make the namespaces here (user namespaces allowed, or root)?"""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        done = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                               *_system_binds(), "--proc", "/proc", "--dev", "/dev", "true"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@functools.cache
def _choice() -> tuple[str, str]:
    """(the mode, why it is not bubblewrap: "" when it is)."""
    forced = os.environ.get("BPLAB_SANDBOX", "").strip()
    if forced:
        if forced not in MODES:
            raise MachineProblem(f"BPLAB_SANDBOX={forced!r} is not a mode: use one of "
                                 f"{', '.join(MODES)}, or unset it")
        if forced == "bubblewrap" and not bubblewrap_works():
            raise MachineProblem("BPLAB_SANDBOX=bubblewrap, but " + _bwrap_problem() + "; "
                                 "unset BPLAB_SANDBOX to grade in the best mode available")
        if forced == "uid" and not is_root():
            raise MachineProblem("BPLAB_SANDBOX=uid needs root: unset it, or grade as root")
        return forced, "forced by BPLAB_SANDBOX"
    if bubblewrap_works():
        return "bubblewrap", ""
    return ("uid" if is_root() else "none"), _bwrap_problem()


def _bwrap_problem() -> str:
    if shutil.which("bwrap") is None:
        return "bwrap is not installed"
    return "bwrap is installed but cannot create namespaces here"


def forget_mode() -> None:
    """Forget the choice made in this process (after ``BPLAB_SANDBOX`` changed, say)."""
    _choice.cache_clear()


def choose_mode() -> str:
    """The wall for this run: ``BPLAB_SANDBOX`` if set, else the best this machine allows.
    Raises :class:`MachineProblem` for a forced mode this machine cannot give."""
    return _choice()[0]


def _fix(mode: str) -> str:
    why = _choice()[1]
    if why.startswith("forced"):
        return "unset BPLAB_SANDBOX to grade in the best mode available"
    if "not installed" in why:
        return f"{install_hint('bubblewrap')} adds the full sandbox"
    if mode == "none":
        return ("allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1"
                "), or grade as root")
    return "allow new namespaces (a container: a seccomp profile that permits unshare)"


def warning(mode: str) -> str | None:
    """The one line ``grade``, ``check`` and ``demo`` print when the wall is less than
    bubblewrap: the mode, why, what it means, and the command that gives more."""
    if mode == "bubblewrap":
        return None
    why = _choice()[1] if mode == _choice()[0] else "chosen by the caller"
    if mode == "none":
        why += "" if is_root() else "; not root"
        return (f"backprop-lab: no sandbox ({why}): submissions run as you, can "
                f"read your files and use the network; {_fix(mode)}.")
    copy = runtime.in_use()
    on = f", on a copy of this Python they can run ({copy.parents[2]})" if copy else ""
    net = "with no network (a firewall rule)" if kernels_offline() else "with the network"
    return (f"backprop-lab: sandbox 'uid' ({why}): kernels run as a uid of their own{on}, "
            f"without namespaces, {net}; {_fix(mode)}.")


def prepare() -> tuple[str, str | None]:
    """Choose the mode and make what it needs (mode ``uid``: a Python other users can run);
    (the mode, the line to print or None). Raises :class:`MachineProblem`."""
    mode = choose_mode()
    runtime.kernel_python(mode)
    return mode, warning(mode)


def source_tree() -> Path | None:
    """The repository this package runs from, when it runs from one."""
    root = PACKAGE.parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def private_defaults() -> list[Path]:
    """What a kernel must never read, whatever the caller adds: this package, and the
    solutions and masters of the repository it runs from."""
    tree = source_tree()
    extra = [tree / "solutions", tree / "assignments"] if tree else []
    return [PACKAGE, *[p for p in extra if p.exists()]]


def python_readable_by_others() -> bool:
    """Can another uid run this Python (no closed folder like /root above it)?"""
    return runtime.python_closed() is None


def kernels_offline() -> bool:
    """Can the kernels' uids be kept off the network here (:mod:`.network`)? Installs
    the rule the first time (root only)."""
    return network.cut(UID_BASE, UID_BASE + UID_COUNT - 1)
