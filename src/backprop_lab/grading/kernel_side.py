"""Runs inside the student's kernel after the notebook: call stubs, write raw results.

``collect(request, results, env)`` reads the argument tuples the grader chose (a wire
file), calls each stub through :func:`.harness.run`, and writes what happened (values,
errors, modified arguments) as a wire file. Nothing here judges or scores.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .. import engine
from ..course.wire import pack, unpack
from .cases import revive
from .harness import run

REFERENCES = {name: getattr(engine, name) for name in engine.STUBS}


def collect(request: str, results: str, env: dict) -> None:
    wanted = unpack(Path(request).read_bytes())  # {stub: {part: [args, ...]}}
    out = {
        stub: {part: [asdict(raw) for raw in run(env, stub, [revive(a) for a in calls],
                                                  REFERENCES)]
               for part, calls in parts.items()}
        for stub, parts in wanted.items()
    }
    Path(results).write_bytes(pack(out))
