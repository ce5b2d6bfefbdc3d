"""``report.html``: the class at a glance, one self-contained page beside the gradebook.

Inline CSS, inline SVG plots (:mod:`.report_plots`), no network, readable without
JavaScript; a few lines of inline JavaScript only make the per-student tables sortable.
Built from the feedback records alone (:mod:`.class_stats`), so ``backprop-lab report
OUT`` rebuilds it after the fact; similar submissions come from :mod:`.similarity`.
"""

from __future__ import annotations

import html
import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..classroom.report_section import ledger_section, roster_section
from .class_stats import (
    UNROUTED,
    Assignment,
    assignment_stats,
    flagged,
    heat_counts,
    load_records,
)
from .report import kernel_says, mistake_words, plain
from .report_plots import mistakes_heat_map, score_histogram
from .similarity import DEFAULT_THRESHOLD, STUB_THRESHOLD, Pair, similar_pairs, template_cells
from .similarity import rings as copy_rings

#: With ``similarity="auto"``, assignments with more submissions than this are skipped.
#: Measured (benchmarks/bench_report.py, 2 busy cores): 60-120 ms per submission for
#: the normal form and fingerprints; every pair at once by sparse products: 500
#: submissions in 34-39 s. A class of copies lists every pair (100 copies: 4,950 pairs
#: in 22 s, growing with the pairs): the limit bounds that worst case.
AUTO_LIMIT = 1000
#: Parts (stubs, other cells) at least this alike are shown side by side.
SHOW_PART = 0.3
#: Characters code keeps when shown.
CODE = "\n\t"

CSS = """body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;
padding:0 1em;color:#222}h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:left;vertical-align:top;font-size:14px}th{background:#f2f2f2}td.num{text-align:right}
.bar{display:inline-block;height:10px;background:#1f77b4;vertical-align:middle}
.full{background:#e6f4e6}.zero{background:#fbe3e3}nav a{margin-right:1em}
pre{margin:0;white-space:pre-wrap;font-size:12px;max-width:560px;max-height:22em;overflow:auto}.note{color:#666}
th.sortable{cursor:pointer}figure{margin:.5em 0}svg{max-width:100%;height:auto}
.flag{color:#a40000}.scroll{overflow-x:auto}"""

SORT_JS = """document.querySelectorAll('table.sortable').forEach(function(t){
t.querySelectorAll('th').forEach(function(th,i){th.classList.add('sortable');
th.title='click to sort';th.addEventListener('click',function(){
var b=t.tBodies[0],rows=Array.from(b.rows),up=th.dataset.dir!=='up';th.dataset.dir=up?'up':'down';
function v(r){var s=r.cells[i].textContent.trim(),n=parseFloat(s);return isNaN(n)?s:n;}
rows.sort(function(x,y){var a=v(x),c=v(y);if(typeof a!==typeof c){a=String(a);c=String(c);}
return (a<c?-1:a>c?1:0)*(up?1:-1);});rows.forEach(function(r){b.appendChild(r);});});});});"""


@dataclass
class Similarity:
    """What the similarity section shows for one assignment: pairs, or why it was skipped."""
    assignment: str
    pairs: list[Pair]
    skipped: str = ""
    seconds: float = 0.0


def esc(value: object, keep: str = "") -> str:
    """Text as HTML: markup escaped, control and format characters written as escapes."""
    return html.escape(plain(value, keep), quote=True)


def link(stem: str, text: str | None = None) -> str:
    return f'<a href="feedback/{esc(quote(stem + ".md"))}">{esc(text or stem)}</a>'


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    return (f'<div class="scroll"><table class="{cls}"><thead><tr>{th}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def td(value: object, cls: str = "") -> str:
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def overview(assignments: list[Assignment]) -> str:
    rows = []
    for a in assignments:
        mean = sum(a.scores) / len(a.scores) if a.scores else 0.0
        rows.append([td(f'<a href="#a-{esc(a.name)}">{esc(a.name)}</a>'),
                     td(len(a.records), "num"),
                     *(td(a.statuses[s], "num") for s in ("graded", "error", "timeout",
                                                          "invalid")),
                     td(f"{mean:.1f} / {a.max_score:g}", "num")])
    head = ["assignment", "submissions", "graded", "error", "timeout", "invalid", "mean score"]
    return '<section id="overview"><h2>Overview</h2>' + _table(head, rows) + "</section>"


def question_table(a: Assignment) -> str:
    rows = []
    for q in a.questions:
        share = q.full_share
        rows.append([td(esc(q.name)), td(f"{q.max_score:g}", "num"),
                     td(f"{q.mean:.2f}", "num"),
                     td(f'{percent(share)} <span class="bar" style="width:{share * 80:.0f}px">'
                        "</span>")])
    return _table(["question", "points", "mean", "full marks"], rows, "questions")


def mistake_tables(a: Assignment) -> str:
    parts = []
    for q in a.questions:
        if not q.mistakes:
            continue
        rows = [[td(f"<code>{esc(m.code)}</code><br>{esc(mistake_words(m.code, ''))}"),
                 td(m.count, "num"), td(percent(m.share), "num"), td(esc(m.message)),
                 td(f"<details><summary>{m.count} submission{'s' * (m.count != 1)}</summary>"
                    + ", ".join(link(s) for s in m.submissions) + "</details>")]
                for m in q.mistakes]
        parts.append(f"<h4>{esc(q.name)}</h4>" + _table(
            ["mistake", "submissions", "share of class", "what the students read", "who"],
            rows, "mistakes"))
    if not parts:
        return '<p class="note">No named mistakes.</p>'
    return "".join(parts)


def assignment_section(a: Assignment) -> str:
    out = [f'<section class="assignment" id="a-{esc(a.name)}"><h2>{esc(a.name)}</h2>']
    out.append("<p>" + ", ".join(f"{n} {esc(s)}" for s, n in a.statuses.items()) + "</p>")
    if a.name != UNROUTED:
        out.append(f'<figure class="histogram">{score_histogram(a.scores, a.max_score)}'
                   "<figcaption>Scores</figcaption></figure>")
        out.append("<h3>Questions</h3>" + question_table(a))
        out.append("<h3>Named mistakes</h3>" + mistake_tables(a))
    return "".join(out) + "</section>"


def heat_map_section(assignments: list[Assignment]) -> str:
    questions, codes, grid = heat_counts(assignments)
    body = (mistakes_heat_map(questions, codes, grid) if codes
            else '<p class="note">No named mistakes.</p>')
    return f'<section id="heatmap"><h2>Mistakes: question x code</h2>{body}</section>'


def flagged_section(records: list[dict]) -> str:
    rows = [[td(link(r["stem"], r["submission"])), td(esc(r.get("assignment") or "")),
             td("<br>".join(f'<span class="flag">{esc(kernel_says(r["submission"], f))}</span>'
                            for f in r["flags"]))]
            for r in flagged(records)]
    body = (_table(["submission", "assignment", "flags"], rows, "flagged") if rows
            else '<p class="note">No submission was flagged.</p>')
    return f'<section id="flagged"><h2>Flagged submissions</h2>{body}</section>'


def pair_block(pair: Pair, stems: dict[str, str]) -> str:
    """One pair: its score, and each part both wrote, side by side (closed until clicked)."""
    shown = [p for p in pair.parts if p[1] >= SHOW_PART]
    rows = [[td(f"{esc(name)}<br>{percent(score)}"), td(f"<pre>{esc(left, CODE)}</pre>"),
             td(f"<pre>{esc(right, CODE)}</pre>")] for name, score, left, right in shown]
    a, b = stems.get(pair.a, pair.a), stems.get(pair.b, pair.b)
    alike = ", ".join(f"{esc(name)} {percent(score)}" for name, score, *_ in shown)
    why = {"notebook": "the notebooks"}.get(pair.reason, pair.reason)
    return (f'<details class="pair"><summary>{link(a, pair.a)} and {link(b, pair.b)}: '
            f"<b>{percent(pair.score)}</b> alike as notebooks, listed for "
            f'<span class="reason">{esc(why)}</span> ({pair.shared:g} weight of shared '
            f"fingerprints; {alike or 'no single part'})</summary>"
            + _table(["part", esc(pair.a), esc(pair.b)], rows, "side-by-side") + "</details>")


def ring_list(pairs: list[Pair], stems: dict[str, str]) -> str:
    """Groups of three or more submissions linked by listed pairs: copy rings."""
    items = "".join(f"<li>{len(r)} submissions: " + ", ".join(link(stems.get(n, n), n) for n in r)
                    + "</li>" for r in copy_rings(pairs))
    return f'<div class="rings"><h4>Copy rings</h4><ul>{items}</ul></div>' if items else ""


def similarity_section(found: list[Similarity], stems: dict[str, str],
                       threshold: float) -> str:
    out = ['<section id="similarity"><h2>Similar submissions</h2>',
           f'<p class="note">Pairs of the same assignment whose code is at least '
           f"{percent(threshold)} alike, or with one substantial stub at least "
           f"{percent(STUB_THRESHOLD)} alike (winnowed fingerprints of the code parsed and "
           "printed back: names, comments, spacing, brackets, semicolons and the order of "
           "helpers ignored; the handed-out code left out; code most of the class shares "
           "weighs nothing, a copy ring counting once).</p>"]
    for s in found:
        out.append(f"<h3>{esc(s.assignment)}</h3>")
        if s.skipped:
            out.append(f'<p class="skipped">Skipped: {esc(s.skipped)}.</p>')
        elif not s.pairs:
            out.append(f'<p class="note">No pair above the threshold ({s.seconds:.1f} s).</p>')
        else:
            out += [ring_list(s.pairs, stems)] + [pair_block(p, stems) for p in s.pairs]
    return "".join(out) + "</section>"


def students_section(assignments: list[Assignment]) -> str:
    out = ['<section id="students"><h2>Students</h2>']
    for a in assignments:
        names = [q.name for q in a.questions]
        rows = []
        for r in a.records:
            by_name = {q["name"]: q for q in r["questions"]}
            cells = [td(link(r["stem"], r["submission"])), td(esc(r["status"])),
                     td(f"{float(r['score']):g}", "num")]
            for n in names:
                q = by_name.get(n)
                cls = "" if q is None else ("full" if q["score"] == q["max_score"] else "zero"
                                            if q["score"] == 0 else "")
                cells.append(td("" if q is None else f"{q['score']:g}", f"num {cls}".strip()))
            codes = sorted({c for q in r["questions"] for c in q["diagnoses"]})
            cells.append(td(esc(", ".join(codes) or r.get("reason", ""))))
            rows.append(cells)
        head = ["submission", "status", "score", *map(esc, names), "mistakes"]
        out.append(f"<h3>{esc(a.name)}</h3>" + _table(head, rows, "sortable students"))
    return "".join(out) + "</section>"


def copydetect_installed() -> bool:
    return importlib.util.find_spec("copydetect") is not None


def code_of(record: dict) -> list[str]:
    """The code cells a record keeps, as a list of strings whatever the file holds."""
    code = record.get("code")
    return [c for c in code if isinstance(c, str)] if isinstance(code, list) else []


def find_similar(assignments: list[Assignment], templates: dict[str, list[str]],
                 mode: str = "auto", threshold: float = DEFAULT_THRESHOLD) -> list[Similarity]:
    """Similar pairs per assignment; ``mode`` is ``auto`` (up to AUTO_LIMIT), ``on`` or ``off``."""
    found = []
    for a in assignments:
        if a.name == UNROUTED:
            continue
        codes = {r["submission"]: code_of(r) for r in a.records}
        if mode == "off":
            found.append(Similarity(a.name, [], "turned off (--similarity off)"))
        elif mode == "auto" and len(codes) > AUTO_LIMIT:
            found.append(Similarity(a.name, [], f"{len(codes)} submissions is above the "
                                    f"automatic limit of {AUTO_LIMIT} (--similarity on "
                                    "forces it)"))
        elif not copydetect_installed():
            found.append(Similarity(a.name, [], "copydetect, which compares the code, is not "
                                    "installed (pip install copydetect)"))
        elif not any(codes.values()):
            found.append(Similarity(a.name, [], "the feedback records keep no code "
                                    "(graded by an older version: regrade with --force)"))
        else:
            started = time.monotonic()
            pairs = similar_pairs(a.name, codes, templates.get(a.name, []), threshold)
            found.append(Similarity(a.name, pairs, seconds=time.monotonic() - started))
    return found


def render(records: list[dict], similar: list[Similarity], threshold: float,
           title: str = "Class report", extra: str = "") -> str:
    """The whole page as one string."""
    assignments = assignment_stats(records)
    stems = {r["submission"]: r["stem"] for r in records}
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in (
        ("overview", "Overview"), ("heatmap", "Mistakes"), ("flagged", "Flagged"),
        ("similarity", "Similar"), ("students", "Students")))
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="note">{len(records)} feedback files; every link opens a '
            "submission's feedback (feedback/&lt;file&gt;.md).</p>", f"<nav>{nav}</nav>",
            overview(assignments), *(assignment_section(a) for a in assignments),
            heat_map_section(assignments), flagged_section(records),
            similarity_section(similar, stems, threshold), students_section(assignments), extra]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            + "".join(body) + f"<script>{SORT_JS}</script></body></html>\n")


def write_report(out: Path, zips: list[Path] = (), *, similarity: str = "auto",
                 threshold: float = DEFAULT_THRESHOLD) -> Path:
    """Write ``out/report.html`` from ``out/feedback/*.json``; returns its path.

    The student notebooks beside the autograder ``zips`` are the handed-out code, left out.
    With a roster (``grade --roster``), the students and files not counted are shown."""
    records = load_records(out)
    templates = {z.name.removesuffix("-autograder.zip"): template_cells(z) for z in zips}
    similar = find_similar(assignment_stats(records), templates, similarity, threshold)
    page = render(records, similar, threshold, extra=roster_section(out) + ledger_section(out))
    target = Path(out) / "report.html"
    tmp = target.with_name(f".report.html.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8", errors="backslashreplace")
    os.replace(tmp, target)
    return target
