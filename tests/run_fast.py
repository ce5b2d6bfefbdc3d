"""Run the fast tests under another Python, in a clean environment uv makes for them.

    python tests/run_fast.py 3.13 tests/test_tiers.py ...

The environment holds the one pinned list (``autograder/requirements.txt``), the test
tools of the ``[test]`` extra and this project (editable, no other dependencies), so it
also proves that list is enough to import and judge. When the machine has no such
Python, it says so and exits 0: a missing interpreter is not a failing test.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_env import clean_env, find_python  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("pytest", "hypothesis")


def requirement_lines() -> list[str]:
    """The pinned list, plus pytest and hypothesis as the [test] extra gives them."""
    pinned = (ROOT / "autograder" / "requirements.txt").read_text().splitlines()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["test"]
    return [*pinned, *(r for r in extra if r.startswith(TOOLS))]


def main(argv: list[str]) -> int:
    version, files = argv[0], argv[1:]
    if find_python(version) is None:
        print(f"run_fast: no Python {version} on this machine: the fast tests on it are "
              "skipped", flush=True)
        return 0
    python = clean_env(requirement_lines(), python=version, editable=ROOT)
    done = subprocess.run([str(python), "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True, check=True)
    print(f"run_fast: Python {done.stdout.strip()} ({python})", flush=True)
    command = [str(python), "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider",
               *files]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
