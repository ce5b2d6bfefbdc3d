"""What a student gets beside the notebook: a short README and a requirements.txt.

``build`` writes both into ``dist/<name>/student/``. The requirements are the one pinned
list, ``autograder/requirements.txt``: a student's notebook needs exactly what the
autograder installs to run it. The manual (hand-graded) questions of a master are read
from its ``# BEGIN QUESTION`` cells, for the README and for the feedback.
"""

from __future__ import annotations

import json
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
MANUAL_FILE = "manual_questions.json"


def find_requirements() -> Path:
    """``autograder/requirements.txt`` here, else beside the source tree of this package."""
    for root in (Path.cwd(), PACKAGE.parents[1]):
        candidate = root / "autograder" / "requirements.txt"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("no autograder/requirements.txt here or beside the package; "
                            "run from the repository")


def pinned_requirements(path: Path | None = None) -> list[str]:
    """The requirement lines of the pinned list, without its comments."""
    lines = (path or find_requirements()).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _question_config(source: str) -> dict[str, str]:
    """The ``key: value`` lines of a ``# BEGIN QUESTION`` raw cell."""
    pairs = (line.split(":", 1) for line in source.splitlines()[1:] if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def manual_questions(master: Path) -> list[dict]:
    """``[{"name", "points"}]`` for each ``manual: true`` question of a master notebook."""
    found = []
    for cell in json.loads(Path(master).read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" and source.startswith("# BEGIN QUESTION"):
            config = _question_config(source)
            if config.get("manual") == "true":
                found.append({"name": config["name"], "points": float(config["points"])})
    return found


def write_manual_questions(master: Path, folder: Path) -> Path:
    """Record the master's manual questions in ``folder`` (the autograder's package copy),
    so grading can say which points are still to be given by hand."""
    target = folder / MANUAL_FILE
    target.write_text(json.dumps(manual_questions(master), indent=1) + "\n")
    return target


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


README = """\
# {name}: how to work on it and hand it in

This folder holds your notebook `{name}.ipynb`, the course helpers it imports (`bplab/`:
data, pictures and the public checks; keep it beside the notebook and do not edit it),
and `requirements.txt`, the Python packages the notebook needs.

## 1. Set up Python (once)

You need Python 3.11, 3.12 or 3.13. In this folder, in a terminal:

```bash
python -m venv .venv
source .venv/bin/activate      # on Windows: .venv\\Scripts\\activate
pip install -r requirements.txt
```

These are the versions the autograder uses, so what runs for you runs for it.

## 2. Open the notebook

- **VS Code**: install the *Python* and *Jupyter* extensions, open this folder, open
  `{name}.ipynb`, and choose the `.venv` interpreter as the kernel ("Select Kernel", top
  right).
- **JupyterLab**: `pip install jupyterlab` in the same environment, then
  `jupyter lab {name}.ipynb`.

Run the notebook's first cell before anything else: it starts the grader.

## 3. Check your work as you go: `grader.check`

After each function you write comes a cell `grader.check("<name>")`. It runs the
**public checks** on your function, on a few small fixed cases: the shapes you return,
that every number is finite, that the arrays you were given are unchanged, and that your
numbers agree with finite differences (or with worked answers). When a result is wrong
in a known way (transposed, twice too large, a mean instead of a sum, ...) it names the
mistake. Run it as often as you like; it needs no network.

Passing the public checks is necessary, not sufficient: after you submit, hidden tests
compare your functions with the course's reference solution on networks and batches you
never see. The points per function are in the notebook, under "How your work is
checked".{manual}

## 4. Submit

Hand in **`{name}.ipynb` only** (not `bplab/`, not this file). Before you do:

1. Restart the kernel and run all cells from the top (JupyterLab: *Kernel > Restart
   Kernel and Run All Cells*; VS Code: *Restart*, then *Run All*). Every cell must run
   without an error.
2. Keep the function names and arguments as given, each function in its own cell.
3. Save the notebook.
"""

MANUAL = """

This assignment also has {questions} ({items}), graded by hand
after the deadline: write your answer in the cell the notebook gives for it."""


def student_readme(name: str, manual: list[dict]) -> str:
    """The README for the student folder of assignment ``name``."""
    note = ""
    if manual:
        items = ", ".join(f"`{q['name']}`, {_points(q['points'])}" for q in manual)
        questions = "written questions" if len(manual) > 1 else "a written question"
        note = MANUAL.format(questions=questions, items=items)
    return README.format(name=name, manual=note)


def write_student_kit(master: Path, student: Path, requirements: Path | None = None) -> None:
    """Write ``README.md`` and ``requirements.txt`` into the student folder ``student``."""
    name = Path(master).stem
    (student / "README.md").write_text(student_readme(name, manual_questions(master)))
    lines = pinned_requirements(requirements)
    header = ("# What the notebook needs: pip install -r requirements.txt\n"
              "# (the versions the autograder installs)\n")
    (student / "requirements.txt").write_text(header + "\n".join(lines) + "\n")
