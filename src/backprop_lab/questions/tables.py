"""The docs' tables of the questions, written from the registry (never by hand).

``python -m backprop_lab.questions.tables docs/contract.md`` rewrites each table between
``<!-- BEGIN <NAME> -->`` and ``<!-- END <NAME> -->``; ``tests/test_questions.py`` fails
when a committed table differs from what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .registry import questions


def _names(stubs) -> str:
    return ", ".join(f"`{s}`" for s in stubs) or "nothing"


def builds_on_table() -> str:
    """Stubs grouped by the building blocks they are meant to call, in course order."""
    groups: dict[tuple[str, ...], list[str]] = {}
    order = list(questions())
    for name, q in questions().items():
        groups.setdefault(tuple(sorted(q.builds_on, key=order.index)), []).append(name)
    rows = ["| stub | builds on |", "|---|---|"]
    rows += [f"| {_names(stubs)} | {_names(blocks)} |" for blocks, stubs in groups.items()]
    return "\n".join(rows)


def mistakes_table() -> str:
    """Each stub's named mistakes (codes of its mutants, once each), in course order."""
    rows = ["| assignment | stub | named mistakes (besides the generic ones) |", "|---|---|---|"]
    for name, q in questions().items():
        codes = list(dict.fromkeys(m.code for m in q.mistakes))
        rows.append(f"| {q.assignment} | `{name}` | {_names(codes) if codes else '-'} |")
    return "\n".join(rows)


TABLES = {"BUILDS_ON": builds_on_table, "MISTAKES_BY_STUB": mistakes_table}


def rewrite(text: str) -> str:
    """``text`` with every marked table written afresh."""
    for name, table in TABLES.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(\n<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m, t=table: m.group(1) + t() + m.group(2), text)
    return text


if __name__ == "__main__":
    for path in map(Path, sys.argv[1:]):
        path.write_text(rewrite(path.read_text()))
