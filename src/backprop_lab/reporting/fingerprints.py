"""Fingerprints of code and their weight as evidence (used by :mod:`.similarity`).

- ``fingerprint``: winnowing (Schleimer, Wilkerson and Aiken, 2003) over copydetect's
  filtered code: every run of ``NOISE`` filtered characters is hashed with a stable hash
  (BLAKE2b, not Python's salted ``hash``: the same code gives the same report), and the
  rightmost smallest hash of each window of ``GUARANTEE - NOISE + 1`` runs is kept, so
  every shared run of ``GUARANTEE`` characters shows up on both sides.
- ``overlaps``: for a whole class at once, the weight two sets share.
- ``rarity``: what a fingerprint is worth. A copy ring must not turn its own code into
  "common knowledge", so commonness is counted in *groups*: submissions whose raw
  fingerprints overlap by ``LINK`` or more count once.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from .normalise import notebook_parts

NOISE = 15  #: k: runs of filtered code shorter than this never count as shared
GUARANTEE = 20  #: a shared run this long is always found (window = GUARANTEE - NOISE + 1)
COMMON_SHARE = 0.5  #: fingerprints in more of the class's groups than this weigh 0
LINK = 0.8  #: raw overlap that puts two submissions in one group for the common rule
CLASS_MIN = 10  #: a smaller class is weighed as if it had this many groups
PART_ALIKE = 0.9  #: a part agrees when each side holds this share of the other's
PART_AGREE = 4  #: ... and a pair agreeing on all parts but one links only with this many
FLOOR = 0.1  #: added to log(G / g) before squaring: a fingerprint in every group still counts


def kgram_hashes(code: str) -> np.ndarray:
    """A stable 64-bit hash of every ``NOISE``-character run of ``code`` as copydetect
    filters it (names become ``V``, functions ``F``, strings ``S``; comments and spaces go).
    Stable (BLAKE2b, not Python's salted ``hash``): the same code, the same report."""
    from copydetect.utils import filter_code  # imported when used: grading workers never need it

    filtered = filter_code(code, "code.py", language="python")[0]
    data = filtered.encode("utf-8", errors="surrogatepass")
    return np.array([int.from_bytes(hashlib.blake2b(data[i:i + NOISE], digest_size=8).digest(),
                                    "little", signed=True)
                     for i in range(len(data) - NOISE + 1)], dtype=np.int64)


def fingerprint(code: str, boilerplate: np.ndarray | None = None) -> set[int]:
    """The winnowed fingerprints of Python ``code`` (the rightmost smallest hash of every
    window of ``GUARANTEE - NOISE + 1`` runs), ``boilerplate`` hashes left out."""
    if not code.strip():
        return set()
    hashes = kgram_hashes(code)
    window = GUARANTEE - NOISE + 1
    if len(hashes) == 0:
        return set()
    if len(hashes) <= window:
        chosen = {int(hashes.min())}
    else:
        windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
        rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1) + np.arange(len(windows))
        chosen = {int(h) for h in hashes[np.unique(rightmost)]}
    if boilerplate is not None and len(boilerplate):
        chosen -= set(boilerplate.tolist())
    return chosen


def boilerplate_hashes(template: list[str]) -> np.ndarray:
    """Every run hash of the normal form of the student notebook's code."""
    code = "\n\n".join(p.normal for p in notebook_parts(template).values())
    return np.unique(kgram_hashes(code)) if code.strip() else np.array([], dtype=np.int64)


def overlaps(sets: list[set[int]], weight: dict[int, float] | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shared, score, mass) for every pair: the weight of the fingerprints both hold, that
    over the smaller side's weight (0 where either has none), and each side's weight;
    one sparse product for the whole class. Unweighted, every fingerprint weighs 1."""
    from scipy.sparse import csr_matrix

    index: dict[int, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for h in s:
            rows.append(i)
            cols.append(index.setdefault(h, len(index)))
    n, width = len(sets), max(1, len(index))
    m = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, width))
    w = np.ones(width)
    if weight is not None:
        for h, k in index.items():
            w[k] = weight.get(h, 0.0)
    mw = m.multiply(w.reshape(1, -1)).tocsr()
    shared = (mw @ m.T).toarray()
    mass = np.asarray(mw.sum(axis=1)).ravel()
    smaller = np.minimum.outer(mass, mass)
    score = np.where(smaller > 0, shared / np.where(smaller > 0, smaller, 1.0), 0.0)
    np.fill_diagonal(score, 0.0)
    return shared, score, mass


def groups(score: np.ndarray, link: float = LINK) -> list[int]:
    """A group id per submission: submissions linked by ``score >= link``, transitively."""
    parent = list(range(len(score)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(score >= link, 1)), strict=True):
        parent[root(int(i))] = root(int(j))
    return [root(i) for i in range(len(score))]


def part_links(parts: list[dict[str, set[int]]], alike: float = PART_ALIKE) -> np.ndarray:
    """Pairs that agree on every part but one (and on at least ``PART_AGREE`` parts): a
    part agrees when each side holds ``alike`` of the other's fingerprints. Copies that
    each rewrote one stub, the largest even, are linked; independent work is not."""
    n = len(parts)
    agree, held = np.zeros((n, n), dtype=int), np.zeros((n, n), dtype=int)
    for name in sorted({p for ps in parts for p in ps}):
        sets = [ps.get(name, set()) for ps in parts]
        both, _, mass = overlaps(sets)
        larger = np.maximum.outer(mass, mass)
        agree += (both >= alike * np.where(larger > 0, larger, np.inf)).astype(int)
        held += (larger > 0).astype(int)
    return (agree >= held - 1) & (agree >= PART_AGREE)


def rarity(sets: list[set[int]], link: float = LINK,
           parts: list[dict[str, set[int]]] | None = None) -> dict[int, float]:
    """Each fingerprint's weight as evidence: ``(log(G / g) + FLOOR)^2`` for a fingerprint
    found in ``g`` of the class's ``G`` independent groups, and 0 (common knowledge) when
    ``g`` is more than ``COMMON_SHARE`` of them and more than two. Squared: what few
    students share weighs far more than what many share (measured: README). Groups link
    submissions whose raw fingerprints overlap by ``link``, or (given their ``parts``)
    that agree on every part but one."""
    if not sets:
        return {}
    linked = overlaps(sets)[1] >= link
    if parts is not None and link <= 1:
        linked |= part_links(parts)
    group = groups(linked.astype(float), 0.5)
    owners: dict[int, set[int]] = {}
    for g, s in zip(group, sets, strict=True):
        for h in s:
            owners.setdefault(h, set()).add(g)
    total = len(set(group))
    limit = max(2, math.floor(COMMON_SHARE * total))
    total = max(total, CLASS_MIN)
    return {h: (0.0 if len(g) > limit else (math.log(total / len(g)) + FLOOR) ** 2)
            for h, g in owners.items()}
