"""Similar submissions: winnowed fingerprints of normalised code, per notebook and per stub.

``grade`` keeps each submission's code cells in its feedback record (``"code"``), so the
report can be rebuilt from the output folder alone, after the submissions have moved.

What holds:

- Code is compared in its normal form (:mod:`.normalise`): semicolons, brackets,
  comments, spacing, names, docstrings, annotations and the order of helpers or of
  independent assignments change nothing. copydetect fingerprints the normal form
  (``NOISE``, ``GUARANTEE``): every shared run of ``GUARANTEE`` filtered characters is seen.
- Only the stubs the handed-out notebook asks for (and the cells that are no stub) are
  compared: a stub pasted from an earlier assignment is compared in that assignment.
- Two things are not evidence and are removed from every fingerprint set: the student
  notebook's own code (its normal form, when the built notebook is beside the autograder
  zip), and *common* fingerprints: those in more than ``COMMON_SHARE`` of the class's
  independent groups (and in more than two). Submissions whose raw fingerprints overlap
  by ``LINK`` or more form one group, so a copy ring counts once and cannot make its
  own code common, however large it is; the one obvious way to write
  ``1 / (1 + np.exp(-z))`` still is.
- A pair is listed when its notebooks share ``threshold`` of the smaller one's
  fingerprints (and at least ``MIN_SHARED``), or when any *substantial* stub (one with
  ``STUB_MIN`` fingerprints left on both sides) shares ``STUB_THRESHOLD`` of the smaller
  side's: copying half the stubs from each of two classmates is found stub by stub.
- Notebooks are read through nbformat (v3 is converted); a cell longer than its share of
  ``CODE_LIMIT`` is truncated, never dropped (``kept_code``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .fingerprints import LINK, boilerplate_hashes, fingerprint, overlaps, rarity
from .normalise import OTHER, Part, notebook_parts

MIN_SHARED = 40  #: a pair must share at least this weight of fingerprints
DEFAULT_THRESHOLD = 0.6  #: pairs whose notebooks are at least this alike are listed
STUB_THRESHOLD = 0.8  #: ... and pairs with a substantial stub at least this alike
STUB_MIN = 60  #: fingerprints of uncommon code a stub needs, on both sides, to count
CODE_LIMIT = 200_000  #: characters of code kept per submission
__all__ = ["OTHER", "Pair", "similar_pairs", "rings", "code_cells", "kept_code",
           "submission_code", "parts_of", "template_cells", "DEFAULT_THRESHOLD"]


@dataclass
class Pair:
    assignment: str
    a: str
    b: str
    score: float
    #: fingerprints the two notebooks share (template and common code left out)
    shared: int
    #: (part name, score, code of a, code of b), best first; parts are stubs or OTHER
    parts: list[tuple[str, float, str, str]] = field(default_factory=list)
    #: why it is listed: "notebook" or "stub <name>" (the first stub over STUB_THRESHOLD)
    reason: str = "notebook"


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


def kept_code(cells: list[str], limit: int = CODE_LIMIT) -> list[str]:
    """What a feedback record keeps of the code cells: every cell, each cut to a common
    length chosen so that all of them fit in ``limit`` characters (max-min fair: short
    cells, the stubs, are kept whole unless the notebook is made of huge cells)."""
    lengths = sorted(len(c) for c in cells)
    cap, left = limit, limit
    for i, n in enumerate(lengths):
        share = left // (len(lengths) - i)
        if n > share:
            cap = share
            break
        left -= n
    return [c[:cap] for c in cells]


def submission_code(source: Path | bytes) -> list[str]:
    """The code cells of a notebook file (or its bytes) as ``grade`` reads them (through
    nbformat: v3 converted), capped; ``[]`` for anything that is not a notebook."""
    import warnings

    import nbformat

    from ..running.intake import check_structure, read_submission

    try:
        data = source if isinstance(source, bytes) else read_submission(source)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's warnings about old cell ids
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        check_structure(nb)
        return kept_code(code_cells(nb))
    except Exception:  # not UTF-8, not a notebook, too deep, unreadable: no code
        return []


def parts_of(cells: list[str]) -> dict[str, str]:
    """The student's own text of each part (a stub with its helpers, or OTHER)."""
    return {name: part.original for name, part in notebook_parts(cells).items()}


@dataclass
class _Class:
    """One assignment's submissions as the rules below compare them."""
    names: list[str]
    parts: dict[str, dict[str, Part]]
    prints: dict[str, dict[str, set[int]]]  # submission -> part -> fingerprints
    whole: list[set[int]]
    weight: dict[int, float]

    def mass(self, hashes: set[int]) -> float:
        return sum(self.weight.get(h, 0.0) for h in hashes)

    def evidence(self, hashes: set[int]) -> set[int]:
        return {h for h in hashes if self.weight.get(h, 0.0) > 0}


def _prepare(codes: dict[str, list[str]], template: list[str], link: float) -> _Class:
    boiler = boilerplate_hashes(template)
    names = sorted(n for n, cells in codes.items() if cells)
    parts = {n: notebook_parts(codes[n]) for n in names}
    asked = set(notebook_parts(template)) - {OTHER}
    if asked:  # stubs pasted from earlier assignments are compared in those assignments
        parts = {n: {p: part for p, part in ps.items() if p in asked or p == OTHER}
                 for n, ps in parts.items()}
    prints = {n: {p: fingerprint(part.normal, boiler) for p, part in parts[n].items()}
              for n in names}
    whole = [set().union(*prints[n].values()) for n in names]
    return _Class(names, parts, prints, whole,
                  rarity(whole, link, [prints[n] for n in names]))


def _stub_hits(c: _Class, stub_threshold: float) -> dict[tuple[int, int], str]:
    """Pairs with a substantial stub alike by ``stub_threshold`` of each side's weight."""
    hits: dict[tuple[int, int], str] = {}
    for stub in sorted({p for n in c.names for p in c.prints[n] if p != OTHER}):
        sets = [c.evidence(c.prints[n].get(stub, set())) for n in c.names]
        both, _, mass = overlaps(sets, c.weight)
        larger = np.maximum.outer(mass, mass)
        alike = both / np.where(larger > 0, larger, 1.0)  # of each side, not of the smaller
        big = np.array([len(s) >= STUB_MIN for s in sets])
        for i, j in zip(*np.nonzero(np.triu((alike >= stub_threshold)
                                            & np.logical_and.outer(big, big), 1)), strict=True):
            hits.setdefault((int(i), int(j)), stub)
    return hits


def _second_sources(c: _Class, hits: dict[tuple[int, int], str], threshold: float,
                    stub_threshold: float, listed: set) -> dict[tuple[int, int], str]:
    """Copied from two classmates: when X shares a stub with Y (and is not alike Y as a
    whole), the rest of X (its parts not alike Y's) is compared with everyone else, and a
    classmate holding ``threshold`` of its weight is listed with X."""
    from scipy.sparse import csr_matrix

    found: dict[tuple[int, int], str] = {}
    todo = [(x, y) for i, j in hits if (i, j) not in listed for x, y in ((i, j), (j, i))]
    if not todo:
        return found
    column: dict[int, int] = {}
    rows, cols = [], []
    for k, hashes in enumerate(c.whole):
        for h in hashes:
            rows.append(k)
            cols.append(column.setdefault(h, len(column)))
    held = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(c.whole), len(column)))
    weights = {n: {p: c.mass(h) for p, h in c.prints[n].items()} for n in c.names}
    for x, y in todo:
        nx, ny = c.names[x], c.names[y]
        rest: set[int] = set()
        for p, hashes in c.prints[nx].items():
            larger = max(weights[nx][p], weights[ny].get(p, 0.0))
            if not larger or c.mass(hashes & c.prints[ny].get(p, set())) / larger < stub_threshold:
                rest |= c.evidence(hashes)
        total = c.mass(rest)
        if total < MIN_SHARED:
            continue
        vector = np.zeros(len(column))
        for h in rest:
            vector[column[h]] = c.weight[h]
        both = held @ vector
        for k in np.nonzero((both >= MIN_SHARED) & (both >= threshold * total))[0]:
            if k not in (x, y):
                found.setdefault((min(x, int(k)), max(x, int(k))), f"the rest, beside {ny}")
    return found


def similar_pairs(assignment: str, codes: dict[str, list[str]], template: list[str],
                  threshold: float = DEFAULT_THRESHOLD,
                  stub_threshold: float = STUB_THRESHOLD, link: float = LINK) -> list[Pair]:
    """Pairs of submissions of one assignment that look copied, best first.

    Args:
        codes: submission name -> its code cells (``submission_code``).
        template: the student notebook's code cells, or ``[]`` when it is not at hand.
        threshold: the notebook score (the weight of shared fingerprints over the smaller
            notebook's) at or above which a pair is listed.
        stub_threshold: the same score for one substantial stub (a value above 1 turns
            the stub rule, and so the two-sources rule, off).
        link: see ``rarity`` (``link > 1`` counts every submission on its own).
    """
    c = _prepare(codes, template, link)
    shared, score, _ = overlaps(c.whole, c.weight)
    listed: dict[tuple[int, int], str] = {}
    over = np.triu((score >= threshold) & (shared >= MIN_SHARED), 1)
    for i, j in zip(*np.nonzero(over), strict=True):
        listed[int(i), int(j)] = "notebook"
    hits = _stub_hits(c, stub_threshold)
    for key, why in _second_sources(c, hits, threshold, stub_threshold, set(listed)).items():
        listed.setdefault(key, why)
    for key, stub in hits.items():
        listed.setdefault(key, f"stub {stub}")
    pairs = []
    for (i, j), reason in listed.items():
        a, b = c.names[i], c.names[j]
        rows = []
        for p in sorted(set(c.prints[a]) & set(c.prints[b])):
            pa, pb = c.prints[a][p], c.prints[b][p]
            smaller = min(c.mass(pa), c.mass(pb))
            alike = c.mass(pa & pb) / smaller if smaller > 0 else 0.0
            if alike > 0:
                rows.append((p, alike, c.parts[a][p].original, c.parts[b][p].original))
        pairs.append(Pair(assignment, a, b, float(score[i, j]), round(float(shared[i, j]), 1),
                          sorted(rows, key=lambda r: -r[1]), reason))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def rings(pairs: list[Pair]) -> list[list[str]]:
    """Groups of three or more submissions linked by listed pairs (connected), largest first."""
    links: dict[str, set[str]] = {}
    for p in pairs:
        links.setdefault(p.a, set()).add(p.b)
        links.setdefault(p.b, set()).add(p.a)
    seen: set[str] = set()
    out = []
    for start in sorted(links):
        if start in seen:
            continue
        ring, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node not in ring:
                ring.add(node)
                todo += links[node] - ring
        seen |= ring
        if len(ring) >= 3:
            out.append(sorted(ring))
    return sorted(out, key=lambda r: (-len(r), r))


def template_cells(autograder_zip: Path) -> list[str]:
    """The built student notebook's code, found beside the zip (``<name>/student/``)."""
    name = autograder_zip.name.removesuffix("-autograder.zip")
    notebook = autograder_zip.parent / "student" / f"{name}.ipynb"
    return submission_code(notebook) if notebook.is_file() else []
