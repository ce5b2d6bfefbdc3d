"""Read a built autograder zip: its assignment, questions, hidden parts and points.

The masters are the single source: each hidden test cell is
``hidden("<stub>", "<part>", env)`` with its points in the test config, and Otter Assign
writes them to ``tests/<question>.py`` in the zip. Parsing those files (without running
them) tells ``grade`` exactly what Otter would score.
"""

from __future__ import annotations

import ast
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

#: The instructor's settings in a built zip: visibility, time limits and the secret.
SETTINGS = "autograder.json"


class AutograderError(ValueError):
    """An autograder zip that cannot be used; the message says why and what to do."""


@dataclass
class Part:
    stub: str
    part: str
    points: float


@dataclass
class Question:
    name: str
    parts: list[Part] = field(default_factory=list)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass
class Autograder:
    name: str
    path: Path
    digest: str
    questions: list[Question]
    manual: list[dict] = field(default_factory=list)  # hand-graded: [{"name", "points"}]
    #: The secret the hidden cases are drawn from (see :mod:`.secret`); only in the zip.
    secret: str = field(default="", repr=False)

    def stubs(self) -> set[str]:
        return {p.stub for q in self.questions for p in q.parts}

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)


def _hidden_calls(source: str, question: str = "?") -> list[Part]:
    """The hidden parts a test file declares; AutograderError for a test ``grade`` would
    not score (a hidden test case that is not one ``hidden(stub, part, env)`` call)."""
    parts = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        points, hidden, is_case = None, False, False
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call):
                is_case = is_case or getattr(deco.func, "id", "") == "test_case"
                for kw in deco.keywords:
                    if kw.arg == "points" and isinstance(kw.value, ast.Constant):
                        points = kw.value.value
                    if kw.arg == "hidden" and isinstance(kw.value, ast.Constant):
                        hidden = bool(kw.value.value)
        found = [call for call in ast.walk(node)
                 if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "hidden"
                 and len(call.args) >= 2
                 and all(isinstance(a, ast.Constant) for a in call.args[:2])]
        for call in found:
            if not hidden or points is None:
                raise AutograderError(f"{question}: {node.name}: a hidden part needs "
                                      "hidden: true and points")
            parts.append(Part(call.args[0].value, call.args[1].value, float(points)))
        if is_case and hidden and not found:
            raise AutograderError(
                f"question {question}: its hidden test {node.name} would not be scored by "
                "`backprop-lab grade`, which runs no test code in the student's kernel. "
                "Write each hidden test cell as one line, hidden(\"<stub>\", \"<part>\", env), "
                "with its points in the test config (assignments/AUTHORING.md, "
                "\"Adding a question\"), or remove it")
    return parts


def read_autograder(path: Path) -> Autograder:
    data = Path(path).read_bytes()
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("otter_config.json"))
        questions = []
        for info in sorted(z.namelist()):
            if info.startswith("tests/") and info.endswith(".py"):
                name = Path(info).stem
                question = Question(name, _hidden_calls(z.read(info).decode(), name))
                if question.parts:
                    questions.append(question)
        manual_file = "files/backprop_lab/manual_questions.json"  # written by build
        manual = json.loads(z.read(manual_file)) if manual_file in z.namelist() else []
        settings = json.loads(z.read(SETTINGS)) if SETTINGS in z.namelist() else {}
    secret = settings.get("secret")
    if not isinstance(secret, str) or len(secret) < 16:
        raise AutograderError(f"{path} holds no secret for its hidden cases (it was built by "
                              "an older backprop-lab): run `backprop-lab build` again")
    return Autograder(config["assignment_name"], Path(path),
                      hashlib.sha256(data).hexdigest()[:16], questions, manual, secret)


def find_autograders(folder: Path) -> dict[str, Autograder]:
    """Every ``*-autograder.zip`` under ``folder`` (as ``build`` lays them out), by name."""
    found = {}
    for zip_path in sorted(Path(folder).glob("**/*-autograder.zip")):
        grader = read_autograder(zip_path)
        found[grader.name] = grader
    return found
