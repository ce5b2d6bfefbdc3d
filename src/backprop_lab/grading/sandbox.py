"""Where a kernel runs: out of reach of the answers, and cleaned up after.

When the grader runs as root (CI, a grading server), each kernel starts in its own
mount namespace where every place data lives (``/home``, ``/root``, ``/tmp``, ``/work``,
..., and the repository this package runs from) is covered by an empty tmpfs, with only
the Python installation and the kernel's own home bound back in; this package and the
folders named private (autograders, results) are hidden as well. The kernel then drops
to an unprivileged uid of its own, so it can neither read what is covered nor undo the
mounts. After the kernel, every process of that uid is killed, detached children too.

Without root, a kernel runs as the grader's own user with only the resource limits.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import tempfile
from pathlib import Path

UID_BASE, UID_COUNT = 61000, 2000
LOCKS = Path(tempfile.gettempdir()) / "backprop-lab-uids"
PACKAGE = Path(__file__).resolve().parents[1]

# Runs as root in the new process, before it becomes ipykernel (argv: config, command...).
WRAPPER = r"""
import ctypes, json, os, resource, sys
cfg, cmd = json.loads(sys.argv[1]), sys.argv[2:]
resource.setrlimit(resource.RLIMIT_AS, (cfg["memory"], cfg["memory"]))
flags = os.open(cfg["flags"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.set_inheritable(flags, True)
os.environ["BPLAB_FLAG_FD"] = str(flags)
if cfg["uid"] is not None:
    libc = ctypes.CDLL(None, use_errno=True)
    MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
    def check(result, what):
        if result != 0:
            raise OSError(ctypes.get_errno(), "sandbox: " + what)
    def mount(source, target, kind, flags, data):
        check(libc.mount(source.encode(), target.encode(), kind and kind.encode(), flags,
                         data and data.encode()), f"mount {target}")
    check(libc.unshare(0x00020000), "unshare")
    check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private /")
    staged = []  # bind what must stay visible aside, cover, then bind it back
    for i, (cover, keeps) in enumerate(cfg["cover"]):
        for j, keep in enumerate(keeps):
            stage = os.path.join(cfg["stage"], f"{i}-{j}")
            os.mkdir(stage)
            mount(keep, stage, None, MS_BIND | MS_REC, None)
            staged.append((stage, keep))
    for cover, keeps in cfg["cover"]:
        mount("tmpfs", cover, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
    for stage, keep in staged:
        os.makedirs(keep, exist_ok=True)
        mount(stage, keep, None, MS_BIND | MS_REC, None)
    for hidden in cfg["hide"]:
        if os.path.isdir(hidden):
            mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV, "mode=000,size=4k")
    resource.setrlimit(resource.RLIMIT_NPROC, (cfg["nproc"], cfg["nproc"]))
    os.setgroups([])
    os.setgid(cfg["uid"])
    os.setuid(cfg["uid"])
os.execv(cmd[0], cmd)
"""


def can_isolate() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and sys.platform.startswith("linux")


#: Where data lives on a Linux machine; each is covered, keeping only what the kernel needs.
DATA_ROOTS = ("/home", "/root", "/tmp", "/var/tmp", "/srv", "/mnt", "/media", "/opt", "/work")


def _closed_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that others may not enter (like /root), if any."""
    for parent in reversed(path.resolve().parents):
        if parent != Path("/") and not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


def source_tree() -> Path | None:
    """The repository this package runs from, when it runs from one."""
    root = PACKAGE.parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def plan(private: list[Path], home: Path) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(folders to cover, each with the paths inside it to keep; folders to hide).

    Covered: the data roots, the repository this package runs from, and any closed
    folder above the Python installation. Kept: the Python installation (base and
    virtual environment) and the kernel's home. Hidden: this package and ``private``.
    """
    keep = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), home.resolve()]
    roots = [Path(r) for r in DATA_ROOTS if Path(r).is_dir() and not Path(r).is_symlink()]
    roots += [r for r in (source_tree(), *map(_closed_ancestor, keep[:2])) if r is not None]
    outer = [r.resolve() for r in roots]
    outer = sorted({r for r in outer if not any(o in r.parents for o in outer)})
    covers = [(str(r), sorted({str(k) for k in keep if r in k.parents})) for r in outer
              if r not in keep]
    return covers, [str(p) for p in [PACKAGE, *private]]


class Sandbox:
    """A uid (and its lock) for one kernel, and the command prefix that applies it."""

    def __init__(self, memory_bytes: int, private: list[Path], flags: Path, home: Path,
                 nproc: int = 128):
        """``flags``: a file only the grader can read; the kernel gets a descriptor to
        append to it (what the audit hook sees), opened before the uid changes."""
        self.uid = _allocate_uid() if can_isolate() else None
        # The stage must stay reachable after /tmp is covered: /dev/shm is not covered.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.stage = Path(tempfile.mkdtemp(prefix="bplab-stage-", dir=shm)) if self.uid else None
        cover, hide = plan(private, home) if self.uid else ([], [])
        self.config = {"memory": int(memory_bytes), "uid": self.uid, "nproc": nproc,
                       "stage": str(self.stage), "cover": cover, "hide": hide,
                       "flags": str(flags)}

    def prefix(self) -> list[str]:
        return [sys.executable, "-c", WRAPPER, json.dumps(self.config)]

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
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
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
