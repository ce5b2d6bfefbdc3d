"""Deadlines (issue 20, §2): a policy file, lateness per student, penalties, extensions,
and a late-day budget spent where it saves the most (MIT 6.390 style). No kernels."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import numpy as np
import pytest

from backprop_lab.classroom.deadlines import PolicyError, read_policy
from backprop_lab.classroom.late_days import allocate
from backprop_lab.classroom.penalties import apply_policy, tell
from backprop_lab.reporting.report import feedback_markdown

POLICY = """
[a1_forward]
due = "2026-11-20T23:59:00+00:00"
per_day = 0.10
cap = 0.5
grace_minutes = 10
[a1_forward.extensions]
S002 = 2

[a2_backprop]
due = "2026-12-01T23:59:00+00:00"
per_day = 0.25
[a2_backprop.extensions]
S003 = "2026-12-05T12:00:00"

[late_days]
budget = 2
"""


def policy(tmp_path, text=POLICY, name="policy.toml"):
    path = tmp_path / name
    path.write_text(text)
    return read_policy(path)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_lateness_counts_started_days_after_the_students_own_due_time(tmp_path):
    a1 = policy(tmp_path).deadlines["a1_forward"]
    assert a1.days_late("S001", at("2026-11-21T00:05:00")) == 0  # within the grace
    assert a1.days_late("S001", at("2026-11-21T00:10:01")) == 1
    assert a1.days_late("S001", at("2026-11-23T01:00:00")) == 3
    assert a1.days_late("S002", at("2026-11-23T01:00:00")) == 1  # two days' extension
    assert a1.kept(3) == pytest.approx(0.7) and a1.kept(9) == pytest.approx(0.5)  # capped
    a2 = policy(tmp_path).deadlines["a2_backprop"]
    assert a2.days_late("S003", at("2026-12-05T11:00:00")) == 0  # a new due time
    assert a2.days_late("S001", at("2026-12-05T11:00:00")) == 4


def test_the_same_policy_reads_from_json(tmp_path):
    text = json.dumps({"a2_backprop": {"due": "2026-12-01T23:59:00Z", "per_day": 0.25}})
    assert policy(tmp_path, text, "p.json").deadlines["a2_backprop"].per_day == 0.25


@pytest.mark.parametrize("text,why", [
    ('[a2]\nper_day = 0.1\n', "needs a due time"),
    ('[a2]\ndue = "Dec 1"\n', "not an ISO 8601 time"),
    ('[a2]\ndue = "2026-12-01"\nper_day = 2\n', "shares between 0 and 1"),
    ('[a2\n', "cannot be read"),
])
def test_a_policy_that_cannot_be_used_is_refused_with_the_reason(text, why, tmp_path):
    with pytest.raises(PolicyError, match=why):
        policy(tmp_path, text)


def brute_force(budget, late, value):
    best = None
    for split in itertools.product(*(range(d + 1) for d in late)):
        if sum(split) <= budget:
            total = sum(value(i, d - s) for i, (d, s) in enumerate(zip(late, split)))
            best = total if best is None else max(best, total)
    return best


def test_late_days_go_where_they_save_the_most_not_to_the_first_late_assignment():
    points = [10.0, 24.0]
    late = [1, 1]

    def value(i, days):
        return points[i] * (1 - 0.1 * days)

    spent = allocate(1, late, value)
    assert spent == [0, 1]
    chronological = [1, 0]  # control: spending in order of the assignments loses more
    total = sum(value(i, d - s) for i, (d, s) in enumerate(zip(late, spent)))
    first = sum(value(i, d - s) for i, (d, s) in enumerate(zip(late, chronological)))
    assert total > first


def test_late_days_are_spent_optimally_on_random_cases():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, budget = rng.integers(1, 5), int(rng.integers(0, 6))
        late = [int(x) for x in rng.integers(0, 4, n)]
        points = rng.uniform(1, 30, n)
        steps = rng.uniform(0, 0.5, n)

        def value(i, days, points=points, steps=steps):  # a penalty that may jump
            return points[i] * max(0.0, 1 - steps[i] * days ** 1.5)

        spent = allocate(budget, late, value)
        assert sum(spent) <= budget and all(0 <= s <= d for s, d in zip(spent, late))
        got = sum(value(i, d - s) for i, (d, s) in enumerate(zip(late, spent)))
        assert got == pytest.approx(brute_force(budget, late, value))


def rows():
    def row(sid, assignment, score, submitted):
        return {"student_id": sid, "assignment": assignment, "score": score,
                "submitted_at": submitted, "source": f"/x/{sid}-{assignment}.ipynb"}
    return [row("S001", "a1_forward", 20.0, "2026-11-22T12:00:00+00:00"),  # 2 days late
            row("S001", "a2_backprop", 24.0, "2026-12-02T12:00:00+00:00"),  # 1 day late
            row("S002", "a1_forward", 20.0, "2026-11-22T12:00:00+00:00"),  # extension
            {"student_id": "S003", "assignment": "a2_backprop", "score": 0.0,
             "submitted_at": "", "source": ""}]  # missing: untouched


def test_the_policy_is_applied_to_the_rows_with_the_budget_spent_best(tmp_path):
    rules = policy(tmp_path)
    got = rows()
    touched = apply_policy(got, rules)
    assert len(touched) == 3
    s1_a1, s1_a2, s2_a1, missing = got
    # Two late days: a2's one day costs 25% of 24 = 6, a1's two cost 10% each of 20:
    # one day on a2 and one on a1 (6 + 2 saved) beats both on a1 (4 saved).
    assert (s1_a2["late_days_used"], s1_a1["late_days_used"]) == (1, 1)
    assert s1_a2["score"] == 24.0 and s1_a1["score"] == pytest.approx(18.0)
    assert s1_a1["raw_score"] == 20.0 and s1_a1["penalty"] == pytest.approx(0.1)
    assert s2_a1["days_late"] == 0 and s2_a1["score"] == 20.0
    assert "penalty" not in missing
    # Control: without a budget, both are docked.
    rules.late_day_budget = 0
    plain = rows()
    apply_policy(plain, rules)
    assert plain[0]["score"] == pytest.approx(16.0) and plain[1]["score"] == 18.0


def test_the_lateness_is_told_in_the_feedback(tmp_path):
    (tmp_path / "feedback").mkdir()
    record = {"submission": "S001.ipynb", "assignment": "a2_backprop", "status": "graded",
              "score": 24.0, "max_score": 24.0, "flags": [], "questions": [], "reason": "",
              "source": "/x/S001-a2_backprop.ipynb"}
    (tmp_path / "feedback" / "S001.json").write_text(json.dumps(record))
    (tmp_path / "feedback" / "S001.md").write_text(feedback_markdown(record))
    got = rows()
    apply_policy(got, policy(tmp_path))
    tell(tmp_path, got, [{**record, "stem": "S001"}])
    kept = json.loads((tmp_path / "feedback" / "S001.json").read_text())
    assert kept["late"]["days_late"] == 1 and kept["late"]["late_days_used"] == 1
    assert "**Deadline:** submitted 2026-12-02T12:00:00+00:00, 1 day(s) late" in (
        tmp_path / "feedback" / "S001.md").read_text()


def test_an_lms_download_takes_the_upload_time_from_the_policy_not_the_zip(tmp_path, capsys):
    """Canvas (content_zipper.rb, rubyzip's default entry time) and Moodle (downloader.php,
    add_file_from_stored_file without a time) write every file of a download with the time
    of the download: here a week after the due time. The upload time in the policy's
    ``submitted`` table is the one used; control: without it, the zip's time is used and
    the run says so on stderr."""
    import csv
    import zipfile

    from backprop_lab.classroom.collect import collect
    from backprop_lab.classroom.roster import read_roster
    from backprop_lab.classroom.run import ClassRun

    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      '"Lovelace, Ada",12345,S001,alovelace,Section 1\n')
    download = tmp_path / "submissions.zip"
    with zipfile.ZipFile(download, "w") as z:  # downloaded on 8 December
        z.writestr(zipfile.ZipInfo("lovelaceada_12345_678910_a2_backprop.ipynb",
                                   (2026, 12, 8, 9, 0, 0)), b"{}")
    due = '[a2_backprop]\ndue = "2026-12-01T23:59:00Z"\nper_day = 0.1\ncap = 0.5\n'
    for name, text, days in (("given", due + '[a2_backprop.submitted]\n'
                              'S001 = "2026-12-01T20:00:00Z"\n', "0"),
                             ("control", due, "7")):
        out = tmp_path / name
        students = read_roster(roster)
        _, entries = collect([download], out, students)
        (out / "feedback").mkdir(parents=True)
        (out / "feedback" / "ada.json").write_text(json.dumps({
            "submission": entries[0].label, "assignment": "a2_backprop", "status": "graded",
            "score": 20.0, "max_score": 24.0, "flags": [], "reason": "", "questions": [],
            "source": entries[0].source}))
        ClassRun(students, entries, policy(tmp_path, text, f"{name}.toml")).finish(out, [])
        row = next(csv.DictReader((out / "students.csv").open()))
        said = capsys.readouterr().err
        assert row["days_late"] == days
        if name == "given":
            assert row["score"] == "20.0" and row["submitted_at"].startswith("2026-12-01T20")
            assert "download time" not in said
        else:
            assert float(row["score"]) == pytest.approx(10.0)  # 7 days, capped at half
            assert "download time" in said and entries[0].label in said
