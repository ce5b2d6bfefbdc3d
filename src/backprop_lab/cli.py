"""The ``backprop-lab`` command line: build, grade, check, demo (SPEC section 4)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    import numpy as np

    from .course.data import circles
    from .engine import backprop_batch, gradient_check, init_network

    rng = np.random.default_rng(0)
    X, Y = circles(40, rng)
    weights, biases = init_network([2, 4, 4, 1], rng)
    error = gradient_check(X, Y, weights, biases, backprop_batch)
    print("backprop-lab demo")
    print("  reference engine: backprop_batch, [2, 4, 4, 1] network, 40 points of make_circles")
    print(f"  gradient check against centered differences: relative error {error:.2e}")
    return 0 if error < 1e-7 else 1


def _build(args: argparse.Namespace) -> int:
    from .assign import BuildError, build

    try:
        built = build(args.out, args.source, run_tests=not args.no_run_tests)
    except (BuildError, FileNotFoundError) as error:
        print(f"backprop-lab build: {error}", file=sys.stderr)
        return 1
    for b in built:
        print(f"{b.name}: student notebook {b.student}, autograder {b.autograder_zip}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backprop-lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="Otter Assign on every master notebook")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder (dist/)")
    build.add_argument("--source", type=Path, default=None, help="folder of master notebooks")
    build.add_argument("--no-run-tests", action="store_true",
                       help="skip running the tests on the solutions (faster, less safe)")
    build.set_defaults(run=_build)
    demo = commands.add_parser("demo", help="what a newcomer runs first")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
