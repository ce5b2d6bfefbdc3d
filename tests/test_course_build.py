"""The built course: student notebooks, autograders, solutions (issue: the assignments)."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from backprop_lab import engine
from backprop_lab.questions.registry import names
from backprop_lab.samples import stub_cells

pytestmark = pytest.mark.slow
MASTERS = sorted((ROOT / "assignments").glob("*.ipynb"))


def student_notebooks(dist):
    return sorted(dist.glob("*/student/*.ipynb"))


def test_every_master_builds_with_its_solution_tests(dist):
    for master in MASTERS:
        name = master.stem
        assert (dist / name / "student" / f"{name}.ipynb").is_file()
        assert (dist / name / f"{name}-autograder.zip").is_file()
        student = json.loads((dist / name / "student" / f"{name}.ipynb").read_text())
        assert student["metadata"]["otter"]["assignment_name"] == name


def test_every_stub_appears_exactly_once_across_the_student_notebooks(dist):
    seen = []
    for nb_path in student_notebooks(dist):
        seen += list(stub_cells(json.loads(nb_path.read_text())))
    assert sorted(s for s in seen if s in names()) == sorted(names())


def test_stub_cells_keep_signature_docstring_and_prompt(dist):
    import inspect

    for nb_path in student_notebooks(dist):
        nb = json.loads(nb_path.read_text())
        for stub, i in stub_cells(nb).items():
            if stub not in names():
                continue
            source = "".join(nb["cells"][i]["source"])
            want = list(inspect.signature(getattr(engine, stub)).parameters)
            header = source.split(")")[0]
            assert all(p in header for p in want), (stub, header)
            assert '"""' in source and source.rstrip().endswith("..."), (stub, source)


def solution_lines(master: Path) -> set[str]:
    """Lines inside # BEGIN SOLUTION / # END SOLUTION blocks, long enough to mean something."""
    nb = nbformat.read(master, as_version=4)
    lines, inside = set(), False
    for cell in nb.cells:
        if cell.cell_type != "code":  # raw BEGIN SOLUTION cells wrap the visible stub
            continue
        for line in cell.source.splitlines():
            if re.match(r"\s*#\s*BEGIN SOLUTION", line):
                inside = True
            elif re.match(r"\s*#\s*END SOLUTION", line):
                inside = False
            elif (inside and len(line.strip()) >= 20 and not GENERIC.match(line.strip())
                  and not line.strip().startswith("def ")):  # signatures are the spec's
                lines.add(line.strip())
    return lines


# Lines that reveal nothing: `return nabla_w, nabla_b`, `x = np.asarray(x, dtype=np.float64)`.
GENERIC = re.compile(r"^(return [\w, ]+|(\w+) = np\.asarray\(\2, dtype=np\.float64\))$")


def engine_lines() -> set[str]:
    """The answer key: code lines of the engine's 19 stub functions."""
    import ast
    import inspect
    import textwrap

    out = set()
    for stub in names():
        source = textwrap.dedent(inspect.getsource(getattr(engine, stub)))
        body = ast.parse(source).body[0].body
        doc = body[0] if isinstance(body[0], ast.Expr) else None  # the docstring is the spec
        lines = source.splitlines()
        if doc is not None:
            del lines[doc.lineno - 1 : doc.end_lineno]
        for line in lines:
            s = line.strip()
            if (len(s) >= 25 and not GENERIC.match(s)
                    and not s.startswith(("#", '"""', "from ", "import ", "def "))):
                out.add(s)
    return out


def test_no_solution_hidden_test_or_engine_source_in_student_files(dist):
    secrets = set().union(*(solution_lines(m) for m in MASTERS)) | engine_lines()
    markers = ("backprop_lab.judging", "backprop_lab.questions", "otter_entry", "hidden(",
               "BEGIN SOLUTION")
    for folder in dist.glob("*/student"):
        assert not (folder / "backprop_lab").exists()
        for path in folder.rglob("*"):
            if path.suffix not in (".ipynb", ".py"):
                continue
            text = path.read_text()
            if path.suffix == ".ipynb":
                nb = json.loads(text)
                text = "\n".join("".join(c["source"]) for c in nb["cells"])
                text += json.dumps(nb["metadata"])
            lines = {line.strip() for line in text.splitlines()}
            leaked = sorted(secrets & lines)
            assert not leaked, (path, leaked[:5])
            assert not any(m in text for m in markers), (path, [m for m in markers if m in text])


def test_solutions_folder_is_current_with_the_masters(dist):
    for master in MASTERS:
        built = nbformat.read(dist / master.stem / "autograder" / f"{master.stem}.ipynb", 4)
        path = ROOT / "solutions" / f"{master.stem}.ipynb"
        assert path.is_file(), f"solutions/{master.stem}.ipynb is missing: run make solutions"
        kept = nbformat.read(path, 4)
        code = [c.source for c in built.cells if c.cell_type == "code"]
        assert [c.source for c in kept.cells if c.cell_type == "code"] == code, (
            f"solutions/{master.stem}.ipynb is stale: run make solutions")
        assert any(o.get("output_type") == "display_data" for c in kept.cells
                   if c.cell_type == "code" for o in c.get("outputs", [])), "no plots kept"
