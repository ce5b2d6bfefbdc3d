"""The command line keeps its word: the exit statuses its --help and the README promise,
and help that stands on its own (says what each command writes, points nowhere outside)."""

import subprocess
import sys

import pytest
from conftest import ROOT

COMMANDS = ["build", "grade", "check", "demo"]
# What each command's --help must say it writes (or that it writes nothing).
WRITES = {"build": ["NAME/student/README.md", "requirements.txt", "NAME-autograder.zip",
                    "NAME/autograder/NAME.ipynb"],
          "grade": ["gradebook.csv", "feedback/STEM.json", "feedback/STEM.md", "mistakes.csv"],
          "check": ["Writes nothing"],
          "demo": ["OUT/dist", "OUT/graded"]}


def cli(*args, cwd=ROOT, prelude=""):
    code = f"{prelude}import sys; from backprop_lab.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.task("command line")
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_stands_on_its_own(command):
    done = cli(*([command] if command else []), "--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "SPEC" not in text and "../" not in text and "shared/" not in text
    assert "exit status:" in text and "  2  the command line is wrong" in text
    for needed in WRITES.get(command, ["docs/contract.md", *COMMANDS]):
        assert needed in text, (command, needed)


@pytest.mark.task("command line")
@pytest.mark.parametrize("args", [["grade"], ["nonsense"], ["check", "x.ipynb", "--memory",
                                                            "lots"], ["grade", "--workers",
                                                                      "two", "x"]])
def test_a_wrong_command_line_exits_2_with_usage(args, tmp_path):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, (args, done.stderr)
    assert "usage: backprop-lab" in done.stderr


@pytest.mark.task("command line")
def test_a_bad_memory_size_is_named():
    done = cli("check", "x.ipynb", "--memory", "lots")
    assert "not a size: 'LOTS'" in done.stderr


@pytest.mark.task("command line")
def test_check_exits_1_without_autograders(tmp_path):
    notebook = tmp_path / "s.ipynb"
    notebook.write_text("{}")
    done = cli("check", notebook, "--autograders", tmp_path / "empty", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "no autograder zips under" in done.stderr and "backprop-lab build" in done.stderr


@pytest.mark.task("command line")
def test_grade_exits_1_without_autograders_and_writes_nothing(tmp_path):
    (tmp_path / "subs").mkdir()
    done = cli("grade", tmp_path / "subs", "--autograders", tmp_path / "empty",
               "--out", tmp_path / "graded", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "no autograder zips under" in done.stderr
    assert not (tmp_path / "graded").exists()


@pytest.mark.task("command line")
def test_grade_exits_1_on_a_path_that_does_not_exist(tmp_path):
    done = cli("grade", tmp_path / "typo", "--out", tmp_path / "graded", cwd=tmp_path)
    assert done.returncode == 1
    assert "no such file or folder" in done.stderr and "typo" in done.stderr


@pytest.mark.task("command line")
def test_grade_with_a_scheduler_but_no_dask_names_the_extra(tmp_path):
    (tmp_path / "subs").mkdir()
    done = cli("grade", tmp_path / "subs", "--scheduler", "tcp://localhost:1", cwd=tmp_path,
               prelude="import sys; sys.modules['distributed'] = None; ")
    assert done.returncode == 1
    assert "[dask]" in done.stderr


@pytest.mark.task("command line")
def test_build_exits_1_when_the_source_folder_does_not_exist(tmp_path):
    done = cli("build", "--source", tmp_path / "nowhere", "--out", tmp_path / "dist",
               cwd=tmp_path)
    assert done.returncode == 1
    assert "no assignments folder" in done.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.task("command line")
@pytest.mark.parametrize("limits, says", [(["--cell-timeout", "90", "--timeout", "60"],
                                          "cannot exceed the whole submission's"),
                                         (["--timeout", "0"], "must be positive")])
def test_build_refuses_time_limits_a_zip_cannot_keep_before_building(limits, says, tmp_path):
    done = cli("build", "--out", tmp_path / "dist", *limits, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert says in done.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
@pytest.mark.task("command line")
def test_grade_exits_0_when_the_batch_ran_whatever_the_submissions_did(dist, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "broken.ipynb").write_text("not json")
    done = cli("grade", subs, "--autograders", dist, "--out", tmp_path / "graded",
               "--workers", 1)
    assert done.returncode == 0, done.stderr
    assert "broken.ipynb,,invalid" in (tmp_path / "graded" / "gradebook.csv").read_text()


@pytest.mark.slow
@pytest.mark.task("manual question note")
def test_check_of_a_full_marks_a4_says_the_written_question_is_still_to_come(dist):
    done = cli("check", ROOT / "samples" / "a4_conventions-full-marks.ipynb",
               "--autograders", dist)
    assert done.returncode == 0, done.stderr
    assert ("**9 / 9** points autograded; the written question `vanishing_gradients` "
            "(2 points) is graded by hand") in done.stdout
