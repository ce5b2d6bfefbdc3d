"""Turn feedback records into what people read: Markdown feedback, tables, class counts."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

BASE_COLUMNS = ["submission", "assignment", "status", "score", "max_score"]

MISTAKES = {
    "not_implemented": "the stub is not implemented yet",
    "shape_mismatch": "a result has the wrong shape",
    "transposed": "a result is the expected one transposed",
    "missing_sigmoid_prime": "an error term lacks the sigma'(z) factor",
    "sigmoid_prime_of_activation": "sigma' was applied to a instead of z",
    "factor_of_two": "exactly twice the expected value",
    "wrong_sign": "exactly minus the expected value",
    "mean_instead_of_sum": "a batch gradient was divided by N",
    "bias_not_summed": "the batch bias gradient was not summed over the samples",
    "wrong_layer": "a weight matrix or activation from the wrong layer",
    "one_sided_difference": "a one-sided difference instead of a centered one",
    "mutates_inputs": "the caller's arrays were modified in place",
    "nonfinite": "NaN or infinity in the result",
}


def score_text(value: float) -> str:
    return f"{value:g}"


def manual_note(manual: list[dict]) -> str:
    """What is still to come: " autograded; the written question `x` (2 points) is graded
    by hand"."""
    if not manual:
        return ""
    names = ", ".join(f"`{q['name']}` ({score_text(q['points'])} "
                      f"point{'' if q['points'] == 1 else 's'})" for q in manual)
    what, verb = ("written question", "is") if len(manual) == 1 else ("written questions", "are")
    return f" autograded; the {what} {names} {verb} graded by hand"


def feedback_markdown(record: dict) -> str:
    """The feedback for the student: per question, the score, what was wrong, the mistake."""
    lines = [f"# Feedback: {record['submission']}", ""]
    if record["status"] == "invalid":
        lines += [f"This file could not be graded: {record['reason']}.", ""]
        return "\n".join(lines)
    lines += [f"Assignment **{record['assignment']}**: "
              f"**{score_text(record['score'])} / {score_text(record['max_score'])}** points"
              + manual_note(record.get("manual", [])) + ".", ""]
    if record["status"] != "graded":
        lines += [f"Grading stopped early ({record['status']}): {record['reason']}.", ""]
    for note in record.get("cells", []):
        lines.append(f"- Your notebook's {note}")
    if record.get("cells"):
        lines.append("")
    for q in record["questions"]:
        mark = "✅" if q["score"] == q["max_score"] else "❌"
        lines.append(f"## {mark} {q['name']}: {score_text(q['score'])} / "
                     f"{score_text(q['max_score'])}")
        lines.append("")
        lines += [f"- {m}" for m in q["messages"]]
        for code in q["diagnoses"]:
            lines.append(f"- Named mistake `{code}`: {MISTAKES.get(code, code)}.")
        lines.append("")
    for flag in record.get("flags", []):
        lines.append(f"> Flagged: {flag}")
    return "\n".join(lines).rstrip() + "\n"


def gradebook_rows(records: Iterable[dict], questions: list[str]) -> list[dict]:
    rows = []
    for r in records:
        row = {"submission": r["submission"], "assignment": r["assignment"] or "",
               "status": r["status"], "score": score_text(r["score"]),
               "max_score": score_text(r["max_score"])}
        by_name = {q["name"]: q["score"] for q in r["questions"]}
        row.update({name: score_text(by_name[name]) if name in by_name else ""
                    for name in questions})
        rows.append(row)
    return rows


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def table(rows: list[dict], columns: list[str]) -> str:
    """A plain-text table for a terminal."""
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c)
              for c in columns}
    line = "  ".join(c.ljust(widths[c]) for c in columns)
    out = [line, "  ".join("-" * widths[c] for c in columns)]
    out += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(out)


def mistake_counts(records: Iterable[dict]) -> Counter:
    """(question, code) -> how many submissions showed that mistake there."""
    counts: Counter = Counter()
    for r in records:
        for q in r["questions"]:
            for code in q["diagnoses"]:
                counts[(q["name"], code)] += 1
    return counts


def print_results(summary, out: Path) -> None:
    """What ``grade`` and ``demo`` print: statuses, the mistakes named, flags, the files.

    Args:
        summary: a ``grade.Summary`` (``records``, ``graded``, ``skipped``, ``seconds``).
    """
    records = summary.records
    print(table(gradebook_rows(records, []), BASE_COLUMNS))
    counts = mistake_counts(records)
    if counts:
        print("\nMistakes named, per question (submissions):")
        for (question, code), n in sorted(counts.items()):
            print(f"  {question:24s} {code:28s} {n}")
    flagged = [r for r in records if r.get("flags")]
    if flagged:
        print("\nFlagged submissions:")
        for r in flagged:
            print(f"  {r['submission']}: " + "; ".join(r["flags"]))
    print(f"\nGraded {summary.graded}, skipped {summary.skipped} unchanged, "
          f"in {summary.seconds:.1f} s. Gradebook: {out / 'gradebook.csv'}; "
          f"feedback: {out / 'feedback'}/; class mistakes: {out / 'mistakes.csv'}")
    print(f"Class report (open it in a browser): {out / 'report.html'}")
