"""The attack corpus again, from the other side of root (issue 10).

CI runs as root, where bubblewrap also drops each kernel to a uid of its own. These tests
(root only) run ``tests/test_attacks.py`` once more as a throwaway unprivileged user
(bubblewrap through user namespaces, no root anywhere) and once as root forced into the
``uid`` mode (no namespaces). Both need a Python that other users can run: the test
environment usually lives under /root (mode 700), so a uv environment is made from the
one pinned list (``autograder/requirements.txt``) with the system's Python, in a
world-readable folder, holding a copy of this checkout's tests and package; nothing of
/root is opened up. The autograders built for this session are copied beside it.
"""

import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clean_env import uv

from backprop_lab.running.sandbox import bubblewrap_works, is_root

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not is_root(), reason="switching users needs root")]
ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/var/tmp/backprop-lab-walls")  # world-readable, outside any home
USER = "bptest"  # reused when it exists, else created (without a home) as a system user
# Besides the pinned list: the test tools, and copydetect (report.html's similarity, which
# `grade` writes after the batch), at the versions this run uses.
TEST_DEPS = ["pytest", "hypothesis", "copydetect"]
# Not the determinism test: it grades the whole corpus a second time for no new wall.
SELECTION = ["-k", "not deterministic"]


def _pins() -> list[str]:
    lines = (ROOT / "autograder" / "requirements.txt").read_text().splitlines()
    here = {d.metadata["Name"].lower(): d.version for d in _distributions(TEST_DEPS)}
    return [*lines, *(f"{name}=={version}" for name, version in here.items())]


def _distributions(names):
    from importlib.metadata import distribution

    return [distribution(n) for n in names]


def _system_python() -> str:
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if Path(candidate).exists():
            return candidate
    pytest.skip("no system Python that another user could run")


@pytest.fixture(scope="module")
def shared_checkout(dist):
    """A world-readable copy of what the corpus needs, with its own environment."""
    SHARED.mkdir(mode=0o755, exist_ok=True)
    SHARED.chmod(0o755)
    pins = _pins()
    python = _system_python()
    key = hashlib.sha256("\n".join([*pins, python]).encode()).hexdigest()[:16]
    env = SHARED / f"env-{key}"
    if not (env / ".complete").exists():
        shutil.rmtree(env, ignore_errors=True)
        subprocess.run([uv(), "venv", "--quiet", "--no-python-downloads", "--python", python,
                        str(env)], check=True)
        (SHARED / f"requirements-{key}.txt").write_text("\n".join(pins) + "\n")
        subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(env / "bin/python"),
                        "-r", str(SHARED / f"requirements-{key}.txt")], check=True)
        (env / ".complete").write_text(key)
    copy = SHARED / f"checkout-{os.getpid()}"
    shutil.rmtree(copy, ignore_errors=True)
    for part in ("src", "tests", "pyproject.toml", "README.md"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info"))
        elif source.exists():
            shutil.copy2(source, copy / part)
    shutil.copytree(dist, copy / "dist")
    # The package, editable from the copy: its folder is what the uid mode closes.
    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(env / "bin/python"),
                    "--no-deps", "-e", str(copy)], check=True)
    for folder, dirs, files in os.walk(copy):
        for name in [*dirs, *files]:
            os.chmod(os.path.join(folder, name), 0o755 if name in dirs else 0o644)
    copy.chmod(0o755)
    yield copy, env / "bin" / "python"
    shutil.rmtree(copy, ignore_errors=True)


def _user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        USER], check=True)
        return pwd.getpwnam(USER)


def _run_corpus(copy: Path, python: Path, env: dict, prefix: list[str]) -> str:
    command = [*prefix, str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-o", "addopts=", "tests/test_attacks.py", *SELECTION]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True,
                          timeout=1800)
    report = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    print(report)  # what ran, for the log (pytest -s)
    return report


@pytest.mark.task("sandbox: unprivileged bubblewrap")
def test_the_corpus_holds_as_an_unprivileged_user(shared_checkout):
    if not bubblewrap_works():
        pytest.skip("bwrap cannot make namespaces here")
    copy, python = shared_checkout
    user = _user()
    home = copy / "home"
    home.mkdir()
    os.chown(home, user.pw_uid, user.pw_gid)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "BPLAB_TEST_DIST": str(copy / "dist"),
           "BPLAB_SANDBOX": "bubblewrap", "LANG": "C.UTF-8"}
    prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
              "--reset-env", "--"]
    done = subprocess.run([*prefix, "env", *(f"{k}={v}" for k, v in env.items()),
                           str(python), "-c", "import os; print(os.getuid())"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(user.pw_uid) != "0"
    report = _run_corpus(copy, python, {}, [*prefix, "env",
                                             *(f"{k}={v}" for k, v in env.items())])
    assert " passed" in report and "skipped" not in report, report


@pytest.mark.task("sandbox: uid mode")
def test_the_corpus_holds_in_uid_mode(shared_checkout):
    copy, python = shared_checkout
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BPLAB_", "PYTEST"))},
           "BPLAB_TEST_DIST": str(copy / "dist"), "BPLAB_SANDBOX": "uid"}
    report = _run_corpus(copy, python, env, [])
    assert " passed" in report, report
    assert sys.executable != str(python)
