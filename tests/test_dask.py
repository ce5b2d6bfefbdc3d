"""Grading on a Dask cluster: mutual TLS, workers that refuse what they must, plain records.

Every cluster here is a real ``distributed.LocalCluster`` of worker processes (one thread
each unless a test says otherwise, no dashboard) whose certificates `dask-certs` made.
Each defence is paired with its control: the same step with the defence off succeeds.
"""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

from backprop_lab.grade import Job, grade, grade_remote, run_dask  # noqa: E402
from backprop_lab.running.dask_security import (  # noqa: E402
    TASK_FAILED,
    DaskSetupError,
    connect,
    make_certificates,
    security,
)
from backprop_lab.running.dask_worker import from_wire, shared_seal  # noqa: E402
from backprop_lab.running.kernel import Limits  # noqa: E402
from backprop_lab.running.sandbox import is_root, sealed  # noqa: E402

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
FAST = Limits(cell_seconds=20, total_seconds=120)
SAMPLES = ["a1_forward-full-marks.ipynb", "a2_backprop-classic-mistakes.ipynb"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs") / "certs")[0].parent


def tls_cluster(certs, **kwargs) -> LocalCluster:
    # No dashboard (bokeh is not installed); Dask's plain HTTP server on loopback, any port.
    options = dict(n_workers=1, threads_per_worker=1, processes=True,
                   dashboard_address="127.0.0.1:0",
                   security=security(certs, "scheduler", "worker", "client"))
    return LocalCluster(**{**options, **kwargs})


@pytest.fixture(scope="module")
def cluster(certs):
    with tls_cluster(certs, n_workers=2) as c:
        yield c


@pytest.fixture
def forced_mode(monkeypatch):
    """Force a sandbox mode on the worker processes a test starts (they inherit the
    environment); this process's cached choice is forgotten before and after."""
    from backprop_lab.running.modes import forget_mode

    def force(mode: str) -> None:
        monkeypatch.setenv("BPLAB_SANDBOX", mode)
        forget_mode()

    yield force
    monkeypatch.undo()
    forget_mode()


@pytest.fixture
def client_certs(certs, monkeypatch):
    """`grade` finds the client certificate where `--dask-security` puts it."""
    monkeypatch.setenv("BPLAB_DASK_SECURITY", str(certs))
    monkeypatch.delenv("BPLAB_DASK_INSECURE", raising=False)


def test_dask_certs_writes_a_ca_and_a_certificate_per_role_readable_by_no_one_else(tmp_path):
    folder = tmp_path / "certs"
    written = make_certificates(folder)
    names = sorted(p.name for p in written)
    assert names == sorted(["ca.pem", "ca-key.pem", *(f"{r}{s}" for r in
                                                      ("scheduler", "worker", "client")
                                                      for s in (".pem", "-key.pem"))])
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o600"}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    with pytest.raises(FileExistsError, match="nothing was overwritten"):
        make_certificates(folder)
    (folder / "client-key.pem").chmod(0o644)  # a key others can read is refused
    with pytest.raises(DaskSetupError, match="chmod 600"):
        security(folder, "client")
    done = subprocess.run([sys.executable, "-m", "backprop_lab", "dask-certs",
                           str(tmp_path / "cli")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "--tls-ca-file" in done.stdout and "--nthreads 1" in done.stdout
    # What it prints and what the README prints start the same, safe cluster.
    readme = (ROOT / "README.md").read_text()
    for flag in ("--protocol tls", "--tls-ca-file", "--nthreads 1", "--no-dashboard",
                 "--dashboard-address 127.0.0.1:8787", "--dashboard-address 127.0.0.1:0",
                 "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION=True", "--dask-security"):
        assert flag in done.stdout and flag in readme, flag
    assert "tcp://" not in done.stdout


def test_grading_over_tls_gives_the_local_scores(cluster, client_certs, dist, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in SAMPLES:
        shutil.copy(ROOT / "samples" / name, subs / name)
    assert cluster.scheduler_address.startswith("tls://")
    remote = grade([subs], tmp_path / "remote", autograder_dir=dist, limits=FAST,
                   scheduler=cluster.scheduler_address, progress=False)
    local = grade([subs], tmp_path / "local", autograder_dir=dist, limits=FAST, workers=2,
                  progress=False)

    def scores(summary):
        return {r["submission"]: (r["status"], r["score"],
                                  [(q["name"], q["score"], q["diagnoses"])
                                   for q in r["questions"]]) for r in summary.records}

    assert scores(remote) == scores(local)
    assert {r["status"] for r in remote.records} == {"graded"}
    assert {r["score"] for r in remote.records} == {13, 11}  # full marks, classic mistakes


def handshake(address: str, cert: tuple[Path, Path] | None) -> str:
    """A TLS handshake with the scheduler that trusts any server: what it answers."""
    host, port = address.removeprefix("tls://").rsplit(":", 1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    if cert:
        context.load_cert_chain(*map(str, cert))
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        try:
            with context.wrap_socket(raw) as tls:
                tls.sendall(b"\0" * 8)
                tls.recv(1)
        except (ssl.SSLError, OSError) as error:
            return f"refused ({type(error).__name__})"
    return "accepted"


def test_only_a_client_with_the_instructors_certificate_connects(cluster, certs, tmp_path):
    address = cluster.scheduler_address
    # The control: the instructor's client certificate is accepted, and grade's client works.
    assert handshake(address, (certs / "client.pem", certs / "client-key.pem")) == "accepted"
    with connect(address, certs) as client:
        assert len(client.scheduler_info()["workers"]) == 2
    # A kernel has no certificate, or one it made itself: the scheduler refuses both.
    assert handshake(address, None).startswith("refused")
    other = make_certificates(tmp_path / "other")[0].parent
    assert handshake(address, (other / "client.pem", other / "client-key.pem")).startswith(
        "refused")
    for attempt in ({}, {"security": security(other, "client")}):
        with pytest.raises((OSError, TypeError, distributed.comm.core.CommClosedError)):
            Client(address, timeout=5, **attempt)


def test_grade_refuses_a_plain_tcp_scheduler_in_one_line(dist, certs, tmp_path, monkeypatch):
    monkeypatch.delenv("BPLAB_DASK_INSECURE", raising=False)
    (tmp_path / "subs").mkdir()
    shutil.copy(ROOT / "samples" / SAMPLES[0], tmp_path / "subs")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address="127.0.0.1:0") as plain:
        address = plain.scheduler_address
        assert address.startswith("tcp://")
        with pytest.raises(DaskSetupError, match="dask-certs"):
            grade([tmp_path / "subs"], tmp_path / "out", autograder_dir=dist, limits=FAST,
                  scheduler=address, progress=False)
        done = subprocess.run([sys.executable, "-m", "backprop_lab", "grade",
                               str(tmp_path / "subs"), "--scheduler", address,
                               "--autograders", str(dist), "--out", str(tmp_path / "cli")],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "refusing the unencrypted scheduler" in lines[0]
        assert not (tmp_path / "cli").exists()
        done = subprocess.run([sys.executable, "-m", "backprop_lab", "grade",
                               str(tmp_path / "subs"), "--scheduler", "tls://127.0.0.1:1",
                               "--autograders", str(dist), "--out", str(tmp_path / "cli")],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert done.returncode == 1 and "--dask-security DIR" in done.stderr
        done = subprocess.run([sys.executable, "-m", "backprop_lab", "grade",
                               str(tmp_path / "subs"), "--scheduler", "tls://127.0.0.1:1",
                               "--dask-security", str(certs), "--autograders", str(dist),
                               "--out", str(tmp_path / "cli")], capture_output=True,
                              text=True, cwd=tmp_path, timeout=300,
                              env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT":
                                   "2s"})
        assert done.returncode == 1, done.stderr
        assert "backprop-lab grade: could not connect" in done.stderr, done.stderr
        # The control: the explicit opt-out reaches the very same scheduler, whose worker
        # refuses to grade on a plain cluster in turn until it is told so as well.
        with connect(address, insecure=True) as client:
            assert len(client.scheduler_info()["workers"]) == 1
            record = invalid_notebook(client)
            assert record["status"] == "error" and "unencrypted cluster" in record["reason"]

            def allow():
                os.environ["BPLAB_DASK_INSECURE"] = "1"

            client.run(allow)
            assert invalid_notebook(client)["status"] == "invalid"


def invalid_notebook(client: Client) -> dict:
    """grade_remote on a file that is not a notebook: status invalid once it may grade."""
    future = client.submit(grade_remote, "x.ipynb", b"not a notebook", {}, FAST, None,
                           pure=False)
    return json.loads(future.result(timeout=120))


def test_a_worker_with_two_threads_refuses_to_grade(certs):
    with tls_cluster(certs, threads_per_worker=2) as two, connect(two.scheduler_address,
                                                                  certs) as client:
        record = invalid_notebook(client)
    assert record["status"] == "error" and "--nthreads 1" in record["reason"]
    with tls_cluster(certs) as one, connect(one.scheduler_address, certs) as client:
        assert invalid_notebook(client)["status"] == "invalid"  # the control: it grades


def test_a_worker_whose_kernels_keep_the_network_refuses_unless_told(certs, forced_mode,
                                                                      monkeypatch):
    forced_mode("none")
    monkeypatch.delenv("BPLAB_DASK_ALLOW_NETWORK", raising=False)
    with tls_cluster(certs) as none, connect(none.scheduler_address, certs) as client:
        record = invalid_notebook(client)
        assert record["status"] == "error"
        assert "sandbox is 'none'" in record["reason"]
        assert "BPLAB_DASK_ALLOW_NETWORK=1" in record["reason"]

        def allow():
            os.environ["BPLAB_DASK_ALLOW_NETWORK"] = "1"

        client.run(allow)
        record = invalid_notebook(client)
        assert record["status"] == "invalid", record["reason"]  # told: it grades


def test_a_worker_whose_tls_key_others_can_read_refuses(certs, tmp_path):
    from distributed.security import Security

    mine = tmp_path / "certs"
    shutil.copytree(certs, mine)
    (mine / "worker-key.pem").chmod(0o640)
    loose = Security(require_encryption=True, tls_ca_file=str(mine / "ca.pem"),
                     **{f"tls_{role}_{kind}": str(mine / f"{role}{end}")
                        for role in ("scheduler", "worker", "client")
                        for kind, end in (("cert", ".pem"), ("key", "-key.pem"))})
    with tls_cluster(certs, security=loose) as c, connect(c.scheduler_address, mine) as client:
        record = invalid_notebook(client)
        assert record["status"] == "error" and "chmod 600" in record["reason"]
        (mine / "worker-key.pem").chmod(0o600)
        assert invalid_notebook(client)["status"] == "invalid"  # the control


REACH = """import socket
try:
    socket.create_connection(({host!r}, {port}), timeout=5).close()
    REACHED = True
except OSError:
    REACHED = False
"""
SIGMOID = """def sigmoid(z):
    import numpy as np
    return 1 / (1 + np.exp(-z)) if REACHED else 0 * z
"""


@pytest.mark.parametrize("mode", ["bubblewrap", "none"])
def test_a_kernel_on_a_worker_cannot_reach_the_scheduler(mode, certs, client_certs, dist,
                                                         tmp_path, forced_mode, monkeypatch):
    """The attack: a notebook whose sigmoid is right only if its kernel reached the
    scheduler's port. Under bubblewrap (what workers accept by default) it cannot; the
    control, a worker told to accept mode none, shows the notebook does reach it there."""
    import nbformat

    from backprop_lab.running.sandbox import bubblewrap_works

    if mode == "bubblewrap" and not bubblewrap_works():
        pytest.skip("bwrap cannot make namespaces here")
    forced_mode(mode)
    monkeypatch.setenv("BPLAB_DASK_ALLOW_NETWORK", "1" if mode == "none" else "")
    with tls_cluster(certs) as c:
        host, port = c.scheduler_address.removeprefix("tls://").rsplit(":", 1)
        notebook = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(REACH.format(host=host, port=int(port))),
            nbformat.v4.new_code_cell(SIGMOID)])
        subs = tmp_path / "subs"
        subs.mkdir()
        nbformat.write(notebook, subs / "reach.ipynb")
        [record] = grade([subs], tmp_path / "out", autograder_dir=dist, limits=FAST,
                         scheduler=c.scheduler_address, assignment="a1_forward",
                         progress=False).records
    assert record["status"] == "graded" and record["sandbox"] == mode, record.get("reason")
    sigmoid = next(q for q in record["questions"] if q["name"] == "sigmoid")
    assert (sigmoid["score"] > 0) == (mode == "none"), sigmoid


def test_the_workers_own_folder_is_private_and_goes_with_it(certs):
    from backprop_lab.running.dask_worker import private_root

    def info():
        root = private_root()
        return str(root), root.stat().st_mode & 0o777, root.stat().st_uid, os.geteuid()

    with tls_cluster(certs) as c, connect(c.scheduler_address, certs) as client:
        # client.run's result is unpickled here: our own test's function, not a worker's say
        [(root, mode, owner, user)] = client.run(info).values()
        assert mode == 0o700 and owner == user, root
    assert not Path(root).exists()


MARKER_CODE = ("(open({marker!r}, 'a').write(str(__import__('os').getpid()) + chr(10)), "
               "{value})[1]")


def test_a_result_that_is_not_a_plain_record_becomes_an_error_row(certs, client_certs,
                                                                    tmp_path):
    """A worker taken over (here: its grade_remote replaced) sends a pickle that runs code
    when unpickled, text that is not JSON, and a JSON that is no record: each becomes that
    submission's error row, and nothing runs in the client."""
    marker = tmp_path / "unpickled"

    def taken_over(name, notebook, zips, limits, assignment):
        class Payload:
            def __reduce__(self):
                return (eval, (MARKER_CODE.format(marker=str(marker), value="0"),))

        class RaisedError(Exception):
            def __reduce__(self):
                return (eval, (MARKER_CODE.format(marker=str(marker),
                                                  value="RuntimeError('x')"),))

        if name == "pickle.ipynb":
            return Payload()
        if name == "raises.ipynb":
            raise RaisedError("boom")
        return {"text.ipynb": "<not json>", "list.ipynb": "[1, 2]",
                "score.ipynb": json.dumps({"status": "graded", "score": "24", "max_score": 24,
                                           "flags": [], "questions": []})}[name]

    def take_over():
        import backprop_lab.grade

        backprop_lab.grade.grade_remote = taken_over

    names = ["pickle", "raises", "text", "list", "score"]
    jobs = []
    for name in names:
        (tmp_path / f"{name}.ipynb").write_text("{}")
        jobs.append(Job(tmp_path / f"{name}.ipynb", name))
    with tls_cluster(certs) as c, connect(c.scheduler_address, certs) as admin:
        admin.run(take_over)
        rows = dict(run_dask(jobs, {}, FAST, c.scheduler_address, None))
        mine = str(os.getpid())
        assert mine not in (marker.read_text().split() if marker.exists() else [])
        reasons = {names[i]: r["reason"] for i, r in rows.items()}
        assert {r["status"] for r in rows.values()} == {"error"}
        assert "msgpack" in reasons["pickle"] or "serialized" in reasons["pickle"]
        assert TASK_FAILED in reasons["raises"]
        assert "not JSON" in reasons["text"]
        assert "list, not an object" in reasons["list"]
        assert "'score'" in reasons["score"]
        # The control: Dask's default client unpickles both, running code here.
        with Client(c.scheduler_address, security=security(certs, "client")) as plain:
            plain.submit(taken_over, "pickle.ipynb", b"", {}, FAST, None).result()
            with pytest.raises(RuntimeError):
                plain.submit(taken_over, "raises.ipynb", b"", {}, FAST, None).result()
        assert marker.read_text().split().count(mine) == 2


def test_from_wire_keeps_only_plain_records(tmp_path):
    good = {"status": "graded", "score": 3, "max_score": 3, "flags": ["x"],
            "questions": [{"name": "sigmoid", "score": 3, "max_score": 3, "messages": [],
                           "diagnoses": []}]}
    assert from_wire(json.dumps(good), tmp_path / "a.ipynb") == good
    for bad in (b"\x80", json.dumps({**good, "status": "hacked"}), 3,
                json.dumps({**good, "questions": [{"name": 1}]}),
                json.dumps({**good, "score": True})):
        assert from_wire(bad, tmp_path / "a.ipynb")["status"] == "error", bad


SEAL_HOLDER = """
import sys, time
from pathlib import Path
from backprop_lab.running.dask_worker import shared_seal
from backprop_lab.running.sandbox import sealed
seal = shared_seal if sys.argv[1] == "shared" else sealed
with seal([Path(sys.argv[2])]):
    Path(sys.argv[3]).write_text("in")
    while Path(sys.argv[3]).exists():
        time.sleep(0.05)
"""


@pytest.mark.skipif(not is_root(), reason="sealing changes modes only as root")
@pytest.mark.parametrize("kind", ["shared", "per-process"])
def test_two_worker_processes_keep_the_seal_until_both_are_done(kind, tmp_path):
    """Worker A seals, worker B seals, A finishes while B grades: with shared_seal the
    folder stays closed until B is done; with sandbox.sealed alone (the control) A's exit
    reopens it under B's kernel."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    flag = tmp_path / "holding"
    seal = shared_seal if kind == "shared" else sealed
    with seal([folder]):
        holder = subprocess.Popen([sys.executable, "-c", SEAL_HOLDER, kind.split("-")[0],
                                   str(folder), str(flag)])
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert flag.exists()
    during_b = folder.stat().st_mode & 0o777
    flag.unlink()
    assert holder.wait(timeout=60) == 0
    after = folder.stat().st_mode & 0o777
    if kind == "shared":
        assert (during_b, after) == (0o700, 0o755)
    else:  # the hole shared_seal closes: open under B's kernel, then closed for good
        assert (during_b, after) == (0o755, 0o700)
