"""Namespaces that look like a notebook's: functions defined by exec of source cells."""

from __future__ import annotations

import inspect
import textwrap

from backprop_lab import engine


def notebook_env(*sources: str, reference_stubs: bool = True) -> dict:
    """exec the reference stubs' source (as a student's cells) then ``sources``, in one dict."""
    env: dict = {}
    exec("import numpy as np\nfrom scipy.special import expit", env)
    if reference_stubs:
        for name in engine.STUBS:
            exec(textwrap.dedent(inspect.getsource(getattr(engine, name))), env)
    for source in sources:
        exec(textwrap.dedent(source), env)
    return env
