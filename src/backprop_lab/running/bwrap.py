"""The ``bwrap`` command line that walls one kernel in (see :mod:`.sandbox`).

The kernel sees the system's programs and libraries and the Python installation,
read-only; a fresh ``/proc``, a minimal ``/dev``, size-limited tmpfs ``/tmp`` and
``/dev/shm``; and its own home, read-write. Nothing else of the machine is there.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: This package: never in the kernel's view, even when it lives inside the Python there.
PACKAGE = Path(__file__).resolve().parents[1]
#: What the kernel sees of the system besides Python: programs, libraries, a few settings.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd",
       "group", "hosts", "mime.types", "ssl")


def _system_binds() -> list[str]:
    args = []
    for top in SYSTEM:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for name in ETC:
        if os.path.exists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def bwrap_command(home: Path, uid: int | None, tmp_bytes: int | None = None) -> list[str]:
    """``bwrap`` and its arguments, up to the command; ``home`` is bound read-write;
    ``/tmp`` and ``/dev/shm`` are tmpfs of ``tmp_bytes`` each (None: unbounded)."""
    python = sorted({str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve())})
    # As root, every namespace but the user one: a user namespace would map the kernel's
    # uid back to root outside; without one, the uid below is a real, unprivileged uid.
    unshare = ["--unshare-all"] if uid is None else [
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try"]
    args = [shutil.which("bwrap") or "bwrap", *unshare, "--die-with-parent", "--new-session",
            "--hostname", "sandbox", *_system_binds(),
            # ipykernel would take the grader's pid, unknown in here, for a dead parent:
            # --die-with-parent does that job.
            "--unsetenv", "JPY_PARENT_PID"]
    # The empty /tmp first: what is bound below may live in /tmp (a clone's .venv, say),
    # and a tmpfs mounted after a bind would cover it.
    size = [] if tmp_bytes is None else ["--size", str(int(tmp_bytes))]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/dev/shm",
             "--perms", "1777", *size, "--tmpfs", "/tmp"]
    for place, bind in [*((p, "--ro-bind") for p in python), (str(home), "--bind")]:
        # bwrap would make the folders above it private (0700)
        args += [a for parent in reversed(Path(place).parents)
                 if parent not in (Path("/"), Path("/tmp"))
                 for a in ("--perms", "0755", "--dir", str(parent))]
        args += [bind, place, place]
    # A grader installed into this Python (pip install, not editable) would bring its
    # engine and grading code along: an empty tmpfs hides that folder.
    if any(PACKAGE.is_relative_to(place) for place in python):
        args += ["--tmpfs", str(PACKAGE)]
    if uid is None:
        return [*args, "--chdir", str(home), "--"]
    # As root: drop to the kernel's own uid inside (setpriv keeps no capability), then
    # enter the home, which only that uid may enter.
    return [*args, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
            shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
            "--clear-groups", "--no-new-privs", "--", "/usr/bin/env", f"--chdir={home}"]
