"""Where a kernel runs: out of reach of the answers, and cleaned up after.

One wall is chosen per run (:func:`choose_mode`, recorded in each feedback file):

- ``bubblewrap`` (preferred, with or without root): the kernel runs under ``bwrap`` in
  its own mount, PID, IPC, UTS and network namespaces (no network, not even loopback),
  seeing only the system's programs and libraries and the Python installation, read-only,
  an empty ``/tmp``, a minimal ``/proc`` and ``/dev``, and its own working folder. Nothing
  of the repository, the autograders, the solutions, the results or other kernels is
  there. As root the kernel also drops to an unprivileged uid of its own inside.
- ``uid`` (root, but namespaces are refused, as in some containers, or bwrap is not
  installed): the kernel runs as an unprivileged uid of its own; what it must not read
  is made unreadable to other users by the caller with :func:`sealed`. When other users
  cannot run this Python (it lives under /root), the kernel runs a copy they can
  (:mod:`.runtime`).
- ``none`` (neither): the kernel runs as the grader's own user, with only the limits.

Every mode keeps the address-space cap (RLIMIT_AS). ``BPLAB_SANDBOX`` forces a mode, and
the line :func:`warning` prints then says it was forced.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..machine import MachineProblem, install_hint
from . import runtime

MODES = ("bubblewrap", "uid", "none")
UID_BASE, UID_COUNT = 61000, 2000
LOCKS = Path(tempfile.gettempdir()) / "backprop-lab-uids"
PACKAGE = Path(__file__).resolve().parents[1]
#: What the kernel sees of the system besides Python: programs, libraries, a few settings.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd",
       "group", "hosts", "mime.types", "ssl")

# Runs in the new process before it becomes the sandbox (argv: config, command...).
WRAPPER = r"""
import json, os, resource, sys
cfg, cmd = json.loads(sys.argv[1]), sys.argv[2:]
resource.setrlimit(resource.RLIMIT_AS, (cfg["memory"], cfg["memory"]))
flags = os.open(cfg["flags"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.set_inheritable(flags, True)
os.environ["BPLAB_FLAG_FD"] = str(flags)
if cfg["uid"] is not None:
    resource.setrlimit(resource.RLIMIT_NPROC, (cfg["nproc"], cfg["nproc"]))
if cfg["uid"] is not None and cfg["mode"] == "uid":
    os.setgroups([])
    os.setgid(cfg["uid"])
    os.setuid(cfg["uid"])
os.execv(cmd[0], cmd)
"""


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
    return (f"backprop-lab: sandbox 'uid' ({why}): kernels run as a uid of their own{on}, "
            f"without namespaces, with the network; {_fix(mode)}.")


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


@contextmanager
def sealed(paths: list[Path]) -> Iterator[None]:
    """For the ``uid`` mode: ``paths`` unreadable to other users while the block runs.

    Each existing path loses its group and other permission bits (a folder can no longer
    be entered), and gets its own mode back afterwards. Does nothing without root.
    """
    before: list[tuple[Path, int]] = []
    if is_root():
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


def python_readable_by_others() -> bool:
    """Can another uid run this Python (no closed folder like /root above it)?"""
    return runtime.python_closed() is None


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


def bwrap_command(home: Path, uid: int | None) -> list[str]:
    """``bwrap`` and its arguments, up to the command; ``home`` is bound read-write."""
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
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm",
             "--perms", "1777", "--tmpfs", "/tmp"]
    for place, bind in [*((p, "--ro-bind") for p in python), (str(home), "--bind")]:
        # bwrap would make the folders above it private (0700)
        args += [a for parent in reversed(Path(place).parents)
                 if parent not in (Path("/"), Path("/tmp"))
                 for a in ("--perms", "0755", "--dir", str(parent))]
        args += [bind, place, place]
    if uid is None:
        return [*args, "--chdir", str(home), "--"]
    # As root: drop to the kernel's own uid inside (setpriv keeps no capability), then
    # enter the home, which only that uid may enter.
    return [*args, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
            shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
            "--clear-groups", "--no-new-privs", "--", "/usr/bin/env", f"--chdir={home}"]


class Sandbox:
    """The wall around one kernel: a uid (as root) and the command prefix that applies it."""

    def __init__(self, memory_bytes: int, flags: Path, home: Path, nproc: int = 256,
                 mode: str | None = None):
        """``flags``: a file only the grader can read; the kernel gets a descriptor to
        append to it (what the audit hook sees), opened before the wall goes up."""
        self.mode = mode or choose_mode()
        self.home = Path(home)
        self.uid = _allocate_uid() if self.mode != "none" and is_root() else None
        #: The Python the kernel starts with: one the kernel's uid can run.
        self.python = runtime.kernel_python(self.mode)
        self.config = {"memory": int(memory_bytes), "uid": self.uid, "nproc": nproc,
                       "flags": str(flags), "mode": self.mode}

    def prefix(self) -> list[str]:
        wrapper = [sys.executable, "-c", WRAPPER, json.dumps(self.config)]
        if self.mode == "bubblewrap":
            return [*wrapper, *bwrap_command(self.home, self.uid)]
        return wrapper

    def give(self, *paths: Path) -> None:
        """Hand files and folders to the kernel's uid."""
        if self.uid is None:
            return
        for path in paths:
            os.chown(path, self.uid, self.uid)
            for root, dirs, files in os.walk(path):
                for name in [*dirs, *files]:
                    os.chown(os.path.join(root, name), self.uid, self.uid, follow_symlinks=False)

    def release(self) -> None:
        """Kill every process left with this uid, then free the uid."""
        if self.uid is None:
            return
        for _ in range(3):
            if not _kill_uid(self.uid):
                break
        shutil.rmtree(LOCKS / str(self.uid), ignore_errors=True)
        self.uid = None


def _allocate_uid() -> int:
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    start = os.getpid() % UID_COUNT
    for k in range(UID_COUNT):
        uid = UID_BASE + (start + k) % UID_COUNT
        try:
            (LOCKS / str(uid)).mkdir()
        except FileExistsError:
            continue
        _kill_uid(uid)  # a stale lock's leftovers, if any
        return uid
    raise RuntimeError("no free sandbox uid")


def _kill_uid(uid: int) -> int:
    killed = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        os.kill(int(status.parent.name), signal.SIGKILL)
                        killed += 1
                    break
        except (OSError, ValueError):
            continue
    return killed
