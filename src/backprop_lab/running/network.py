"""For the ``uid`` mode: the kernels' uids get no network (bubblewrap gives each kernel
an empty network namespace instead).

As root, one firewall rule drops every packet sent by the uids kernels run as
(61000-62999), loopback included, so no service of the machine (a Dask scheduler, a
database on ``127.0.0.1``) is reachable from student code; the kernel still talks to
the grader over Unix sockets (ZeroMQ ``ipc``), which the rule does not touch. It is an
nftables table ``inet backprop_lab`` (``nft``), else ``iptables``/``ip6tables`` rules
with the owner match. The rule stays after the run: it concerns those uids alone.
Where neither tool works (a container without ``CAP_NET_ADMIN``), :func:`cut` returns
False and the kernels keep the network: ``grade`` says so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

TABLE = "backprop_lab"


def ruleset(first: int, last: int) -> str:
    return (f"table inet {TABLE} {{\n  chain output {{\n"
            "    type filter hook output priority 0; policy accept;\n"
            f"    meta skuid {first}-{last} counter reject\n  }}\n}}\n")


@functools.cache
def cut(first: int, last: int) -> bool:
    """Drop what uids ``first``..``last`` send; True when a rule holds (root only)."""
    if os.geteuid() != 0:
        return False
    nft = shutil.which("nft")
    if nft:
        listed = subprocess.run([nft, "list", "table", "inet", TABLE], capture_output=True,
                                text=True)
        if listed.returncode == 0 and f"skuid {first}-{last}" in listed.stdout:
            return True
        subprocess.run([nft, "delete", "table", "inet", TABLE], capture_output=True)
        if subprocess.run([nft, "-f", "-"], input=ruleset(first, last), text=True,
                          capture_output=True).returncode == 0:
            return True
    return _iptables(first, last)


def _iptables(first: int, last: int) -> bool:
    tools = [shutil.which(t) for t in ("iptables", "ip6tables")]
    if not all(tools):
        return False
    rule = ["OUTPUT", "-m", "owner", "--uid-owner", f"{first}-{last}", "-j", "REJECT"]
    for tool in tools:
        present = subprocess.run([tool, "-C", *rule], capture_output=True).returncode == 0
        if not present and subprocess.run([tool, "-A", *rule],
                                          capture_output=True).returncode != 0:
            return False
    return True
