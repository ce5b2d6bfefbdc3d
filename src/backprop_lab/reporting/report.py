"""Turn feedback records into what people read: Markdown feedback, tables, class counts."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
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
    "wrong_dtype": "not float64 (float32, or integers that truncate)",
    "ignores_argument": "an argument is ignored (numerical_gradient's eps)",
    "zero_vector": "0.0 when only one of the arrays is zero (the answer is 1.0)",
    "denominator_epsilon": "a constant added to the denominator",
    "returns_alias": "a result shares memory with an argument",
    "loops_over_examples": "the work grows with the batch: a loop over the examples",
    "sign_of_exponent": "e^{z} where the formula has e^{-z}",
    "missing_bias": "the bias b left out of z = W a + b",
    "missing_activation": "sigma left out of a layer (a linear output)",
    "wrong_order": "the right numbers in the wrong order or place",
    "other_relative_error": "another formula for the relative error",
    "step_not_averaged": "a step of eta times the summed gradient, not eta / len(batch)",
    "short_batch_step": "the shorter last batch stepped by eta / batch_size",
    "last_batch_dropped": "the shorter last mini-batch left out",
    "missing_weight": "an error passed back without the next layer's weight",
}


def mistake_words(code: str, default: str | None = None) -> str:
    """What a mistake code means: the table above, else the ``summary`` of a question's
    own :class:`~..questions.question.Mistake` with that code, else ``default`` (the code
    itself when None)."""
    if code in MISTAKES:
        return MISTAKES[code]
    from ..questions.registry import questions

    found = (m.summary for q in questions().values() for m in q.mistakes
             if m.code == code and m.summary)
    return next(found, code if default is None else default)


#: Unicode categories written as escapes: controls (ANSI escapes too), format characters
#: (bidi overrides), surrogates, private use, unassigned, line and paragraph separators.
UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def plain(text: object, keep: str = "") -> str:
    """``text`` with every character of an ``UNSAFE`` category written as an escape
    (``\\x1b``, ``\\n``, ``\\u202e``, ``\\ud800``), except those in ``keep`` (say newlines
    in code). The result encodes as UTF-8 and does nothing to a terminal or a page."""
    out = []
    for char in str(text):
        if char in keep or unicodedata.category(char) not in UNSAFE:
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def quoted(text: object, limit: int = 300) -> str:
    """Text a kernel sent, as evidence: escaped (``plain``), cut to ``limit``, in quotes."""
    text = plain(text)
    text = text[:limit] + ("..." if len(text) > limit else "")
    return '"' + text.replace('"', '\\"') + '"'


def kernel_says(label: str, flag: object) -> str:
    """One flag, attributed: it is what the kernel of ``label`` reported, not our words."""
    return f"reported by the kernel of {plain(label)}: {quoted(flag)}"


def md_code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    return f"{fence} {text} {fence}"


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


#: How a counterexample's message begins (``judging.counterexample.LEAD``): its lines
#: after the first are code.
COUNTEREXAMPLE = "A smaller case where "


def feedback_markdown(record: dict) -> str:
    """The feedback for the student: per question, the score, what was wrong, the mistake.

    Every piece of text is one line of ``plain`` text (a newline or escape sequence in a
    message cannot start a line of its own; a counterexample's code, its lines after the
    first, goes in a code block with no backtick in it), and flags are quoted as the
    kernel's words."""
    lines = [f"# Feedback: {plain(record['submission'])}", ""]
    if record["status"] == "invalid":
        lines += [f"This file could not be graded: {plain(record['reason'])}.", ""]
        return "\n".join(lines)
    lines += [f"Assignment **{plain(record['assignment'])}**: "
              f"**{score_text(record['score'])} / {score_text(record['max_score'])}** points"
              + plain(manual_note(record.get("manual", []))) + ".", ""]
    if record["status"] != "graded":
        lines += [f"Grading stopped early ({plain(record['status'])}): "
                  f"{plain(record['reason'])}.", ""]
    for note in record.get("cells", []):
        lines.append(f"- Your notebook's {plain(note)}")
    if record.get("cells"):
        lines.append("")
    for q in record["questions"]:
        mark = "✅" if q["score"] == q["max_score"] else "❌"
        lines.append(f"## {mark} {plain(q['name'])}: {score_text(q['score'])} / "
                     f"{score_text(q['max_score'])}")
        lines.append("")
        for m in q["messages"]:
            head, *code = m.split("\n") if m.startswith(COUNTEREXAMPLE) else (m,)
            lines.append(f"- {plain(head)}")
            lines += ["", "  ```python", *(f"  {plain(c)}".replace("`", "'") for c in code),
                      "  ```"] if code else []
        for code in q["diagnoses"]:
            lines.append(f"- Named mistake `{plain(code)}`: {plain(mistake_words(code))}.")
        lines.append("")
    for flag in record.get("flags", []):
        lines.append(f"> Flagged, reported by your notebook's kernel: {md_code(quoted(flag))}")
    return "\n".join(lines).rstrip() + "\n"


def gradebook_rows(records: Iterable[dict], questions: list[str]) -> list[dict]:
    rows = []
    for r in records:
        row = {"submission": plain(r["submission"]), "assignment": plain(r["assignment"] or ""),
               "status": plain(r["status"]), "score": score_text(r["score"]),
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
        print("\nFlagged submissions (what each kernel reported, escaped and quoted):")
        for r in flagged:
            for flag in r["flags"]:
                print(f"  {plain(r['submission'])}: {kernel_says(r['submission'], flag)}")
    print(f"\nGraded {summary.graded}, skipped {summary.skipped} unchanged, "
          f"in {summary.seconds:.1f} s. Gradebook: {out / 'gradebook.csv'}; "
          f"feedback: {out / 'feedback'}/; class mistakes: {out / 'mistakes.csv'}")
    print(f"Class report (open it in a browser): {out / 'report.html'}")
