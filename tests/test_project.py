"""Project set-up: one list of dependencies, written twice, must name the same packages."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def names(requirements):
    return {re.split(r"[\[<>=!~; ]", r.strip(), maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements}


def environment_pip_list(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    out = []
    for line in lines[start + 1 :]:
        m = re.match(r"\s+- (\S.*)$", line)
        if not m or line.startswith("  - ") and not line.startswith("      "):
            break
        out.append(m.group(1))
    return out


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = names(pyproject["project"]["dependencies"])
    listed = names(environment_pip_list((ROOT / "environment.yml").read_text()))
    assert declared and declared == listed, (declared ^ listed)


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "backprop_lab", "--help"],
                         capture_output=True, text=True, check=True)
    assert "demo" in out.stdout
