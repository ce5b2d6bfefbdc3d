"""The class report's "Students and files" section (``grade --roster`` only): students
with no counted file, and every file found that does not count, with its reason."""

from __future__ import annotations

import csv
import html
from pathlib import Path


def _rows(path: Path) -> list[dict]:
    try:
        return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, ValueError):
        return []


def files_table(files: list[dict]) -> str:
    """The files not counted (``files_not_counted.csv``), as an HTML table."""
    esc = html.escape
    return ("<table><thead><tr><th>file</th><th>reason</th></tr></thead><tbody>" + "".join(
        f"<tr><td>{esc(f['file'])}</td><td>{esc(f['reason'])}</td></tr>" for f in files)
        + "</tbody></table>")


def roster_section(out: Path) -> str:
    """The section's HTML: with a roster, its students and files; without one, the files
    found that were not graded (or "" when there are none)."""
    if not (Path(out) / "students.csv").is_file():
        files = _rows(Path(out) / "files_not_counted.csv")
        return ('<section id="not-graded"><h2>Files not graded</h2><p>Files found under '
                f"the folders given that were not graded ({len(files)}; "
                "files_not_counted.csv):</p>" + files_table(files) + "</section>"
                if files else "")
    students = _rows(Path(out) / "students.csv")
    files = _rows(Path(out) / "files_not_counted.csv")
    esc = html.escape
    missing = [s for s in students if s.get("status") == "missing"]
    counted = len(students) - len(missing)
    body = [f"<p>{len(students)} rows of roster students ({counted} with a counted file, "
            f"{len(missing)} missing); {len(files)} files found that do not count.</p>"]
    totals = []
    for a in dict.fromkeys(s["assignment"] for s in students):
        mine = [s for s in students if s["assignment"] == a]
        maxes = {s["max_score"] for s in mine if s.get("max_score")}
        mean = sum(float(s["score"] or 0) for s in mine) / len(mine)
        totals.append(f"<tr><td>{esc(a)}</td><td>{len(mine)}</td><td>{mean:.2f}</td>"
                      f"<td>{esc(', '.join(sorted(maxes)))}</td></tr>")
    body.append("<h3>Totals</h3><p>As in students.csv: manual points and deadline "
                "penalties included, missing students counted as 0.</p><table><thead><tr>"
                "<th>assignment</th><th>students</th><th>mean total</th><th>out of</th></tr>"
                "</thead><tbody>" + "".join(totals) + "</tbody></table>")
    if missing:
        body.append("<h3>Missing</h3><ul>" + "".join(
            f"<li>{esc(s['name'])} ({esc(s['student_id'])}), {esc(s['assignment'])}</li>"
            for s in missing) + "</ul>")
    if files:
        body.append("<h3>Files not counted</h3>" + files_table(files))
    return '<section id="roster"><h2>Students and files</h2>' + "".join(body) + "</section>"


def ledger_section(out: Path) -> str:
    """The latest regrade ledger (``regrades.csv``): whose score changed, or ""."""
    rows = _rows(Path(out) / "regrades.csv")
    if not rows:
        return ""
    esc = html.escape
    cells = "".join("<tr>" + "".join(f"<td>{esc(str(r.get(c, '')))}</td>" for c in (
        "submission", "assignment", "question", "old", "new", "change", "why")) + "</tr>"
        for r in rows)
    return ('<section id="regrades"><h2>Regrades</h2><p>Scores that changed when the '
            "files were graded again (regrades.csv; all runs: regrades-history.csv).</p>"
            "<table><thead><tr><th>submission</th><th>assignment</th><th>question</th>"
            "<th>old</th><th>new</th><th>change</th><th>why</th></tr></thead><tbody>"
            + cells + "</tbody></table></section>")
