"""Project set-up: dependencies by role, written in three places, kept in step.

pyproject.toml's runtime dependencies are what building and grading need (every package
``src/`` or a master notebook imports); environment.yml names the same packages with the
same ranges (conda-forge names where they differ); autograder/requirements.txt, the one
pinned list, must fall inside those ranges.
"""

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# conda-forge's name for a PyPI distribution, where the two differ.
CONDA_NAMES = {"matplotlib": "matplotlib-base"}
# Imported, but installed by a declared dependency: (distribution, which one requires it).
PROVIDED_BY = {"ipython": "ipykernel"}
# Imported only behind an option, from an extra: distribution -> extra.
EXTRAS_FOR = {"distributed": "dask", "cryptography": "dask"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(lines) -> dict[str, SpecifierSet]:
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            out[canonical(req.name)] = req.specifier
    return out


def conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    name, rest = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return canonical(name), SpecifierSet(rest.replace(" ", ""))


def environment() -> dict[str, SpecifierSet]:
    """environment.yml's packages, conda and pip, under their PyPI names."""
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pypi_of = {canonical(c): canonical(p) for p, c in CONDA_NAMES.items()}
    out = {}
    for dep in deps:
        if isinstance(dep, dict):
            out.update(requirements(dep["pip"]))
            continue
        name, spec = conda_spec(dep)
        if name not in ("python", "pip"):
            out[pypi_of.get(name, name)] = spec
    return out


@pytest.mark.task("dependencies by role")
def test_environment_yml_names_the_runtime_dependencies_with_the_same_ranges():
    declared = requirements(PYPROJECT["dependencies"])
    listed = environment()
    assert declared.keys() == listed.keys(), declared.keys() ^ listed.keys()
    differ = {n: (str(declared[n]), str(listed[n])) for n in declared if declared[n] != listed[n]}
    assert not differ, f"pyproject vs environment.yml: {differ}"


@pytest.mark.task("dependencies by role")
def test_environment_yml_takes_from_pip_only_what_conda_forge_lacks():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert set(requirements(pip)) == {"copydetect"}


@pytest.mark.task("dependencies by role")
def test_environment_yml_python_matches_requires_python():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    python = next(conda_spec(d)[1] for d in deps if isinstance(d, str) and d.startswith("python"))
    requires = SpecifierSet(PYPROJECT["requires-python"])
    for version in declared_pythons():
        assert version in python and version in requires, version


def declared_pythons() -> list[str]:
    return [c.rsplit(" :: ", 1)[1] for c in PYPROJECT["classifiers"]
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]


@pytest.mark.task("python versions")
def test_declared_pythons_are_the_ones_make_test_runs():
    """The classifiers name 3.11 to 3.13; `make test` runs the suite on the first (the
    project's .venv) and the fast tests on the last."""
    assert declared_pythons() == ["3.11", "3.12", "3.13"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^FAST_PYTHON \?= 3\.13$", makefile, re.M)


@pytest.mark.task("dependencies by role")
def test_the_pinned_list_satisfies_the_declared_ranges():
    declared = requirements(PYPROJECT["dependencies"])
    pinned = requirements((ROOT / "autograder" / "requirements.txt").read_text().splitlines())
    assert pinned.keys() <= declared.keys(), pinned.keys() - declared.keys()
    for name, spec in pinned.items():
        (version,) = [s.version for s in spec if s.operator == "=="]
        assert version in declared[name], f"{name}=={version} outside {declared[name]}"


@pytest.mark.task("dependencies by role")
def test_test_tools_and_dask_are_extras_not_runtime_dependencies():
    runtime = set(requirements(PYPROJECT["dependencies"]))
    extras = PYPROJECT["optional-dependencies"]
    assert {"pytest", "hypothesis", "ruff", "uv"} <= set(requirements(extras["test"]))
    assert "dask" in requirements(extras["dask"])
    assert "torch" in requirements(extras["bench"])
    assert not runtime & {"pytest", "hypothesis", "ruff", "uv", "dask", "distributed",
                          "torch", "jupyter", "jupyterlab", "notebook"}


def imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def notebook_sources(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["\n".join(line for line in "".join(c["source"]).splitlines()
                      if not line.lstrip().startswith(("%", "!")))
            for c in cells if c["cell_type"] == "code"]


@pytest.mark.task("dependencies by role")
def test_every_import_of_src_and_the_masters_is_a_declared_dependency():
    sources = [p.read_text() for p in (ROOT / "src").rglob("*.py")]
    for master in (ROOT / "assignments").glob("*.ipynb"):
        sources += notebook_sources(master)
    modules = set().union(*map(imported_modules, sources))
    modules -= set(sys.stdlib_module_names) | {"backprop_lab", "bplab"}
    runtime = set(requirements(PYPROJECT["dependencies"]))
    dist_of = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(modules):
        (dist,) = {canonical(d) for d in dist_of.get(module, [module])}
        if dist in runtime or dist in EXTRAS_FOR:
            continue
        if dist in PROVIDED_BY:
            owner = importlib.metadata.requires(PROVIDED_BY[dist]) or []
            if any(canonical(Requirement(r).name) == dist for r in owner):
                continue
        missing[module] = dist
    assert not missing, f"imported but not a runtime dependency: {missing}"


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "backprop_lab", "--help"],
                         capture_output=True, text=True, check=True)
    assert "demo" in out.stdout


@pytest.mark.task("contract in the repository")
def test_no_link_or_message_points_outside_the_repository():
    texts = {p: p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
                                         *(ROOT / "src").rglob("*.py")]}
    for path, text in texts.items():
        assert not re.search(r"SPEC\b|shared/|\.\./", text), path
        links = re.findall(r"\]\(([^)#]+)\)", text) if path.suffix == ".md" else []
        for target in links:
            if not re.match(r"https?://", target):
                assert (path.parent / target).exists(), (path, target)
    assert "(docs/contract.md)" in texts[ROOT / "README.md"]
