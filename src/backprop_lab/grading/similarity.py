"""Similar submissions: copydetect's winnowed fingerprints, pair by pair, per assignment.

``grade`` keeps each submission's code cells in its feedback record (``"code"``), so the
report can be rebuilt from the output folder alone, after the submissions have moved.
Code is tokenized by copydetect (names become ``V``, defined functions ``F``, comments
and spaces vanish), so renamed variables and reordered helpers do not hide a copy. Two
things are not evidence and are removed from every fingerprint before comparing:

- the student notebook's own code (imports, signatures, docstrings, check cells), when
  the built notebook is found beside the autograder zip;
- fingerprints that more than ``COMMON_SHARE`` of the class (and more than two
  submissions) share: the one obvious way to write ``1 / (1 + np.exp(-z))`` is
  written by many honest students (the idea of MOSS's "max occurrences").
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

NOISE = 15  #: k: tokens of filtered code shorter than this never count as shared
GUARANTEE = 20  #: a shared run this long is always found (window = GUARANTEE - NOISE + 1)
COMMON_SHARE = 0.2  #: fingerprints in more of the class than this are common knowledge
MIN_SHARED = 60  #: a pair must share at least this many filtered characters of code
DEFAULT_THRESHOLD = 0.6  #: pairs at or above this score are listed
PREFILTER = 0.5  #: pairs sharing fewer fingerprints than this x threshold are not compared
CODE_LIMIT = 200_000  #: characters of code kept per submission
DEF_LINE = re.compile(r"^(?:\s*(?:#|@|import |from )[^\n]*\n|\s*\n)*\s*def\s+([A-Za-z_]\w*)\s*\(")
OTHER = "other cells"


@dataclass
class Pair:
    assignment: str
    a: str
    b: str
    score: float
    shared: int
    #: (part name, score, code of a, code of b), best first; parts are stubs or OTHER
    parts: list[tuple[str, float, str, str]] = field(default_factory=list)


def code_cells(nb: dict) -> list[str]:
    """The sources of the notebook's code cells, plotting cells (``otter_ignore``) left out;
    parts of the wrong type are skipped, whatever the JSON holds."""
    out = []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and "otter_ignore" in tags:
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        out.append(source if isinstance(source, str) else "")
    return out


def kept_code(cells: list[str]) -> list[str]:
    """What a feedback record keeps of the code cells: the first ones, up to CODE_LIMIT."""
    kept, total = [], 0
    for source in cells:
        if total + len(source) > CODE_LIMIT:
            break
        kept.append(source)
        total += len(source)
    return kept


def submission_code(source: Path | bytes) -> list[str]:
    """The code cells of a notebook file (or its bytes), capped; ``[]`` for anything that is
    not one (broken JSON, JSON nested too deep to parse, an unreadable file)."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return kept_code(code_cells(json.loads(data.decode("utf-8", errors="replace"))))
    except (OSError, ValueError, RecursionError):
        return []


def parts_of(cells: list[str]) -> dict[str, str]:
    """Cells by the function they define first (after comments and imports); the rest: OTHER."""
    parts: dict[str, str] = {}
    for source in cells:
        match = DEF_LINE.match(source)
        name = match.group(1) if match else OTHER
        parts[name] = (parts[name] + "\n\n" + source) if name in parts else source
    return parts


def fingerprint(code: str, boilerplate: np.ndarray | None = None):
    """copydetect's ``CodeFingerprint`` of Python ``code``, ``boilerplate`` hashes left out."""
    from copydetect import CodeFingerprint  # imported when used: grading workers never need it

    window = GUARANTEE - NOISE + 1
    return CodeFingerprint("code.py", NOISE, window, boilerplate, fp=io.StringIO(code),
                           language="python")


def boilerplate_hashes(template_cells: list[str]) -> np.ndarray:
    """Every k-gram hash of the student notebook's code (window 1, as copydetect does)."""
    from copydetect import CodeFingerprint

    if not template_cells:
        return np.array([], dtype=np.int64)
    fp = CodeFingerprint("code.py", NOISE, 1, fp=io.StringIO("\n\n".join(template_cells)),
                         language="python")
    return np.array(sorted(fp.hashes), dtype=np.int64)


def _drop(fp, hashes: set) -> None:
    """Remove fingerprints from ``fp`` in place and recount the tokens they cover."""
    from copydetect.utils import get_token_coverage

    fp.hashes = fp.hashes - hashes
    fp.hash_idx = {h: i for h, i in fp.hash_idx.items() if h not in hashes}
    fp.token_coverage = get_token_coverage(fp.hash_idx, fp.k, len(fp.filtered_code))


def common_hashes(fps: list) -> set:
    """Fingerprints present in more than ``COMMON_SHARE`` of the class (and in 3 or more)."""
    counts: dict = {}
    for fp in fps:
        for h in fp.hashes:
            counts[h] = counts.get(h, 0) + 1
    limit = max(2, math.floor(COMMON_SHARE * len(fps)))
    return {h for h, n in counts.items() if n > limit}


def _side_by_side(a: dict[str, str], b: dict[str, str], boiler: np.ndarray,
                  common: set) -> list[tuple[str, float, str, str]]:
    from copydetect import compare_files

    rows = []
    for name in sorted(set(a) & set(b)):
        fa, fb = fingerprint(a[name], boiler), fingerprint(b[name], boiler)
        _drop(fa, common)
        _drop(fb, common)
        if not fa.hashes or not fb.hashes:
            continue
        _, (sa, sb), _ = compare_files(fa, fb)
        if max(sa, sb) > 0:
            rows.append((name, float(max(sa, sb)), a[name], b[name]))
    return sorted(rows, key=lambda r: -r[1])


def similar_pairs(assignment: str, codes: dict[str, list[str]], template: list[str],
                  threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """Pairs of submissions of one assignment whose code is at least ``threshold`` alike.

    Args:
        codes: submission name -> its code cells (``submission_code``).
        template: the student notebook's code cells, or ``[]`` when it is not at hand.
        threshold: the score, the larger of the two shares of each one's fingerprinted
            code found in the other, at or above which a pair is listed.
    """
    from copydetect import compare_files

    boiler = boilerplate_hashes(template)
    names = sorted(n for n, cells in codes.items() if cells)
    fps = [fingerprint("\n\n".join(codes[n]), boiler) for n in names]
    common = common_hashes(fps)
    for fp in fps:
        _drop(fp, common)
    pairs = []
    for i, j in combinations(range(len(names)), 2):
        common_count = len(fps[i].hashes & fps[j].hashes)
        # Shared fingerprints bound shared code: a pair far below the threshold by this
        # count is not worth copydetect's exact (and far dearer) token count.
        if common_count < PREFILTER * threshold * min(len(fps[i].hashes), len(fps[j].hashes)):
            continue
        shared, (si, sj), _ = compare_files(fps[i], fps[j])
        score = float(max(si, sj))
        if score >= threshold and shared >= MIN_SHARED:
            parts = _side_by_side(parts_of(codes[names[i]]), parts_of(codes[names[j]]),
                                  boiler, common)
            pairs.append(Pair(assignment, names[i], names[j], score, int(shared), parts))
    return sorted(pairs, key=lambda p: -p.score)


def template_cells(autograder_zip: Path) -> list[str]:
    """The built student notebook's code, found beside the zip (``<name>/student/``)."""
    name = autograder_zip.name.removesuffix("-autograder.zip")
    notebook = autograder_zip.parent / "student" / f"{name}.ipynb"
    try:
        return code_cells(json.loads(notebook.read_text()))
    except (OSError, ValueError):
        return []
