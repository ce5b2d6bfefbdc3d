"""What one submission's kernel may use, and the environment it starts from.

:class:`Limits` is every bound of one kernel (time, memory, files, output, messages);
:func:`kernel_environment` is its whole environment, an allow-list.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

GIB = 1 << 30
MIB = 1 << 20


KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
#: What a kernel keeps of the grader's environment (besides ``LC_*``): nothing else, so
#: a token or key set for the grader never reaches student code.
INHERITED = ("LANG", "LANGUAGE", "TZ")


def kernel_environment(home: str) -> dict[str, str]:
    """The kernel's whole environment: an allow-list, not the grader's minus a few."""
    env = {k: v for k, v in os.environ.items() if k in INHERITED or k.startswith("LC_")}
    env.update(KERNEL_ENV, PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
               HOME=home, IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib",
               XDG_CACHE_HOME=f"{home}/.cache", JUPYTER_RUNTIME_DIR=f"{home}/.runtime",
               TMPDIR=home)
    return env


#: After a cell's reply, how long its end on the output channel may take: longer means
#: the output channel dropped a message over the limit (and, with it, the end).
REPLY_GRACE = 5.0


@dataclass
class Limits:
    cell_seconds: float = 60.0
    total_seconds: float = 600.0
    memory_bytes: int = 2 * GIB
    #: The largest file the kernel may write, and the size of its ``/tmp`` and home
    #: where they are tmpfs (None: unbounded, the old behaviour; tests' control only).
    disk_bytes: int | None = 512 * MIB
    #: One memory limit for the kernel's whole process tree, where a cgroup can be made
    #: (False: per-process limits only, as on a machine without; tests' control only).
    whole_tree: bool = True
    processes: int = 256
    output_bytes: int = 1 * MIB
    #: No message from the kernel larger than this is received (ZeroMQ drops it unread);
    #: what the grader collects of one call of a stub is capped at it too.
    message_bytes: int = 32 * MIB
    start_seconds: float = 60.0
    #: Time for one call of a stub by the grader (each call also gets at most what is left).
    call_seconds: float = 10.0
    #: How long an interrupted cell may take to stop before its kernel is killed.
    grace_seconds: float = 5.0
    #: Folders the kernel must not see (autograders, results), beyond the package itself.
    private: tuple[str, ...] = ()


