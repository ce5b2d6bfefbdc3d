"""The student kit: README and requirements beside each student notebook, and enough.

The proof that the requirements are enough: a clean virtual environment made from the
kit's requirements.txt alone runs the solution notebook, in a copy of the student folder,
top to bottom, and every ``grader.check`` cell passes there.
"""

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from clean_env import clean_env
from conftest import ROOT

from backprop_lab.building.student_kit import manual_questions, pinned_requirements
from backprop_lab.reporting.report import feedback_markdown

NAMES = sorted(p.stem for p in (ROOT / "assignments").glob("*.ipynb"))
# assignments/AUTHORING.md: the one manual question of the course.
MANUAL = {"a4_conventions": [{"name": "vanishing_gradients", "points": 2.0}]}


@pytest.mark.task("student kit")
@pytest.mark.parametrize("name", NAMES)
def test_manual_questions_are_read_from_the_master(name):
    assert manual_questions(ROOT / "assignments" / f"{name}.ipynb") == MANUAL.get(name, [])


@pytest.mark.task("manual question note")
def test_feedback_says_which_points_are_still_to_come():
    record = {"submission": "s.ipynb", "assignment": "a4_conventions", "status": "graded",
              "score": 9.0, "max_score": 9.0, "questions": [], "flags": [],
              "manual": MANUAL["a4_conventions"]}
    text = feedback_markdown(record)
    assert ("**9 / 9** points autograded; the written question `vanishing_gradients` "
            "(2 points) is graded by hand") in text
    del record["manual"]
    assert "by hand" not in feedback_markdown(record)


@pytest.mark.slow
@pytest.mark.task("student kit")
def test_each_student_folder_has_a_readme_and_the_pinned_requirements(dist):
    pinned = pinned_requirements(ROOT / "autograder" / "requirements.txt")
    for name in NAMES:
        student = dist / name / "student"
        readme = (student / "README.md").read_text()
        for needed in (f"{name}.ipynb", "pip install -r requirements.txt", "VS Code",
                       "JupyterLab", 'grader.check("<name>")', "Restart", "run all cells"):
            assert needed in readme, (name, needed)
        assert ("vanishing_gradients" in readme) == (name in MANUAL), name
        lines = [line for line in (student / "requirements.txt").read_text().splitlines()
                 if line and not line.startswith("#")]
        assert lines == pinned, name


@pytest.mark.slow
@pytest.mark.task("manual question note")
def test_the_autograder_knows_its_manual_questions(autograders):
    assert {name: g.manual for name, g in autograders.items() if g.manual} == MANUAL


def first_line(cell) -> str:
    return "".join(cell["source"]).lstrip().split("\n", 1)[0]


def solution_in_student_notebook(dist: Path, name: str) -> dict:
    """The student notebook with every cell the student writes taken from the solution
    notebook: the stubs (``def <stub>(``) and the pasted earlier functions."""
    student = json.loads((dist / name / "student" / f"{name}.ipynb").read_text())
    solution = json.loads((dist / name / "autograder" / f"{name}.ipynb").read_text())
    answers = {first_line(c): c["source"] for c in solution["cells"]
               if c["cell_type"] == "code" and first_line(c).startswith(("def ", "# From "))}
    replaced = 0
    for cell in student["cells"]:
        if cell["cell_type"] == "code" and first_line(cell) in answers:
            cell["source"] = answers[first_line(cell)]
            replaced += 1
    assert replaced >= 3, (name, replaced)
    return student


RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", "") if isinstance(out.get("text"), str)
                     else "".join(out.get("text", [])))
        for value in out.get("data", {}).values():
            parts.append(value if isinstance(value, str) else "".join(value))
        parts += out.get("traceback", [])
    return "\n".join(parts)


def run_kit(dist: Path, folder: Path, name: str) -> tuple[Path, subprocess.CompletedProcess]:
    """The solution, in a copy of ``name``'s student folder, run by the kit's Python."""
    shutil.copytree(dist / name / "student", folder)
    notebook = folder / f"{name}.ipynb"
    notebook.write_text(json.dumps(solution_in_student_notebook(dist, name)))
    python = clean_env(folder / "requirements.txt", python="3.13")
    done = subprocess.run([str(python), "-c", RUN, str(notebook), str(folder)],
                          capture_output=True, text=True, cwd=folder)
    return notebook, done


@pytest.fixture(scope="module")
def kit_runs(dist, tmp_path_factory):
    """Every assignment's kit, run at once (a run is one kernel that mostly waits)."""
    def one(name):
        return name, run_kit(dist, tmp_path_factory.mktemp(f"kit-{name}") / "student", name)

    with ThreadPoolExecutor(len(NAMES)) as pool:
        return dict(pool.map(one, NAMES))


@pytest.mark.slow
@pytest.mark.task("student kit")
@pytest.mark.parametrize("name", NAMES)
def test_the_kit_requirements_alone_run_the_solution_with_every_check_passing(
        kit_runs, name):
    notebook, done = kit_runs[name]
    assert done.returncode == 0, done.stderr[-3000:]
    cells = json.loads(notebook.read_text())["cells"]
    checks = [c for c in cells
              if c["cell_type"] == "code" and "grader.check(" in "".join(c["source"])]
    assert len(checks) >= 3, name
    for cell in checks:
        text = outputs_text(cell)
        assert "passed" in text and "failed" not in text.lower(), (name, text[:500])
    errors = [outputs_text(c) for c in cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors[:1]


def master_points(master: Path) -> dict[str, dict[str, float]]:
    """question -> {part: points} from the master's hidden test cells, and
    {"total": points} for a manual question."""
    points: dict[str, dict[str, float]] = {}
    question = None
    for cell in json.loads(master.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" and source.startswith("# BEGIN QUESTION"):
            config = dict(line.split(": ", 1) for line in source.splitlines()[1:])
            question = config["name"]
            points[question] = {}
            if config.get("manual") == "true":
                points[question]["total"] = float(config["points"])
        elif cell["cell_type"] == "code" and "hidden: true" in source:
            part = re.search(r"def test_(\w+)\(", source)[1]
            points[question][part] = float(re.search(r"points: ([\d.]+)", source)[1])
    return points


def notebook_table(master: Path) -> dict[str, list[str]]:
    """Rows of the points table in "How your work is checked": name -> its cells."""
    cells = json.loads(master.read_text())["cells"]
    text = next("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
                and "How your work is checked" in "".join(c["source"]))
    rows = re.findall(r"^\| `(\w+)`[^|]*\|(.*)\|\s*$", text, re.M)
    return {name: [v.strip() for v in rest.split("|")] for name, rest in rows}


@pytest.mark.task("text of a3 and a4")
@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_states_the_points_its_tests_give(name):
    master = ROOT / "assignments" / f"{name}.ipynb"
    table = notebook_table(master)
    points = master_points(master)
    assert table.keys() == points.keys(), name
    parts = ["reference", "finite_differences", "inputs_unchanged"]
    for question, row in table.items():
        given = points[question]
        assert float(row[-1]) == sum(given.values()), (question, row)
        if "total" not in given:
            stated = [float(v) if v not in ("–", "-", "") else 0.0 for v in row[:3]]
            assert stated == [given.get(p, 0.0) for p in parts], (question, row)


@pytest.mark.task("text of a3 and a4")
def test_a4_says_how_it_is_checked_in_its_own_terms():
    cells = json.loads((ROOT / "assignments" / "a4_conventions.ipynb").read_text())["cells"]
    text = next("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
                and "How your work is checked" in "".join(c["source"]))
    assert "training step" not in text and "sgd_epoch" not in text
    assert "vanishing_gradients" in text and "by hand" in text
