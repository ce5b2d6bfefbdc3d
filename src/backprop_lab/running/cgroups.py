"""One control group per kernel: a memory and a process limit on its whole process tree.

``RLIMIT_AS`` bounds one process; a kernel that forks (multiprocessing, ``os.fork``)
multiplies it. As root, where the machine lets us make a control group, each kernel's
tree goes into one of its own: ``memory`` caps everything the tree holds (every process,
and the tmpfs pages it writes), ``pids`` caps its processes. Past the memory limit the
kernel's OOM killer stops a process of that tree alone. cgroup v2 (one hierarchy with
the memory and pids controllers) and v1 (a ``memory`` and a ``pids`` hierarchy) both
work. Without root, or with ``/sys/fs/cgroup`` read-only (a container's default), there
is none: :func:`make` returns None and only the per-process limits hold.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


class Cgroup:
    """Folders of one control group (one per hierarchy) and how to read what they did."""

    def __init__(self, folders: list[Path], version: int):
        self.folders = folders
        self.version = version

    @property
    def procs(self) -> list[str]:
        """The files a process writes its pid to, to join (children follow)."""
        return [str(f / "cgroup.procs") for f in self.folders]

    def hit(self) -> str:
        """``memory`` or ``processes`` when the tree went past that limit, else ``""``."""
        if self.version == 2:
            if _counts(self.folders[0] / "memory.events").get("oom_kill", 0):
                return "memory"
            if _counts(self.folders[0] / "pids.events").get("max", 0):
                return "processes"
            return ""
        memory, pids = self.folders
        if _counts(memory / "memory.oom_control").get("oom_kill", 0):
            return "memory"
        if _counts(pids / "pids.events").get("max", 0):
            return "processes"
        return ""

    def remove(self) -> None:
        """Delete the group (its processes must be gone: the caller killed them; a
        killed process may take a moment to leave, so this waits up to a second)."""
        for folder in self.folders:
            for _ in range(20):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def sweep(prefix: str) -> None:
    """Delete the empty groups named ``prefix...`` beside ours: leftovers of kernels
    whose grader was killed (only for names no running kernel can hold: the caller
    owns the uid in ``prefix``)."""
    for controller, mount in (("", ROOT), ("memory", ROOT / "memory"), ("pids", ROOT / "pids")):
        own = _own_path(controller)
        if own is None or not mount.is_dir() or (controller == "" and
                                                 not (ROOT / "cgroup.controllers").exists()):
            continue
        for folder in (mount / own.lstrip("/")).glob(prefix + "*"):
            try:
                folder.rmdir()
            except OSError:
                pass


def make(name: str, memory: int, pids: int) -> Cgroup | None:
    """A new group ``name`` beside the caller's own, limited to ``memory`` bytes and
    ``pids`` processes, or None where none can be made (not root, read-only, no
    controllers)."""
    if os.geteuid() != 0:
        return None
    return _v2(name, memory, pids) or _v1(name, memory, pids)


def _v2(name: str, memory: int, pids: int) -> Cgroup | None:
    if not (ROOT / "cgroup.controllers").exists():
        return None
    own = _own_path("")
    if own is None:
        return None
    parent = ROOT / own.lstrip("/")
    try:
        if not {"memory", "pids"} <= set((parent / "cgroup.controllers").read_text().split()):
            return None
        enabled = set((parent / "cgroup.subtree_control").read_text().split())
        if not {"memory", "pids"} <= enabled:
            (parent / "cgroup.subtree_control").write_text("+memory +pids")
        folder = parent / name
        folder.mkdir(exist_ok=True)
        (folder / "memory.max").write_text(str(memory))
        if (folder / "memory.swap.max").exists():
            (folder / "memory.swap.max").write_text("0")
        (folder / "pids.max").write_text(str(pids))
    except OSError:
        return None
    return Cgroup([folder], 2)


def _v1(name: str, memory: int, pids: int) -> Cgroup | None:
    folders = []
    try:
        for controller in ("memory", "pids"):
            own = _own_path(controller)
            mount = ROOT / controller
            if own is None or not mount.is_dir():
                raise OSError(f"no {controller} hierarchy")
            folder = mount / own.lstrip("/") / name
            folder.mkdir(exist_ok=True)
            folders.append(folder)
        memory_folder, pids_folder = folders
        (memory_folder / "memory.limit_in_bytes").write_text(str(memory))
        swap = memory_folder / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(memory))
        (pids_folder / "pids.max").write_text(str(pids))
    except OSError:
        Cgroup(folders, 1).remove()
        return None
    return Cgroup(folders, 1)


def _own_path(controller: str) -> str | None:
    """This process's group in the hierarchy of ``controller`` ("" for cgroup v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if (controller == "" and names == "") or controller in names.split(","):
            return path
    return None


def _counts(path: Path) -> dict[str, int]:
    try:
        pairs = (line.split() for line in path.read_text().splitlines())
        return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}
    except OSError:
        return {}
