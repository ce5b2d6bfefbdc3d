"""Gradescope, emulated: what the zip declares, and running its own run_autograder.

The environment is built from nothing but the zip's own ``requirements.txt``, with the
Python its ``setup.sh`` declares (``clean_env``); the zip is unpacked into an
``/autograder``-like folder (``source/``, ``submission/``, ``results/``) and the zip's
``run_autograder`` runs there with ``BPLAB_AUTOGRADER_ROOT`` pointing at it, as root, as
on Gradescope. Only ``setup.sh``'s installing is replaced (by the clean environment).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from clean_env import clean_env

HERE = Path(__file__).resolve().parent


def declared(zip_path: Path) -> tuple[list[str], str]:
    """(the requirements lines, the Python version) the zip's setup.sh installs."""
    with zipfile.ZipFile(zip_path) as z:
        requirements = z.read("requirements.txt").decode().splitlines()
        setup = z.read("setup.sh").decode()
    version = re.search(r"^PYTHON_VERSION=([\d.]+)$", setup, re.MULTILINE)
    assert version, "setup.sh declares no PYTHON_VERSION"
    assert re.search(r"pip install .*-r \"\$SOURCE/requirements\.txt\"", setup.replace(
        "\\\n", " ")), "setup.sh does not install the zip's requirements.txt"
    return requirements, version.group(1)


def gradescope_python(zip_path: Path) -> Path:
    requirements, version = declared(zip_path)
    return clean_env(requirements, python=version)


def unpack(zip_path: Path, notebook: Path | list[Path] | None, root: Path,
           settings: dict | None = None) -> Path:
    """An /autograder-like folder holding the zip and the submitted notebook (or
    notebooks: a list, each keeping its file name); ``settings``
    update the zip's ``autograder.json`` as ``build`` would have written them (say, the
    shorter time limits of ``build --cell-timeout 10 --timeout 45``)."""
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
        for info in z.infolist():  # zipfile drops the modes: set run_autograder's back
            mode = info.external_attr >> 16
            if mode:
                os.chmod(root / "source" / info.filename, mode & 0o777)
    if settings:
        chosen = root / "source" / "autograder.json"
        chosen.write_text(json.dumps({**json.loads(chosen.read_text()), **settings}))
    for submitted in [] if notebook is None else notebook if isinstance(notebook, list) \
            else [notebook]:
        shutil.copy(submitted, root / "submission" / submitted.name)
    return root


def run_autograder(root: Path, python: Path, launcher: list[str] = (),
                   timeout: float = 600) -> dict:
    """Run the zip's run_autograder in ``root``; its results.json."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPLAB_")}
    env.update(BPLAB_AUTOGRADER_ROOT=str(root), BPLAB_PYTHON=str(python))
    done = subprocess.run([*launcher, str(root / "source" / "run_autograder")], cwd=root,
                          env=env, capture_output=True, text=True, timeout=timeout)
    results = root / "results" / "results.json"
    assert results.is_file(), (done.returncode, done.stdout[-2000:], done.stderr[-3000:])
    return json.loads(results.read_text())


def no_namespaces(work: Path, python: Path) -> list[str]:
    """A launcher: no new namespaces (seccomp), and a file system holding only what a
    container would: the system folders, ``work`` (the /autograder-like roots) and the
    environment ``python`` runs in with its base interpreter. This checkout, the package
    caches and any other copy of the engine on this machine are gone."""
    done = subprocess.run([str(python), "-c", "import sys; print(sys.base_prefix)"],
                          capture_output=True, text=True, check=True)
    keep = [work, Path(python).parent.parent, Path(done.stdout.strip())]
    return [sys.executable, str(HERE / "no_namespaces.py"),
            *(a for path in keep for a in ("--keep", str(path))), "--"]


def emulate_all(jobs: dict[str, tuple[Path, Path]], python: Path, work: Path,
                launcher: list[str] = (), workers: int = 4,
                settings: dict | None = None) -> dict[str, dict]:
    """Every ``name: (zip, notebook)`` through its own emulated Gradescope run."""
    def one(item):
        name, (zip_path, notebook) = item
        root = unpack(zip_path, notebook, work / name, settings)
        return name, run_autograder(root, python, launcher)

    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(one, sorted(jobs.items())))


def question_scores(results: dict) -> dict[str, float]:
    """Points per question, added up from the per-part tests ("<question>: <part>")."""
    scores: dict[str, float] = {}
    for test in results["tests"]:
        if "max_score" in test:
            question = test["name"].split(": ", 1)[0]
            scores[question] = scores.get(question, 0.0) + test["score"]
    return scores


def flags(results: dict) -> list[str]:
    (test,) = [t for t in results["tests"] if t["name"] == "Flags (instructor only)"]
    return [] if test["output"] == "No flags." else test["output"].splitlines()
