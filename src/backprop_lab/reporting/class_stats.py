"""The class at a glance, as numbers: what the report shows, computed from feedback records.

Per assignment: status counts, the scores, per question the mean and the share of full
marks (in course order), each named mistake with its count, its share of the class, what
the students were told and who made it; and the flagged submissions. Each record carries
``"stem"``, the name of its feedback files, for links.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..questions.registry import course_index, names

STATUSES = ("graded", "error", "timeout", "invalid")
#: What a feedback record holds for certain (others are skipped as foreign files).
REQUIRED = {"submission", "assignment", "status", "score", "max_score", "questions"}
UNROUTED = "(no assignment)"


@dataclass
class Mistake:
    question: str
    code: str
    submissions: list[str]  #: feedback stems, in name order
    share: float  #: of the assignment's submissions
    message: str  #: the most common thing students were told for it

    @property
    def count(self) -> int:
        return len(self.submissions)


@dataclass
class Question:
    name: str
    max_score: float
    mean: float
    full_share: float
    mistakes: list[Mistake] = field(default_factory=list)


@dataclass
class Assignment:
    name: str
    records: list[dict]
    statuses: Counter
    max_score: float
    questions: list[Question]

    @property
    def scores(self) -> list[float]:
        return [float(r["score"]) for r in self.records if r["status"] != "invalid"]


def load_records(out: Path) -> list[dict]:
    """Every feedback record under ``out/feedback``, each with its file stem as ``"stem"``."""
    records = []
    for path in sorted((Path(out) / "feedback").glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError, RecursionError):
            continue  # a half-written or foreign file: the gradebook skips it too
        if well_formed(record):
            records.append({**record, "stem": path.stem})
    return records


def well_formed(record: object) -> bool:
    """A feedback record as ``grade`` writes it: the keys and the types the pages read."""
    if not (isinstance(record, dict) and REQUIRED <= record.keys()):
        return False
    numbers = (int, float)
    questions = record["questions"]
    return (isinstance(record["score"], numbers) and isinstance(record["max_score"], numbers)
            and isinstance(record["status"], str) and isinstance(questions, list)
            and all(isinstance(q, dict) and isinstance(q.get("name"), str)
                    and isinstance(q.get("score"), numbers)
                    and isinstance(q.get("max_score"), numbers)
                    and isinstance(q.get("messages", []), list)
                    and isinstance(q.get("diagnoses", []), list) for q in questions)
            and isinstance(record.get("flags", []), list))


def course_key(name: str) -> tuple[int, str]:
    """Questions in the order the course teaches them; unknown ones after, by name."""
    return (course_index(name), "") if name in names() else (len(names()), name)


def _told(record: dict, question: str) -> list[str]:
    for q in record["questions"]:
        if q["name"] == question:
            return [m for m in q["messages"] if not m.startswith("(")]
    return []


def _mistakes(records: list[dict], question: str, total: int) -> list[Mistake]:
    who: dict[str, list[str]] = {}
    told: dict[str, Counter] = {}
    for r in records:
        for q in r["questions"]:
            if q["name"] != question:
                continue
            for code in q["diagnoses"]:
                who.setdefault(code, []).append(r["stem"])
                told.setdefault(code, Counter()).update(_told(r, question)[:1])
    rows = [Mistake(question, code, sorted(stems), len(stems) / max(total, 1),
                    (told[code].most_common(1) or [("", 0)])[0][0])
            for code, stems in who.items()]
    return sorted(rows, key=lambda m: (-m.count, m.code))


def _question(records: list[dict], name: str) -> Question:
    scored = [(q["score"], q["max_score"]) for r in records for q in r["questions"]
              if q["name"] == name]
    max_score = max((m for _, m in scored), default=0.0)
    total = len(records)
    # a submission that never got this question (error before it) counts as 0
    mean = sum(s for s, _ in scored) / total if total else 0.0
    full = sum(1 for s, m in scored if s == m and m > 0) / total if total else 0.0
    return Question(name, max_score, mean, full, _mistakes(records, name, total))


def assignment_stats(records: list[dict]) -> list[Assignment]:
    """Records grouped by assignment (course order), with their statistics."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r.get("assignment") or UNROUTED, []).append(r)
    out = []
    for name in sorted(groups, key=lambda n: (n == UNROUTED, n)):
        group = sorted(groups[name], key=lambda r: r["stem"])
        counted = [r for r in group if r["status"] != "invalid"]
        names = sorted({q["name"] for r in group for q in r["questions"]}, key=course_key)
        statuses = Counter({s: 0 for s in STATUSES})
        statuses.update(r["status"] for r in group)
        max_score = max((float(r["max_score"]) for r in group), default=0.0)
        out.append(Assignment(name, group, statuses, max_score,
                              [_question(counted, q) for q in names]))
    return out


def flagged(records: list[dict]) -> list[dict]:
    """The records with flags, by assignment then file."""
    return sorted((r for r in records if r.get("flags")),
                  key=lambda r: (r.get("assignment") or "", r["stem"]))


def heat_counts(assignments: list[Assignment]) -> tuple[list[str], list[str], list[list[int]]]:
    """Questions (course order) x codes (most frequent first): submissions with that mistake."""
    questions = [q for a in assignments for q in a.questions]
    totals: Counter = Counter()
    for q in questions:
        for m in q.mistakes:
            totals[m.code] += m.count
    codes = [c for c, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    grid = [[next((m.count for m in q.mistakes if m.code == c), 0) for c in codes]
            for q in questions]
    return [q.name for q in questions], codes, grid
