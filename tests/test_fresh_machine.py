"""A fresh machine, emulated on one that has everything (issue 17).

A clean clone is not a clean machine: bubblewrap and Chromium stay installed after the
first `make test`. So each case here builds the new user's machine from parts:

- a PATH of links to this machine's programs without ``bwrap``, ``chromium`` (and, where
  the case says so, ``apt-get``): what a machine that never had them offers;
- a copy of the repository's files (what `git clone` gives) whose ``.venv`` lives under
  a folder other users cannot enter (pytest's own temporary folders are 0700), on the
  interpreter this run uses (pyenv's, under /root, on the machine this was written on);
- as root, and as the unprivileged system user ``bptest`` (``setpriv``) in a temporary
  HOME of its own.

Then the Quickstart's `make demo` runs there as the README prints it, and the command
the demo's last lines print runs exactly as printed. Cost: the virtual environments come
from uv's cache (a few seconds), the demo reuses this run's build (``dist``) through its
own stamp of the sources (``demo.sources_digest``; building is tested elsewhere), and the
clone holds three of the samples.
"""

from __future__ import annotations

import csv
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from clean_env import uv

from backprop_lab.running.sandbox import bubblewrap_works, is_root

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not is_root(), reason="emulating a fresh machine needs root "
                                 "(closed folders, another user)")]
ROOT = Path(__file__).resolve().parents[1]
USER = "bptest"  # shared with tests/test_walls.py: a system user without a home
NEW_MACHINE_LACKS = ("bwrap", "chromium", "chromium-browser")
SAMPLES = ("a1_forward-full-marks.ipynb", "a2_backprop-classic-mistakes.ipynb",
           "broken-file.ipynb")
TRY = re.compile(r"Try \(from this folder\):\n  (.+)\n")


def fake_path(folder: Path, hide: tuple[str, ...]) -> str:
    """A PATH folder of links to every program of this machine but ``hide``."""
    folder.mkdir(parents=True)
    for place in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(place):
            continue
        for entry in os.scandir(place):
            link = folder / entry.name
            if entry.name not in hide and not link.exists() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    folder.chmod(0o755)
    return str(folder)


def fresh_clone(target: Path) -> Path:
    """The repository's files as a clone has them (tracked, plus new files not ignored),
    with three of the samples (``SAMPLES``: the demo grades them all, which costs time
    and proves nothing more about the machine)."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if name.startswith("samples/") and name.endswith(".ipynb") and \
                Path(name).name not in SAMPLES:
            continue
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def make_venv(clone: Path, python: str) -> Path:
    """``clone/.venv`` as `make demo` leaves it (the pinned list, the package editable),
    made by uv from its cache; the Makefile's stamp says it is installed."""
    venv = clone / ".venv"
    subprocess.run([uv(), "venv", "--quiet", "--no-python-downloads", "--python", python,
                    str(venv)], check=True)
    from importlib.metadata import version

    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(venv / "bin/python"),
                    "-r", str(clone / "autograder" / "requirements.txt"),
                    f"copydetect=={version('copydetect')}", "-e", str(clone)], check=True)
    (venv / "bin" / ".installed").touch()
    return venv


def reuse_build(clone: Path, dist: Path) -> None:
    """This run's build, as the demo's own earlier build of these very sources."""
    target = clone / "demo-output" / "dist"
    shutil.copytree(dist, target)
    digest = subprocess.run([str(clone / ".venv/bin/python"), "-c",
                             "from backprop_lab.demo import sources_digest; "
                             "print(sources_digest())"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout.strip()
    (target / ".built-from").write_text(digest + "\n")


def run(command: list[str], cwd: Path, env: dict, user: pwd.struct_passwd | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess:
    prefix = [] if user is None else [
        "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]
    done = subprocess.run([*prefix, "env", "-i", *(f"{k}={v}" for k, v in env.items()),
                           *command], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    done.both = done.stdout + done.stderr
    return done


def base_env(path: str, home: Path) -> dict:
    return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}


def the_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", USER], check=True)
        return pwd.getpwnam(USER)


def gradebook(clone: Path) -> dict[str, dict]:
    with open(clone / "demo-output" / "graded" / "gradebook.csv") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def check_demo(done: subprocess.CompletedProcess, clone: Path) -> str:
    """The demo ran, graded the samples as the README says, and printed no traceback;
    the command its last lines print."""
    assert done.returncode == 0, done.both[-4000:]
    assert "Traceback" not in done.both, done.both[-4000:]
    rows = gradebook(clone)
    assert sorted(rows) == sorted(SAMPLES), rows
    full, mistakes = rows["a1_forward-full-marks.ipynb"], rows["a2_backprop-classic-mistakes.ipynb"]
    assert float(full["score"]) == float(full["max_score"]) == 13, full
    assert mistakes["status"] == "graded" and 0 < float(mistakes["score"]) < 24, mistakes
    assert rows["broken-file.ipynb"]["status"] == "invalid"
    found = TRY.search(done.stdout)
    assert found, done.stdout[-2000:]
    return found.group(1)


def sandbox_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("backprop-lab: ")]


@pytest.fixture(scope="module")
def machine():
    """The parts of a new machine: PATHs without the tools (where every user can reach
    them: pytest's own folders are 0700), and this interpreter."""
    parts = Path(tempfile.mkdtemp(prefix="bplab-fresh-machine-"))
    parts.chmod(0o755)
    interpreter = os.path.realpath(sys.executable)
    yield {"no-tools": fake_path(parts / "no-tools", NEW_MACHINE_LACKS),
           "no-tools-no-apt": fake_path(parts / "no-apt", (*NEW_MACHINE_LACKS, "apt-get",
                                                           "apt", "dnf", "yum")),
           "interpreter": interpreter}
    shutil.rmtree(parts, ignore_errors=True)


@pytest.mark.task("fresh machine")
def test_make_demo_as_root_without_bubblewrap_or_apt_under_a_closed_folder(
        machine, dist, tmp_path):
    closed = tmp_path / "closed"  # a home like /root: nobody else may enter
    closed.mkdir(mode=0o700)
    clone = fresh_clone(closed / "backprop-lab")
    make_venv(clone, machine["interpreter"])
    reuse_build(clone, dist)
    env = base_env(machine["no-tools-no-apt"], closed)
    # Controls: the machine really is fresh, and other users really cannot run this Python.
    assert shutil.which("bwrap") and not shutil.which("bwrap", path=env["PATH"])
    assert not shutil.which("apt-get", path=env["PATH"])
    with pytest.raises(PermissionError):  # execve as another uid, as the kernel's wrapper
        subprocess.run([str(clone / ".venv/bin/python"), "-c", "pass"], user=65534,
                       group=65534, extra_groups=[], cwd="/")

    done = run(["make", "demo"], clone, env)
    try_line = check_demo(done, clone)
    (line,) = sandbox_lines(done.stderr)  # one line: the mode, why, and what adds more
    assert "sandbox 'uid' (bwrap is not installed)" in line, line
    assert "bubblewrap" in line and "/var/tmp/backprop-lab-runtime-" in line, line
    copy = Path(re.search(r"\((/var/tmp/backprop-lab-runtime-\w+)\)", line).group(1))
    rows = gradebook(clone)
    assert {r["status"] for r in rows.values()} <= {"graded", "invalid"}, rows
    feedback = (clone / "demo-output/graded/feedback/a1_forward-full-marks.json")
    assert '"sandbox": "uid"' in feedback.read_text()
    assert not list(copy.glob("venv/lib/*/site-packages/backprop_lab*")), "engine copied"
    # The hint, exactly as printed, from the same folder: it works.
    assert try_line.startswith(".venv/bin/backprop-lab check samples/"), try_line
    again = run(["sh", "-c", try_line], clone, env)
    assert again.returncode == 0 and "Traceback" not in again.both, again.both[-3000:]
    assert "# Feedback: a2_backprop-classic-mistakes.ipynb" in again.stdout
    assert sandbox_lines(again.stderr) == [line], again.stderr  # the copy is reused


@pytest.mark.task("fresh machine")
def test_make_demo_as_a_user_without_bubblewrap_grades_without_a_sandbox_and_says_so(
        machine, dist, request):
    user = the_user()
    outside = Path(tempfile.mkdtemp(prefix="bplab-fresh-user-"))  # pytest's are 0700
    outside.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(outside, ignore_errors=True))
    home = outside / "home"
    home.mkdir(mode=0o700)
    clone = fresh_clone(home / "backprop-lab")
    # The user's own Python: the system's (one every user can run), in the user's clone.
    make_venv(clone, shutil.which("python3", path="/usr/bin:/bin") or machine["interpreter"])
    reuse_build(clone, dist)
    for folder, _, files in os.walk(home):  # the user's files (.venv's are uv's links)
        if ".venv" in Path(folder).relative_to(home).parts:
            continue
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)
    env = base_env(machine["no-tools"], home)
    done = run(["make", "demo"], clone, env, user)
    try_line = check_demo(done, clone)
    (line,) = sandbox_lines(done.stderr)
    assert line.startswith("backprop-lab: no sandbox (bwrap is not installed; not root)"), line
    assert "`sudo apt-get install bubblewrap`" in line, line
    assert "system-packages" not in done.both, done.both[-2000:]  # the demo's one line says it
    again = run(["sh", "-c", try_line], clone, env, user)
    assert again.returncode == 0 and "Traceback" not in again.both, again.both[-3000:]

    # The same user once bubblewrap is there: the full sandbox, and not a word about it.
    if not bubblewrap_works():
        pytest.skip("bwrap cannot make namespaces on this machine")
    with_bwrap = run(["sh", "-c", try_line], clone, {**env, "PATH": "/usr/bin:/bin"}, user)
    assert with_bwrap.returncode == 0, with_bwrap.both[-3000:]
    assert sandbox_lines(with_bwrap.stderr) == [], with_bwrap.stderr


FAKE_APT = """#!/bin/sh
echo "$@" >> {log}
case "$1" in
  update) exit 0 ;;
  install) {fail}for p in "$@"; do
      [ "$p" = bubblewrap ] && ln -sf /usr/bin/bwrap {bin}/bwrap
    done; exit 0 ;;
esac
"""


@pytest.mark.task("fresh machine")
@pytest.mark.parametrize("apt_works", [True, False])
def test_system_packages_installs_what_the_demo_needs_and_never_fails(machine, tmp_path,
                                                                      apt_works):
    bin_dir = tmp_path / "bin"
    path = fake_path(bin_dir, (*NEW_MACHINE_LACKS, "apt-get"))
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(FAKE_APT.format(log=log, bin=bin_dir,
                                                     fail="" if apt_works else "exit 100; "))
    (bin_dir / "apt-get").chmod(0o755)
    env = base_env(path, tmp_path)
    demo = run([str(ROOT / ".ci/system-packages"), "demo"], ROOT, env)
    assert demo.returncode == 0, demo.both
    installs = [line for line in log.read_text().splitlines() if line.startswith("install")]
    assert installs and "bubblewrap" in installs[0] and "chromium" not in installs[0], installs
    assert shutil.which("bwrap", path=path) if apt_works else "could not install" in demo.stdout
    assert len(demo.stdout.splitlines()) == (1 if apt_works else 2), demo.stdout
    tests = run([str(ROOT / ".ci/system-packages"), "test"], ROOT, env)
    assert tests.returncode == 0 and "chromium" in log.read_text().splitlines()[-1], tests.both


@pytest.mark.task("fresh machine")
def test_a_forced_mode_says_it_was_forced(machine):
    show = ("from backprop_lab.running.sandbox import prepare; "
            "print(prepare()[1])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPLAB_")}
    forced = subprocess.run([sys.executable, "-c", show], env={**env, "BPLAB_SANDBOX": "uid"},
                            capture_output=True, text=True, check=True).stdout
    assert "sandbox 'uid' (forced by BPLAB_SANDBOX)" in forced and "unset" in forced, forced
    if bubblewrap_works():  # control: left to choose, it takes bubblewrap and says nothing
        chosen = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                                text=True, check=True).stdout
        assert chosen.strip() == "None", chosen
    hidden = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True,
                            env={**env, "PATH": machine["no-tools"]}, check=True).stdout
    assert "sandbox 'uid' (bwrap is not installed)" in hidden, hidden
    assert "`apt-get install bubblewrap` adds the full sandbox" in hidden, hidden


def cli(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "backprop_lab", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    done.both = done.stdout + done.stderr
    return done


def one_line_exit_1(done: subprocess.CompletedProcess, says: str) -> None:
    assert done.returncode == 1, done.both[-3000:]
    assert "Traceback" not in done.both, done.both[-3000:]
    (line,) = [line for line in done.stderr.splitlines() if line.strip()]
    assert says in line, line


@pytest.mark.task("fresh machine")
def test_machine_problems_are_one_line_with_exit_status_1(machine, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPLAB_")}
    # No Otter: an `otter` that cannot be imported stands first on the path.
    blocker = tmp_path / "no-otter" / "otter"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'otter'\")\n")
    no_otter = {**env, "PYTHONPATH": str(blocker.parent)}
    control = subprocess.run([sys.executable, "-c", "import otter"], env=no_otter,
                             capture_output=True, text=True)
    assert control.returncode != 0  # the emulation holds
    one_line_exit_1(cli(["build", "--out", str(tmp_path / "d")], no_otter, ROOT),
                    "Otter-Grader is not installed")
    # A sandbox forced that the machine lacks.
    one_line_exit_1(cli(["grade", str(ROOT / "samples"), "--out", str(tmp_path / "g")],
                        {**env, "BPLAB_SANDBOX": "bubblewrap", "PATH": machine["no-tools"]},
                        ROOT), "BPLAB_SANDBOX=bubblewrap, but bwrap is not installed")
    one_line_exit_1(cli(["grade", str(ROOT / "samples"), "--out", str(tmp_path / "g")],
                        {**env, "BPLAB_SANDBOX": "walls"}, ROOT),
                    "BPLAB_SANDBOX='walls' is not a mode")


@pytest.mark.task("fresh machine")
def test_no_disk_space_for_the_copy_of_python_is_one_line(machine, dist, tmp_path):
    """Mode uid, a Python other users cannot run, and a full disk where its copy goes."""
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    venv = closed / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--no-python-downloads", "--python",
                    machine["interpreter"], str(venv)], check=True)
    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(venv / "bin/python"),
                    "--no-deps", "-e", str(ROOT)], check=True)
    full = tmp_path / "full"
    full.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPLAB_")}
    env.update(PATH=machine["no-tools"], BPLAB_RUNTIME_DIR=str(full),
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p.endswith("site-packages")))
    script = (f"mount -t tmpfs -o size=256k tmpfs {full} && exec {venv}/bin/python -m "
              f"backprop_lab check {ROOT}/samples/a1_forward-full-marks.ipynb "
              f"--autograders {dist}")
    done = subprocess.run(["unshare", "--mount", "sh", "-c", script], env=env,
                          capture_output=True, text=True, timeout=600)
    if "unshare failed" in done.stderr or "mount:" in done.stderr:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()[:200]}")
    done.both = done.stdout + done.stderr
    one_line_exit_1(done, "no space left on the device")
