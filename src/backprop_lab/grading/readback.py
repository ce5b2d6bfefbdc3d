"""Read back what the harness printed in the kernel: raw results and tampering reports.

Everything here is untrusted text from the student's kernel, checked field by field.
"""

from __future__ import annotations

from ..course.calls import FLAG_MARK, RAW_MARK, Raw, decode
from ..course.compare import as_tree


def parse_flags(text: str) -> list[str]:
    """What the harness's tampering reports in ``text`` say."""
    reported = []
    for line in text.splitlines():
        if line.startswith(FLAG_MARK):
            try:
                reported += [str(f)[:300] for f in decode(line[len(FLAG_MARK):])]
            except Exception:
                reported.append("the tampering report was unreadable")
    return reported


def parse_raws(text: str, count: int) -> dict:
    """The last result line the harness printed, checked field by field."""
    reported = parse_flags(text)
    lines = [line for line in text.splitlines() if line.startswith(RAW_MARK)]
    if not lines:
        raise ValueError("no result line")
    data = decode(lines[-1][len(RAW_MARK):])
    raws = []
    for r in data["raws"]:
        raws.append(Raw(value=as_tree(r["value"]), error=r["error"] and str(r["error"]),
                        not_implemented=bool(r["not_implemented"]),
                        mutated=[tuple(int(i) for i in path) for path in r["mutated"]],
                        seconds=float(r["seconds"])))
    if len(raws) != count:
        raise ValueError(f"{len(raws)} results for {count} calls")
    return {"raws": raws, "flags": reported + [str(f)[:300] for f in data.get("flags", [])]}
