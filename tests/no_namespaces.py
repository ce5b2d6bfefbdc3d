"""Run a command the way a container that refuses new namespaces would (Docker's default).

Usage: ``python no_namespaces.py [--keep PATH]... -- COMMAND...``

Before the command, in a mount namespace of this launcher's own (nothing global changes),
the file system becomes what a container holds: the system folders (``SYSTEM``) as they
are, every other top-level folder (/root, /home, /tmp, /work, wherever this checkout or
another copy of the package is) an empty tmpfs, and each ``--keep`` path bound back at
its own path, under folders every uid can enter (in a container, Python lives where
every uid can run it: /opt, not /root). Then a
seccomp filter, inherited by every descendant, makes ``unshare``, ``setns``, ``mount`` and
``clone`` with any ``CLONE_NEW*`` flag fail with EPERM, and ``clone3`` with ENOSYS (so
libc falls back to ``clone``), as Docker's default profile does.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEW_ANY = 0x00000080 | CLONE_NEWNS | 0x02000000 | 0x04000000 | 0x08000000 | \
    0x10000000 | 0x20000000 | 0x40000000  # time, mount, cgroup, uts, ipc, user, pid, net
SYSCALLS_X86_64 = {"clone": 56, "mount": 165, "unshare": 272, "setns": 308, "clone3": 435}
AUDIT_ARCH_X86_64 = 0xC000003E
LD_W_ABS, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
MS_REC, MS_PRIVATE, MS_BIND, MS_NOSUID, MS_NODEV = 16384, 1 << 18, 4096, 2, 4

#: What a container holds too: these stay as they are; any other top-level folder is covered.
SYSTEM = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "dev", "proc",
          "sys", "run", "var", "boot"}

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                       ctypes.c_ulong]
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_char_p]


def check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"no_namespaces: {what}")


def mount(source: str, target: str, kind: str | None, flags: int, data: str | None) -> None:
    check(libc.mount(source.encode(), target.encode(), kind and kind.encode(), flags,
                     data and data.encode()), f"mount {target}")


def filter_program() -> bytes:
    """The BPF program: x86-64 only (anything else is allowed through unchanged)."""
    s = SYSCALLS_X86_64
    ops = [
        (LD_W_ABS, 0, 0, 4),                       # 0: arch
        (JEQ, 1, 0, AUDIT_ARCH_X86_64),            # 1: x86-64 -> 3
        (RET, 0, 0, ALLOW),                        # 2
        (LD_W_ABS, 0, 0, 0),                       # 3: syscall number
        (JEQ, 6, 0, s["unshare"]),                 # 4 -> 11 (EPERM)
        (JEQ, 5, 0, s["setns"]),                   # 5 -> 11
        (JEQ, 4, 0, s["mount"]),                   # 6 -> 11
        (JEQ, 5, 0, s["clone3"]),                  # 7 -> 13 (ENOSYS)
        (JEQ, 0, 3, s["clone"]),                   # 8: clone -> 9, else -> 12
        (LD_W_ABS, 0, 0, 16),                      # 9: clone's flags (low 32 bits)
        (JSET, 0, 1, CLONE_NEW_ANY),               # 10: any CLONE_NEW* -> 11, else -> 12
        (RET, 0, 0, ERRNO | EPERM),                # 11
        (RET, 0, 0, ALLOW),                        # 12
        (RET, 0, 0, ERRNO | ENOSYS),               # 13
    ]
    return b"".join(struct.pack("HBBI", *op) for op in ops), len(ops)


def install_filter() -> None:
    program, count = filter_program()
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("HxxxxxxQ", count, ctypes.addressof(buffer))
    prog = ctypes.create_string_buffer(fprog)
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0),
          "seccomp")


def covered_folders() -> list[str]:
    """Every top-level folder a container would not hold as it is here."""
    return sorted(f"/{n}" for n in os.listdir("/") if n not in SYSTEM
                  and os.path.isdir(f"/{n}") and not os.path.islink(f"/{n}"))


def outermost(paths: list[str]) -> list[str]:
    """``paths`` without those inside another of them."""
    real = sorted({os.path.realpath(p) for p in paths})
    return [p for p in real if not any(p.startswith(q + "/") for q in real if q != p)]


def reshape(keep: list[str]) -> None:
    """Cover every folder of ``covered_folders()`` with an empty tmpfs, binding ``keep``
    back at its own path (the folders above it are created open: 0755)."""
    check(libc.unshare(CLONE_NEWNS), "unshare")
    mount("none", "/", None, MS_REC | MS_PRIVATE, None)
    stage = f"/dev/shm/no-namespaces-{os.getpid()}"
    staged = []
    for i, path in enumerate(outermost(keep)):  # set aside before anything is covered
        aside = f"{stage}-{i}"
        os.mkdir(aside)
        mount(path, aside, None, MS_BIND | MS_REC, None)
        staged.append((aside, path))
    for folder in covered_folders():
        mode = "1777" if folder == "/tmp" else "755"
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode}")
    for aside, path in staged:
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(aside, path, None, MS_BIND | MS_REC, None)
        libc.umount2(aside.encode(), 2)  # MNT_DETACH: the stage leaves no trace
        os.rmdir(aside)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    reshape([options[i + 1] for i, o in enumerate(options) if o == "--keep"])
    install_filter()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
