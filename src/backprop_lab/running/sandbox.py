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
  is made unreadable to other users by the caller (:func:`to_seal`, :func:`sealed`), and
  a firewall rule for the kernels' uids cuts their network where ``nft`` or ``iptables``
  works (:mod:`.network`). When other users cannot run this Python (it lives under
  /root), the kernel runs a copy they can (:mod:`.runtime`).
- ``none`` (neither): the kernel runs as the grader's own user, with only the limits.

Every mode keeps the address-space cap (RLIMIT_AS) and the file-size cap (RLIMIT_FSIZE).
As root, where a control group can be made (:mod:`.cgroups`), the kernel's whole process
tree has one memory and one process limit, and its home is a tmpfs of bounded size where
mounting is allowed; under bubblewrap ``/tmp`` and ``/dev/shm`` are bounded tmpfs. Each
:class:`Sandbox` says which hold for its kernel (``cgroup``, ``home_mounted``,
``offline``). ``BPLAB_SANDBOX`` forces a mode, and the line :func:`warning` prints then
says it was forced.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import cgroups, runtime
from .bwrap import bwrap_command
from .modes import (
    MODES,
    PACKAGE,
    UID_BASE,
    UID_COUNT,
    bubblewrap_works,
    choose_mode,
    is_root,
    kernels_offline,
    prepare,
    private_defaults,
    python_readable_by_others,
    source_tree,
    warning,
)
from .seal import sealed, to_seal

__all__ = ["MODES", "PACKAGE", "UID_BASE", "UID_COUNT", "Sandbox", "bubblewrap_works",
           "bwrap_command", "choose_mode", "is_root", "kernels_offline", "prepare",
           "private_defaults", "python_readable_by_others", "sealed", "source_tree",
           "to_seal", "warning"]

LOCKS = Path(tempfile.gettempdir()) / "backprop-lab-uids"
# Runs in the new process before it becomes the sandbox (argv: config, command...); as
# root it first joins the kernel's control group, so that everything after is inside.
WRAPPER = r"""
import json, os, resource, sys
cfg, cmd = json.loads(sys.argv[1]), sys.argv[2:]
for procs in cfg["cgroup"]:
    with open(procs, "w") as joined:
        joined.write(str(os.getpid()))
resource.setrlimit(resource.RLIMIT_AS, (cfg["memory"], cfg["memory"]))
if cfg["file"] is not None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (cfg["file"], cfg["file"]))
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


class Sandbox:
    """The wall around one kernel: a uid (as root) and the command prefix that applies it."""

    def __init__(self, memory_bytes: int, flags: Path, home: Path, nproc: int = 256,
                 mode: str | None = None, disk: int | None = None, whole_tree: bool = True):
        """``flags``: a file only the grader can read; the kernel gets a descriptor to
        append to it (what the audit hook sees), opened before the wall goes up.
        ``disk``: the largest file, and the size of each tmpfs (None: unbounded).
        ``whole_tree``: one memory and process limit for the kernel's whole tree, where
        a control group can be made (as root)."""
        self.mode = mode or choose_mode()
        self.home = Path(home)
        self.disk = disk
        self.uid = _allocate_uid() if self.mode != "none" and is_root() else None
        #: The Python the kernel starts with: one the kernel's uid can run.
        self.python = runtime.kernel_python(self.mode)
        #: True where the kernel reaches no network: its own namespace, or the firewall
        #: rule for the kernels' uids (mode uid, as root, where nft or iptables works).
        self.offline = self.mode == "bubblewrap" or (
            self.mode == "uid" and self.uid is not None and kernels_offline())
        owner = self.uid if self.uid is not None else os.getpid()
        if whole_tree and self.uid is not None:
            cgroups.sweep(f"bplab-{self.uid}-")  # this uid is ours now: its leftovers go
        name = f"bplab-{owner}-{self.home.name}"
        self.cgroup = cgroups.make(name, memory_bytes, nproc) if whole_tree else None
        self.home_mounted = disk is not None and is_root() and _mount_tmpfs(self.home, disk)
        self.config = {"memory": int(memory_bytes), "uid": self.uid, "nproc": nproc,
                       "flags": str(flags), "mode": self.mode, "file": disk,
                       "cgroup": self.cgroup.procs if self.cgroup else []}

    def prefix(self) -> list[str]:
        # -I: not even the wrapper (root, in the kernel's home) imports from its folder
        wrapper = [sys.executable, "-I", "-c", WRAPPER, json.dumps(self.config)]
        if self.mode == "bubblewrap":
            return [*wrapper, *bwrap_command(self.home, self.uid, self.disk)]
        return wrapper

    def limit_hit(self) -> str:
        """``memory`` or ``processes`` when the kernel's tree went past that limit."""
        return self.cgroup.hit() if self.cgroup else ""

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
        """Kill every process left with this uid (and in its control group), then free
        the uid, the group and the home's tmpfs; in the ``uid`` mode, also delete what
        the uid left in the machine's shared temporary folders."""
        for _ in range(3):
            killed = self._kill_group() + (_kill_uid(self.uid) if self.uid is not None else 0)
            if not killed:
                break
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self.home_mounted:
            subprocess.run(["umount", "--lazy", str(self.home)], capture_output=True)
            self.home_mounted = False
        if self.uid is None:
            return
        if self.mode == "uid":
            _remove_owned(self.uid, SHARED_TMP)
        shutil.rmtree(LOCKS / str(self.uid), ignore_errors=True)
        self.uid = None

    def _kill_group(self) -> int:
        killed = 0
        for procs in self.cgroup.procs if self.cgroup else []:
            try:
                pids = [int(p) for p in Path(procs).read_text().split()]
            except (OSError, ValueError):
                continue
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
                except ProcessLookupError:
                    pass
        return killed


def _mount_tmpfs(home: Path, size: int) -> bool:
    """Make ``home`` a tmpfs of ``size`` bytes, keeping what it holds (root, where
    mounting is allowed; False elsewhere: it stays on disk)."""
    staged = home.with_name(home.name + ".staged")
    try:
        os.rename(home, staged)
        home.mkdir(mode=0o700)
    except OSError:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(size)},mode=0700",
                           "tmpfs", str(home)], capture_output=True)
    mounted = done.returncode == 0
    if not mounted:
        home.rmdir()
        os.rename(staged, home)
        return False
    for child in staged.iterdir():
        shutil.move(str(child), str(home / child.name))
    staged.rmdir()
    return True


#: World-writable folders a ``uid``-mode kernel can write in (on the machine's disk).
SHARED_TMP = (tempfile.gettempdir(), "/var/tmp", "/dev/shm")


def _remove_owned(uid: int, folders: tuple[str, ...]) -> None:
    """Delete what ``uid`` made at the top of ``folders`` (never following a link)."""
    for folder in dict.fromkeys(folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


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
