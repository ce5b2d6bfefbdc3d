"""The command line's Dask parts: ``grade``'s TLS options and ``dask-certs``.

``cli.py`` adds them with one call each, so that the rules for a secure cluster live with
:mod:`.dask_security`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path


def add_grade_options(grade: argparse.ArgumentParser) -> None:
    grade.add_argument("--dask-security", type=Path, metavar="DIR",
                       help="with --scheduler tls://...: the folder `dask-certs` wrote "
                            "(or $BPLAB_DASK_SECURITY)")
    grade.add_argument("--insecure-scheduler", action="store_true",
                       help="accept a plain tcp:// scheduler (only a cluster on this "
                            "machine that nothing else can reach)")


def prepare_grade(args: argparse.Namespace) -> str | None:
    """Why ``grade --scheduler`` cannot use the cluster safely, or None; when it can, the
    client's settings are put where ``run_dask`` reads them (the environment)."""
    from .dask_security import INSECURE_ENV, SECURITY_ENV, DaskSetupError, client_security

    try:  # the options, else $BPLAB_DASK_SECURITY and $BPLAB_DASK_INSECURE
        client_security(args.scheduler, args.dask_security, args.insecure_scheduler or None)
    except DaskSetupError as error:
        return str(error)
    if args.dask_security:
        os.environ[SECURITY_ENV] = str(args.dask_security)
    if args.insecure_scheduler:
        os.environ[INSECURE_ENV] = "1"
    return None


def add_certs_command(commands, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``backprop-lab dask-certs DIR``; ``command`` is cli.py's way of adding one."""
    certs = command(commands, "dask-certs", "TLS certificates for grading on Dask",
                    "Make a CA and a certificate and key for the Dask scheduler, the "
                    "workers and\nthe client (`grade --dask-security DIR`) and print the "
                    "commands that start a\ncluster with them. Writes DIR/ca.pem, ca-key.pem "
                    "(stays with you), and\nscheduler.pem, worker.pem, client.pem with their "
                    "-key.pem, each file 0600.",
                    "the certificates were written", "DIR already holds some of them")
    certs.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    certs.set_defaults(run=_dask_certs)


def _dask_certs(args: argparse.Namespace) -> int:
    from .dask_security import commands, make_certificates

    try:
        written = make_certificates(args.dir)
    except OSError as error:  # FileExistsError included: nothing was overwritten
        print(f"backprop-lab dask-certs: {error}", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(p.name for p in written)} to {args.dir} (mode 0600); "
          "ca-key.pem stays here. Then:")
    print(commands(args.dir))
    return 0
