"""Nothing lost under faults (issue 10): dead workers, repeated names, deleted files."""

import csv
import multiprocessing
import os
import signal
import threading
import time

import pytest

from backprop_lab.grade import grade
from backprop_lab.running.kernel import Limits
from backprop_lab.samples import filled, read, write

pytestmark = pytest.mark.slow
FAST = Limits(cell_seconds=30, total_seconds=90)
SLOW_CELL = "import time\ntime.sleep(6)\n"


@pytest.fixture(scope="module")
def a1(dist):
    return read(dist / "a1_forward" / "student" / "a1_forward.ipynb")


def with_cell(nb: dict, code: str) -> dict:
    nb = filled(nb)
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": code})
    return nb


def rows(out) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.task("grade: a dead worker costs one submission")
def test_a_worker_killed_mid_batch_costs_only_its_submission(a1, dist, tmp_path):
    folder = tmp_path / "in"
    for i in range(3):
        write(with_cell(a1, SLOW_CELL), folder / f"slow-{i}.ipynb")
    killed = []

    def kill_one_worker():  # the grading workers are this process's children
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            workers = multiprocessing.active_children()
            if len(workers) >= 2:
                time.sleep(4)  # each holds a submission from the start
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(workers[0].pid)
            time.sleep(0.2)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    out = tmp_path / "out"
    summary = grade([folder], out, autograder_dir=dist, workers=2, limits=FAST, progress=False)
    killer.join()
    assert killed
    statuses = sorted(r["status"] for r in summary.records)
    assert statuses == ["error", "graded", "graded"], summary.records
    (lost,) = [r for r in summary.records if r["status"] == "error"]
    assert "worker process died" in lost["reason"], lost
    assert all(r["score"] == r["max_score"] for r in summary.records if r is not lost)
    again = grade([folder], out, autograder_dir=dist, workers=1, limits=FAST, progress=False)
    assert again.graded == 1 and again.skipped == 2  # only the lost one is graded again
    assert all(r["status"] == "graded" and r["score"] == r["max_score"]
               for r in again.records), again.records


@pytest.mark.task("grade: same-stem rows and stale feedback")
def test_same_stems_get_their_own_rows_and_deleted_files_leave_the_gradebook(a1, dist,
                                                                              tmp_path):
    folder = tmp_path / "class"
    write(filled(a1), folder / "alice" / "hw.ipynb")
    write(a1, folder / "bob" / "hw.ipynb")  # unfinished: a different score
    out = tmp_path / "out"
    grade([folder], out, autograder_dir=dist, workers=1, limits=FAST, progress=False)
    book = {r["submission"]: r for r in rows(out)}
    assert set(book) == {"alice/hw.ipynb", "bob/hw.ipynb"}, book
    assert float(book["alice/hw.ipynb"]["score"]) > float(book["bob/hw.ipynb"]["score"]) == 0
    assert {p.name for p in (out / "feedback").glob("*.json")} == {"hw.json", "hw-2.json"}

    (folder / "alice" / "hw.ipynb").unlink()
    again = grade([folder], out, autograder_dir=dist, workers=1, limits=FAST, progress=False)
    assert [r["submission"] for r in rows(out)] == ["bob/hw.ipynb"]
    assert [r["submission"] for r in again.records] == ["bob/hw.ipynb"]
    assert float(rows(out)[0]["score"]) == 0
    assert (out / "feedback" / "removed").is_dir()  # kept aside, not deleted
