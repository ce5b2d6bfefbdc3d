"""The bubblewrap command line itself (fast; the walls are proved in test_attacks/test_walls)."""

import sys
from pathlib import Path

import pytest

from backprop_lab.running.sandbox import bwrap_command


@pytest.mark.task("sandbox")
@pytest.mark.parametrize("uid", [None, 61000])
def test_a_python_installed_under_tmp_stays_visible(monkeypatch, uid):
    """A clone in /tmp keeps its .venv there (CI's may): the empty /tmp must be mounted
    before that installation and the kernel's home are bound, or it covers them and the
    kernel dies before it starts."""
    monkeypatch.setattr(sys, "prefix", "/tmp/clone/.venv")
    args = bwrap_command(Path("/tmp/bplab-kernel-x"), uid)
    empty_tmp = [i for i, a in enumerate(args[:-1]) if a == "--tmpfs" and args[i + 1] == "/tmp"]
    under_tmp = {args[i + 2]: i for i, a in enumerate(args[:-2])
                 if a in ("--bind", "--ro-bind") and args[i + 2].startswith("/tmp/")}
    assert set(under_tmp) == {"/tmp/clone/.venv", "/tmp/bplab-kernel-x"}
    assert len(empty_tmp) == 1 and empty_tmp[0] < min(under_tmp.values())


def test_a_grader_installed_into_the_kernels_python_is_hidden(monkeypatch, tmp_path):
    import sys

    from backprop_lab.running import bwrap

    args = bwrap.bwrap_command(tmp_path, None)
    if not bwrap.PACKAGE.is_relative_to(sys.prefix):  # an editable install: not bound
        assert str(bwrap.PACKAGE) not in args
    monkeypatch.setattr(sys, "prefix", str(bwrap.PACKAGE.parents[1]))  # as pip installs it
    args = bwrap.bwrap_command(tmp_path, None)
    assert args[args.index(str(bwrap.PACKAGE)) - 1] == "--tmpfs"
    assert args.index(str(bwrap.PACKAGE)) > args.index(str(bwrap.PACKAGE.parents[1]))
