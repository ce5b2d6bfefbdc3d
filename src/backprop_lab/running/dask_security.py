"""Grading on Dask behind mutual TLS: the instructor's certificates and the client's side.

Every party of the cluster (scheduler, workers, the instructor's ``grade``) holds a
certificate signed by one CA that :func:`make_certificates` makes, and Dask's TLS
(:class:`distributed.security.Security`, ``require_encryption=True``) checks both ends of
every connection against that CA. Whoever lacks a certificate, a submission's kernel
included, cannot talk to the scheduler or a worker, so it cannot run code there.

The client (:func:`connect`) also unpickles nothing a worker sends: results are
deserialized with msgpack only (``grade_remote`` returns JSON text) and a task's error
reaches it as a fixed sentence, not as the pickled exception Dask would rebuild.
"""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client
    from distributed.security import Security

ROLES = ("scheduler", "worker", "client")
#: ``grade``'s certificate folder when ``--dask-security`` is not given.
SECURITY_ENV = "BPLAB_DASK_SECURITY"
#: Set to 1 to allow a plain ``tcp://`` scheduler (a trusted laptop's own LocalCluster).
INSECURE_ENV = "BPLAB_DASK_INSECURE"
HOW = ("make certificates with `backprop-lab dask-certs DIR`, start the scheduler and "
       "workers with them (README, \"On several machines\"), then grade with "
       "--scheduler tls://HOST:8786 --dask-security DIR")
TASK_FAILED = "the task failed on a Dask worker (its exception is not unpickled here)"


class DaskSetupError(Exception):
    """The cluster cannot be used safely as given: the message says why and what to do."""


def files(folder: Path, role: str) -> tuple[Path, Path, Path]:
    """(CA certificate, certificate, key) of ``role`` in a folder ``dask-certs`` wrote."""
    folder = Path(folder)
    return folder / "ca.pem", folder / f"{role}.pem", folder / f"{role}-key.pem"


def make_certificates(folder: Path, days: int = 400) -> list[Path]:
    """A CA, and a certificate and key per role signed by it, in ``folder`` (made 0700).

    Every file is written with mode 0600 and none is overwritten; ``ca-key.pem`` signs
    the others and need not leave this machine. Returns the files written."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    wanted = [folder / "ca.pem", folder / "ca-key.pem",
              *(f for role in ROLES for f in files(folder, role)[1:])]
    present = [p.name for p in wanted if p.exists()]
    if present:
        raise FileExistsError(f"{folder} already holds {', '.join(present)}: "
                              "choose an empty folder (nothing was overwritten)")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    now = datetime.datetime.now(datetime.UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def certificate(subject: str, key, issuer: str, signer, ca: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(name(subject))
                   .issuer_name(name(issuer)).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        return builder.sign(signer, hashes.SHA256())

    def write(path: Path, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        path.chmod(0o600)

    def key_bytes(key) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    pem = serialization.Encoding.PEM
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = "backprop-lab grading CA"
    write(folder / "ca-key.pem", key_bytes(ca_key))
    write(folder / "ca.pem", certificate(ca_name, ca_key, ca_name, ca_key, True).public_bytes(pem))
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        _, cert, key_file = files(folder, role)
        write(key_file, key_bytes(key))
        write(cert, certificate(f"backprop-lab {role}", key, ca_name, ca_key,
                                False).public_bytes(pem))
    return wanted


def security(folder: Path, *roles: str) -> Security:
    """Dask's TLS settings from ``folder`` for the given roles (a LocalCluster needs all
    three: it is a client of its own scheduler), encryption required. Raises
    DaskSetupError when a file is missing or a key is readable by other users."""
    from distributed.security import Security

    settings: dict[str, str] = {}
    for role in roles:
        ca, cert, key = files(folder, role)
        for path in (ca, cert, key):
            if not path.is_file():
                raise DaskSetupError(f"no {path.name} in {folder}: {HOW}")
        if stat.S_IMODE(key.stat().st_mode) & 0o077:
            raise DaskSetupError(f"{key} can be read by other users: chmod 600 {key}")
        settings.update({"tls_ca_file": str(ca), f"tls_{role}_cert": str(cert),
                         f"tls_{role}_key": str(key)})
    return Security(require_encryption=True, **settings)


def client_security(address: str, folder: Path | str | None = None,
                    insecure: bool | None = None) -> Security | None:
    """The client's TLS settings for ``address``, or None for an allowed plain scheduler.

    ``folder`` defaults to ``$BPLAB_DASK_SECURITY``, ``insecure`` to
    ``$BPLAB_DASK_INSECURE=1``. A ``tcp://`` (or schemeless) address is refused unless
    ``insecure``: anyone who reaches it can run code on every worker and on this client."""
    folder = folder or os.environ.get(SECURITY_ENV) or None
    if insecure is None:
        insecure = os.environ.get(INSECURE_ENV, "").strip() == "1"
    if not address.startswith("tls://"):
        if insecure:
            return None
        raise DaskSetupError(f"refusing the unencrypted scheduler {address}: anyone who "
                             f"reaches it can run code on its workers and here; {HOW}")
    if not folder:
        raise DaskSetupError(f"{address} needs the client certificate: --dask-security DIR "
                             f"(or {SECURITY_ENV}=DIR); {HOW}")
    return security(Path(folder), "client")


def connect(address: str, folder: Path | str | None = None,
            insecure: bool | None = None, **kwargs) -> Client:
    """A Client of ``address`` over mutual TLS that unpickles nothing from workers:
    results are read with msgpack only, and a task's error arrives as TASK_FAILED.
    Raises DaskSetupError when the settings are refused or the scheduler cannot be
    reached."""
    from distributed import Client

    settings = client_security(address, folder, insecure)
    try:
        client = Client(address, security=settings, serializers=["dask", "pickle"],
                        deserializers=["msgpack"], **kwargs)
    except OSError as error:  # timeouts and TLS refusals included
        raise DaskSetupError(f"could not connect to the Dask scheduler at {address} "
                             f"({type(error).__name__}: {error}); is it running, and were "
                             "its certificates made with these?") from None
    handlers = getattr(client, "_stream_handlers", {})
    erred = handlers.get("task-erred")
    if erred is not None:  # Dask would unpickle the exception the worker sent

        def task_erred(key=None, exception=None, traceback=None, **_):
            erred(key=key, exception=TASK_FAILED, traceback=None)

        handlers["task-erred"] = task_erred
    return client


def commands(folder: Path) -> str:
    """The commands that start a cluster with the certificates of ``folder``."""
    tls = "--tls-ca-file {d}/ca.pem --tls-cert {d}/{r}.pem --tls-key {d}/{r}-key.pem"
    d = Path(folder)
    return "\n".join([
        "export DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION=True   # on every machine",
        f"dask scheduler --protocol tls {tls.format(d=d, r='scheduler')} "
        "--dashboard-address 127.0.0.1:8787",
        f"dask worker tls://HOST:8786 --nworkers 2 --nthreads 1 "
        f"--no-dashboard --dashboard-address 127.0.0.1:0 {tls.format(d=d, r='worker')}",
        f"backprop-lab grade SUBMISSIONS --scheduler tls://HOST:8786 --dask-security {d}",
    ])
