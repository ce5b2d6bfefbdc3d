"""What this machine lacks, said in one line: the cause and the command that fixes it.

A problem with the machine (no sandbox, a Python other users cannot run, no Otter, a
full disk) is not a bug in this package: the command line prints one line naming the
cause and the fix, and exits with status 1 (``cli.main``). A traceback is only for a bug
in our own code (``BPLAB_TRACEBACK=1`` shows one for a machine problem too).
"""

from __future__ import annotations

import errno
import os
import shutil
import sys


class MachineProblem(RuntimeError):  # noqa: N818 (reads as "raise MachineProblem(why)")
    """Something this machine lacks; the message is one line: cause, then the fix."""


def install_hint(package: str) -> str:
    """How to install a system ``package`` here: the command, as this user would type it
    (in backquotes), or words when no package manager is on PATH."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    for manager, verb in (("apt-get", "install"), ("dnf", "install"), ("yum", "install"),
                          ("zypper", "install"), ("pacman", "-S"), ("apk", "add")):
        if shutil.which(manager):
            return f"`{sudo}{manager} {verb} {package}`"
    return f"installing {package} (no package manager found on PATH)"


def require_otter() -> None:
    """Otter-Grader, which ``build`` runs, is importable by this Python."""
    try:
        import otter  # noqa: F401
    except ImportError as error:
        raise MachineProblem(
            f"Otter-Grader is not installed in this Python ({sys.executable}: {error}); "
            "run `make demo` in the repository, or `pip install -e .`") from None


def describe_os_error(error: OSError) -> str:
    """One line for an OSError that comes from the machine: what, where, and the fix."""
    where = f" ({error.filename})" if error.filename else ""
    what = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device{where}: free some space, or write elsewhere (--out)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what}{where}: choose a folder this user may write, or fix its permissions"
    return f"{what}{where}"
