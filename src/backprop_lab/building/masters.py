"""Read a master notebook's questions, check each against its declaration, and derive the
points table students see.

``build`` runs :func:`check_master` before Otter Assign: a graded question with no
:class:`~..questions.question.Question`, a hidden part its question cannot grade, a
``def`` whose signature differs from the reference's, or a public check of a stub with no
public cases stops the build with a message that says what to do (never Otter's
``KeyError`` from inside the solution run). :func:`with_points_table` writes the table
between ``<!-- BEGIN POINTS -->`` and ``<!-- END POINTS -->`` in the notebook's markdown,
from the points in the test configs, so changing a test's ``points:`` changes the table.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..judging.judge import COUNTED, PARTS
from ..questions.registry import QuestionError, question

BEGIN, END = "<!-- BEGIN POINTS -->", "<!-- END POINTS -->"
#: Each hidden part's column in the points table.
PART_HEADERS = {"reference": "equals the reference",
                "finite_differences": "equals finite differences",
                "inputs_unchanged": "inputs unchanged",
                "no_loop_over_examples": "no loop over examples"}
HOW = "assignments/AUTHORING.md, 'Adding a question'"


class MasterError(ValueError):
    """A master notebook whose questions do not match their declarations."""


@dataclass
class MasterQuestion:
    name: str
    manual: bool = False
    points: float = 0.0  # a manual question's
    parts: dict[str, float] = field(default_factory=dict)  # hidden part -> points
    checks: list[str] = field(default_factory=list)  # the stubs its public test checks
    signature: list[str] | None = None  # the parameters of its solution's def

    @property
    def total(self) -> float:
        return self.points if self.manual else sum(self.parts.values())


def _config(text: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def _calls(tree: ast.AST, name: str) -> list[list[str]]:
    return [[a.value for a in node.args if isinstance(a, ast.Constant)]
            for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == name]


def read_master(path: Path) -> list[MasterQuestion]:
    """The questions of the master notebook at ``path``, in order."""
    found: list[MasterQuestion] = []
    current: MasterQuestion | None = None
    for cell in json.loads(Path(path).read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            config = _config(text.split("\n", 1)[1] if "\n" in text else "")
            current = MasterQuestion(config.get("name", "?"), config.get("manual") == "true",
                                     float(config.get("points", 0) or 0))
            found.append(current)
        elif cell["cell_type"] == "raw" and text.startswith("# END QUESTION"):
            current = None
        elif cell["cell_type"] == "code" and current is not None:
            _read_code(current, text)
    return found


def _read_code(q: MasterQuestion, text: str) -> None:
    head = re.match(r'\s*""" # BEGIN TEST CONFIG\n(.*?)""" # END TEST CONFIG', text, re.S)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    if head:
        points = float(_config(head.group(1)).get("points", 0) or 0)
        for call in _calls(tree, "hidden"):
            if len(call) >= 2:
                q.parts[call[1]] = points
    for call in _calls(tree, "check"):
        q.checks += call[:1]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == q.name and q.signature is None:
            q.signature = [a.arg for a in node.args.args]


def check_master(path: Path) -> list[MasterQuestion]:
    """The master's questions, or :class:`MasterError` for the first that does not match its
    declaration."""
    assignment = Path(path).stem
    questions = read_master(path)
    for q in questions:
        if q.manual:
            continue
        where = f"{Path(path).name}, question {q.name}"
        for stub in q.checks:
            try:
                question(stub)
            except QuestionError as error:
                raise MasterError(f"{where}: grader.check({stub!r}) has no public cases: "
                                  f"{error}") from None
        if not q.parts:
            continue
        try:
            declared = question(q.name)
        except QuestionError as error:
            raise MasterError(f"{where}: {error}") from None
        if declared.assignment != assignment:
            raise MasterError(f"{where}: it is declared for {declared.assignment!r}, not "
                              f"{assignment!r} (the Question's assignment)")
        allowed = [p for p in PARTS if p not in COUNTED or p in declared.extra_parts]
        for part in q.parts:
            if part not in allowed:
                raise MasterError(f"{where}: no hidden part {part!r}; its parts are "
                                  f"{', '.join(allowed)} ({HOW})")
        if "finite_differences" in q.parts and not any(
                c.finite_differences for c in declared.draw(_rng(), 6)):
            raise MasterError(f"{where}: its cases carry no finite-differences oracle, so "
                              "it has no finite_differences part: give its cases one "
                              f"(Case(..., finite_differences=...)) or drop the part ({HOW})")
        if q.signature is not None and q.signature != declared.parameters:
            raise MasterError(f"{where}: its def takes ({', '.join(q.signature)}) but the "
                              f"declared reference takes ({', '.join(declared.parameters)})")
    return questions


def _rng():
    import numpy as np

    return np.random.default_rng(0)


def _number(x: float) -> str:
    return f"{x:g}"


def points_table(questions: list[MasterQuestion]) -> str:
    """The markdown table of each question's points per hidden part, and its total."""
    parts = [p for p in PARTS if any(p in q.parts for q in questions)]
    head = ["function", *(PART_HEADERS.get(p, p) for p in parts), "total"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for q in questions:
        if q.manual:
            cells = [f"`{q.name}` (written, graded by hand)", *("–" for _ in parts)]
        elif q.parts:
            cells = [f"`{q.name}`", *(_number(q.parts[p]) if p in q.parts else "–"
                                      for p in parts)]
        else:
            continue
        rows.append("| " + " | ".join([*cells, _number(q.total)]) + " |")
    total = sum(q.total for q in questions)
    rows.append("| **all** | " + " | ".join("" for _ in parts) + f" | **{_number(total)}** |")
    return "\n".join(rows)


def with_points_table(nb: dict, questions: list[MasterQuestion]) -> dict:
    """``nb`` with the table between the POINTS markers of its markdown cells rewritten."""
    table = points_table(questions)
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and BEGIN in text:
            text = pattern.sub(lambda _: f"{BEGIN}\n{table}\n{END}", text)
            cell["source"] = text.splitlines(keepends=True)
    return nb
