"""Issue 16, "a batch survives anything one notebook does": one real grading of a folder
of nasty files beside two correct controls, and each defence shown necessary on its own.

The nasty files: a stub raising ``ValueError("\\ud800")``, a stub printing forged flags
(ANSI escapes, HTML, another student's name), JSON nested 200,000 deep, a name two other
files' numbering would take, symlinks (to a secret, dangling, to itself), a FIFO, a folder
named ``x.ipynb``, an empty file, binary bytes, cells of the wrong types, huge metadata,
a notebook in nbformat v3, names that are not UTF-8, hold escapes, or are too long for a
feedback file with its temporary suffix.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import threading
import time
import unicodedata
from pathlib import Path

import nbformat
import pytest

from backprop_lab.grade import Job, grade, safe_stem, unique_stems, write_atomic
from backprop_lab.reporting.class_report import esc
from backprop_lab.reporting.report import feedback_markdown, plain, print_results
from backprop_lab.reporting.similarity import code_cells, submission_code
from backprop_lab.running.intake import Ungradable, read_submission, refusal
from backprop_lab.running.kernel import Limits
from backprop_lab.running.submission import defined_stubs, grade_file, read_notebook
from backprop_lab.samples import filled, read, write

ROOT = Path(__file__).resolve().parents[1]
SHORT = Limits(cell_seconds=10, total_seconds=25, call_seconds=3)
SECRET = "TOP-SECRET-7f3a9c"
FORGED = ("bob.ipynb: copied alice's answers \x1b[2J\x1b[31m<script>alert(1)</script>"
          "\n  carol.ipynb: graded 24/24")
SURROGATE_STUB = 'def sigmoid_prime(z):\n    raise ValueError("\\ud800")\n'
FORGING_STUB = (
    "def sigmoid(z):\n"
    "    import numpy as np\n"
    "    import bplab.calls as c\n"
    f"    print(c.FLAG_MARK + c.encode([{FORGED!r}]), flush=True)\n"
    "    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n")


def minimal(cells: object, **top) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
                       **top}).encode()


def code(source: object, **cell) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
            "execution_count": None, **cell}


V3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
    {"cells": [{"cell_type": "code", "input": "def sigmoid(z):\n    return 0.5\n",
                "language": "python", "outputs": [], "metadata": {}}]}]}).encode()
#: Files that are not notebooks the grader can read: each must be ``invalid``.
BROKEN = {
    "deep.ipynb": b"[" * 200_000 + b"]" * 200_000,
    "deep-cells.ipynb": b'{"cells": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "empty.ipynb": b"",
    "binary.ipynb": bytes(range(256)) * 4,
    "cells-not-objects.ipynb": minimal([1, "x", None]),
    "cells-an-object.ipynb": minimal({"a": 1}),
    "source-list-of-numbers.ipynb": minimal([code([1, 2, None])]),
    "source-a-number.ipynb": minimal([code(5)]),
    "tags-a-string.ipynb": minimal([code("x = 1", metadata={"tags": "otter_ignore"})]),
    "otter-a-number.ipynb": json.dumps({"cells": [], "metadata": {"otter": 5},
                                        "nbformat": 4, "nbformat_minor": 5}).encode(),
    "top-a-list.ipynb": b"[1, 2]",
    # Three files whose feedback names the old numbering gave twice: x/ and y/ both
    # a2_backprop, and a2_backprop-2 itself.
    "x/a2_backprop.ipynb": b"not json x",
    "y/a2_backprop.ipynb": b"not json y",
    "a2_backprop-2.ipynb": b"not json 2",
    "evil\x1b[31m\nname<b>.ipynb": b"not json: a name with escapes",
    "a" * 240 + ".ipynb": b"not json: a name too long for feedback/<name>.json.<pid>.tmp",
}
#: Not regular files: refused unread, ``invalid``.
REFUSED = ["link-to-secret.ipynb", "dangling.ipynb", "loop.ipynb", "fifo.ipynb", "dir.ipynb"]
NOT_UTF8_NAME = b"caf\xe9-latin1.ipynb"


def unsafe(text: str) -> list[str]:
    """The characters of ``text`` no output may hold: controls (but newline and tab),
    format characters, surrogates, unassigned."""
    return [c for c in text if c not in "\n\t"
            and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}]


@pytest.fixture(scope="module")
def a1(dist):
    return read(next(dist.glob("a1_forward/student/*.ipynb")))


@pytest.fixture(scope="module")
def nasty(a1, tmp_path_factory):
    """The folder: every nasty file and two correct controls; the expected labels."""
    root = tmp_path_factory.mktemp("nasty")
    folder = root / "class"
    folder.mkdir()
    for name, data in BROKEN.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    for control in ("control-1.ipynb", "control-2.ipynb"):
        shutil.copy(ROOT / "samples" / "a1_forward-full-marks.ipynb", folder / control)
    write(filled(a1, {"sigmoid_prime": SURROGATE_STUB}), folder / "surrogate.ipynb")
    write(filled(a1, {"sigmoid": FORGING_STUB}), folder / "forged-flags.ipynb")
    huge = filled(a1)
    huge["metadata"]["junk"] = {"text": "x" * (20 << 20), "list": list(range(200_000))}
    write(huge, folder / "huge-metadata.ipynb")
    (folder / "v3.ipynb").write_bytes(V3)
    (root / "secret.txt").write_text(SECRET + "\n")
    (folder / "link-to-secret.ipynb").symlink_to(root / "secret.txt")
    (folder / "dangling.ipynb").symlink_to(root / "nowhere")
    (folder / "loop.ipynb").symlink_to("loop.ipynb")
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "dir.ipynb").mkdir()
    (folder / os.fsdecode(NOT_UTF8_NAME)).write_bytes(b"\xff\xfe")
    labels = {*BROKEN, *REFUSED, "control-1.ipynb", "control-2.ipynb", "surrogate.ipynb",
              "forged-flags.ipynb", "huge-metadata.ipynb", "v3.ipynb",
              os.fsdecode(NOT_UTF8_NAME)}
    return folder, labels


@pytest.fixture(scope="module")
def graded(nasty, dist, tmp_path_factory):
    folder, _ = nasty
    out = tmp_path_factory.mktemp("out")
    started = time.monotonic()
    summary = grade([folder], out, autograder_dir=dist, workers=2, limits=SHORT,
                    progress=False)
    return out, summary, time.monotonic() - started


def gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_file_gets_exactly_one_row_with_a_status_and_a_reason(nasty, graded):
    _, labels = nasty
    out, summary, seconds = graded
    rows = gradebook(out)
    assert sorted(r["submission"] for r in rows) == sorted(map(plain, labels))
    assert summary.graded == len(labels) == len(summary.records)
    names = sorted(p.name for p in (out / "feedback").glob("*.json"))
    assert len(names) == len(set(n.casefold() for n in names)) == len(labels)
    by = {r["submission"]: r for r in summary.records}
    for label in labels:
        record = by[label]
        assert record["status"] in ("graded", "error", "timeout", "invalid"), record
        assert record["status"] == "graded" or record["reason"], record
    for label in [*BROKEN, *REFUSED, os.fsdecode(NOT_UTF8_NAME)]:
        assert by[label]["status"] == "invalid", by[label]
    for label in REFUSED:
        assert "not a regular file: refused" in by[label]["reason"], by[label]
    print(f"\n{len(labels)} files graded in {seconds:.1f} s")


def test_the_controls_and_a_notebook_with_huge_metadata_keep_full_marks(graded):
    _, summary, _ = graded
    by = {r["submission"]: r for r in summary.records}
    for label in ("control-1.ipynb", "control-2.ipynb", "huge-metadata.ipynb"):
        assert by[label]["status"] == "graded", by[label]
        assert by[label]["score"] == by[label]["max_score"] > 0, by[label]


def test_a_v3_notebook_is_converted_and_graded(graded):
    _, summary, _ = graded
    record = next(r for r in summary.records if r["submission"] == "v3.ipynb")
    assert record["assignment"] == "a1_forward" and record["status"] == "graded", record
    assert record["code"] == ["def sigmoid(z):\n    return 0.5\n"]


def test_a_lone_surrogate_from_a_stub_is_kept_as_an_escape(graded):
    out, summary, _ = graded
    record = next(r for r in summary.records if r["submission"] == "surrogate.ipynb")
    assert record["status"] == "graded" and 0 < record["score"] < record["max_score"]
    text = (out / "feedback" / "surrogate.md").read_text(encoding="utf-8")
    assert "\\ud800" in text


def test_output_text_is_safe_utf8_without_controls_markup_or_the_secret(graded):
    out, _, _ = graded
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"gradebook.csv", "mistakes.csv", "report.html"} <= {p.name for p in files}
    for path in files:
        text = path.read_bytes().decode("utf-8")  # strict: no surrogate got through
        assert not unsafe(text), (path.name, unsafe(text)[:5])
        assert SECRET not in text, path.name
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "evil\\x1b[31m\\x0aname&lt;b&gt;.ipynb" in page


def test_forged_flags_are_escaped_and_attributed_to_their_file(graded, capsys):
    out, summary, _ = graded
    record = next(r for r in summary.records if r["submission"] == "forged-flags.ipynb")
    assert record["score"] == record["max_score"]  # forging costs nothing: it is evidence
    forged = [f for f in record["flags"] if "bob.ipynb: copied" in f]
    assert len(forged) == 1 and "\\x1b[2J" in forged[0], record["flags"]  # kept, escaped
    print_results(summary, out)
    said = capsys.readouterr().out
    assert not unsafe(said) and "\x1b" not in said
    lines = [line for line in said.splitlines() if "bob.ipynb: copied" in line]
    said_by = '  forged-flags.ipynb: reported by the kernel of forged-flags.ipynb: "bob'
    assert len(lines) == 1 and lines[0].startswith(said_by), lines
    assert not any(line.lstrip().startswith("carol.ipynb") for line in said.splitlines())
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "reported by the kernel of forged-flags.ipynb: &quot;bob.ipynb: copied" in page
    md = (out / "feedback" / "forged-flags.md").read_text(encoding="utf-8")
    assert "reported by your notebook's kernel" in md
    assert not any(line.startswith("  carol") for line in md.splitlines())


def test_the_graded_bytes_are_the_bytes_hashed_and_kept(nasty, graded):
    folder, _ = nasty
    _, summary, _ = graded
    for record in summary.records:
        path = folder / record["submission"]
        if record["status"] != "graded":
            continue
        data = path.read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert record["code"] == submission_code(data) or record["submission"] == "v3.ipynb"


def test_a_rerun_does_not_crash_and_regrades_only_what_was_not_graded(nasty, graded, dist):
    folder, labels = nasty
    out, first, _ = graded
    again = grade([folder], out, autograder_dir=dist, workers=2, limits=SHORT,
                  progress=False)
    assert again.graded + again.skipped == len(labels)
    # Refused files have no checksum (they are looked at again, cheaply); the rest stand.
    assert again.graded == len(REFUSED), again.graded
    assert sorted(r["submission"] for r in gradebook(out)) == sorted(map(plain, labels))
    before = {r["submission"]: (r["status"], r["score"]) for r in first.records}
    assert {r["submission"]: (r["status"], r["score"]) for r in again.records} == before


# --- each defence, necessary ---------------------------------------------------------

def test_write_atomic_writes_a_lone_surrogate_that_plain_writing_cannot(tmp_path):
    text = 'ValueError: "\ud800" and \x1b[2J'
    with pytest.raises(UnicodeEncodeError):  # the defence off: what write_atomic did
        (tmp_path / "plain.md").write_text(text, encoding="utf-8")
    write_atomic(tmp_path / "safe.md", text)
    assert (tmp_path / "safe.md").read_bytes().decode("utf-8") == \
        'ValueError: "\\ud800" and \x1b[2J'


def old_stems(found: list[tuple[Path, str]]) -> list[str]:
    """The numbering before issue 16 (stems counted, other files' names not looked at)."""
    seen: dict[str, int] = {}
    out = []
    for path, _ in found:
        n = seen[path.stem] = seen.get(path.stem, 0) + 1
        out.append(path.stem if n == 1 else f"{path.stem}-{n}")
    return out


def test_no_two_files_share_a_feedback_name(tmp_path):
    found = [(tmp_path / "x" / "a2_backprop.ipynb", "x/a2_backprop.ipynb"),
             (tmp_path / "y" / "a2_backprop.ipynb", "y/a2_backprop.ipynb"),
             (tmp_path / "a2_backprop-2.ipynb", "a2_backprop-2.ipynb"),
             (tmp_path / "z" / "A2_Backprop.ipynb", "z/A2_Backprop.ipynb"),
             (tmp_path / "x" / "a2_backprop.ipynb", "x/a2_backprop.ipynb")]  # found twice
    old = old_stems(found)
    assert old.count("a2_backprop-2") == 2  # defence off: two files, one feedback file
    jobs = unique_stems(found)
    assert [j.label for j in jobs] == [label for _, label in found[:4]]  # one job per file
    stems = [j.stem for j in jobs]
    assert stems == ["a2_backprop", "a2_backprop-3", "a2_backprop-2", "A2_Backprop-4"]
    assert len({s.casefold() for s in stems}) == len(stems)


def test_repeated_labels_are_told_apart_by_folder_then_by_path(tmp_path):
    found = [(tmp_path / "one" / "x" / "hw.ipynb", "x/hw.ipynb"),
             (tmp_path / "two" / "x" / "hw.ipynb", "x/hw.ipynb"),
             (tmp_path / "three" / "hw.ipynb", "hw.ipynb")]
    labels = [j.label for j in unique_stems(found)]
    assert len(set(labels)) == 3 and labels[2] == "hw.ipynb", labels


def test_feedback_names_are_printable_and_short_whatever_the_file_name():
    for stem in ["evil\x1b[31m\nname", "caf\udce9", "a" * 300, "é" * 200, "back\\slash"]:
        name = safe_stem(stem)
        assert name.isprintable() and "\\" not in name and len(name.encode()) <= 120, name
    assert safe_stem("plain-name_1") == "plain-name_1"


@pytest.fixture
def odd_files(tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "dangling.ipynb").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo.ipynb")
    (tmp_path / "dir.ipynb").mkdir()
    return tmp_path


def test_links_fifos_and_folders_are_refused_unread(odd_files):
    assert (odd_files / "link.ipynb").read_text() == SECRET  # defence off: followed
    for name, kind in [("link.ipynb", "symbolic link"), ("dangling.ipynb", "symbolic link"),
                       ("fifo.ipynb", "FIFO"), ("dir.ipynb", "folder")]:
        with pytest.raises(Ungradable, match=kind):
            read_submission(odd_files / name)  # a FIFO without a writer: no wait either
        assert kind in refusal(odd_files / name)
    assert read_submission(odd_files / "secret.txt") == SECRET.encode()
    assert refusal(odd_files / "secret.txt") == ""


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path):
    (tmp_path / "big.ipynb").write_bytes(b"x" * 1001)
    with pytest.raises(Ungradable, match="larger than"):
        read_submission(tmp_path / "big.ipynb", limit=1000)
    assert len(read_submission(tmp_path / "big.ipynb", limit=1001)) == 1001


def test_deep_json_costs_the_fingerprint_nothing():
    data = BROKEN["deep.ipynb"]
    with pytest.raises(RecursionError):  # defence off: what submission_code met
        json.loads(data)
    assert submission_code(data) == []
    with pytest.raises(Ungradable, match="RecursionError"):
        read_notebook(data)


@pytest.mark.parametrize("name", ["source-a-number.ipynb", "tags-a-string.ipynb",
                                  "otter-a-number.ipynb"])
def test_wrong_types_that_nbformat_accepts_are_refused_with_the_place(name):
    data = BROKEN[name]
    nb = nbformat.reads(data.decode(), as_version=4)  # defence off: nbformat takes it
    if name == "source-a-number.ipynb":
        with pytest.raises(TypeError):
            defined_stubs(nb)  # ... and the grader then met an int
    with pytest.raises(Ungradable, match="cell 1|Otter"):
        read_notebook(data)
    code_cells(json.loads(data))  # the fingerprint skips what it cannot read


def test_the_report_escapes_controls_as_well_as_markup():
    import html

    text = "<b>x</b>\x1b[2J\u202e\ud800"
    assert "\x1b" in html.escape(text)  # defence off: markup escaped, controls not
    assert esc(text) == "&lt;b&gt;x&lt;/b&gt;\\x1b[2J\\u202e\\ud800"


def test_feedback_markdown_keeps_every_message_on_its_own_line():
    record = {"submission": "a.ipynb", "assignment": "a1_forward", "status": "graded",
              "score": 0.0, "max_score": 3.0, "reason": "", "flags": [FORGED],
              "questions": [{"name": "sigmoid", "score": 0.0, "max_score": 3.0,
                             "messages": ["ValueError: x\n## ✅ sigmoid: 3 / 3"],
                             "diagnoses": []}]}
    text = feedback_markdown(record)
    assert not unsafe(text)
    assert not any(line.startswith("## ✅") for line in text.splitlines())
    assert not any(line.lstrip().startswith("carol") for line in text.splitlines())


def test_a_file_swapped_during_grading_keeps_the_record_of_what_was_graded(a1, dist,
                                                                          tmp_path):
    from backprop_lab.building.autograder import find_autograders

    first = write(filled(a1), tmp_path / "swap.ipynb").read_bytes()
    second = json.dumps(a1).encode()  # unfinished: other code, other score

    def swap():
        time.sleep(1.0)
        (tmp_path / "swap.tmp").write_bytes(second)
        os.replace(tmp_path / "swap.tmp", tmp_path / "swap.ipynb")

    thread = threading.Thread(target=swap)
    thread.start()
    record = grade_file(tmp_path / "swap.ipynb", find_autograders(dist), SHORT)
    thread.join()
    assert (tmp_path / "swap.ipynb").read_bytes() == second
    assert submission_code(tmp_path / "swap.ipynb") != submission_code(first)  # a re-read
    assert record["sha256"] == hashlib.sha256(first).hexdigest()
    assert record["code"] == submission_code(first)
    assert record["score"] == record["max_score"] > 0  # the first file's grade


def test_the_job_of_a_file_given_by_its_path(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (job,) = unique_stems([(tmp_path / "a.ipynb", "a.ipynb")])
    assert isinstance(job, Job) and job.source == str(tmp_path.resolve() / "a.ipynb")


def test_feedback_files_edited_by_hand_do_not_stop_the_gradebook(tmp_path):
    from backprop_lab.grade import rebuild_outputs
    from backprop_lab.reporting.report import gradebook_rows

    feedback = tmp_path / "feedback"
    feedback.mkdir()
    good = {"submission": "good.ipynb", "assignment": None, "status": "invalid",
            "score": 0.0, "max_score": 0.0, "flags": [], "questions": [], "reason": "x"}
    bad = {**good, "submission": "bad.ipynb", "score": "abc"}
    odd_code = {**good, "submission": "odd-code.ipynb", "assignment": "a1_forward",
                "status": "graded", "code": [1, None, "x = 1\n"]}
    with pytest.raises(ValueError):  # defence off: the gradebook met the bad score
        gradebook_rows([good, bad], [])
    (feedback / "good.json").write_text(json.dumps(good))
    (feedback / "bad.json").write_text(json.dumps(bad))
    (feedback / "odd-code.json").write_text(json.dumps(odd_code))
    (feedback / "deep.json").write_bytes(BROKEN["deep-cells.ipynb"])
    (feedback / "binary.json").write_bytes(b"\xff\xfe")
    with pytest.raises(TypeError):  # defence off: the similarity check met the numbers
        "\n\n".join(odd_code["code"])
    records = rebuild_outputs(tmp_path, {}, similarity="on")
    assert [r["submission"] for r in records] == ["good.ipynb", "odd-code.ipynb"]
    assert [r["submission"] for r in gradebook(tmp_path)] == ["good.ipynb", "odd-code.ipynb"]
    page = (tmp_path / "report.html").read_text()
    assert "good.ipynb" in page and "could not be built" not in page
