import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """Every master built once with Otter Assign, its tests run on the solutions
    (or, when ``BPLAB_TEST_DIST`` names a folder, the autograders already built there:
    how the attack corpus is re-run as another user without building again)."""
    from backprop_lab.building.assign import build

    if os.environ.get("BPLAB_TEST_DIST"):
        return Path(os.environ["BPLAB_TEST_DIST"])
    out = tmp_path_factory.mktemp("dist")
    build(out, ROOT / "assignments", run_tests=True)
    return out


@pytest.fixture(scope="session")
def attack_server():
    """The port of the answer the network attack reaches for (tests/test_attacks.py)."""
    from test_attacks import answer_server

    with answer_server() as port:
        yield port


@pytest.fixture(scope="session")
def attack_corpus(dist, attack_server, tmp_path_factory):
    from test_attacks import write_corpus

    return write_corpus(dist, attack_server, tmp_path_factory.mktemp("attacks"))


@pytest.fixture(scope="session")
def attack_results(attack_corpus, dist, tmp_path_factory):
    """The attack corpus graded once for the run, with 4 workers: test_attacks judges it,
    test_gradescope compares Gradescope's scores with it."""
    from test_attacks import graded

    return graded(attack_corpus, dist, tmp_path_factory.mktemp("attacks-out"), workers=4)


@pytest.fixture(scope="session")
def samples_graded_once(dist, tmp_path_factory):
    """samples/ graded once for the run, as `make demo` grades it (default limits): the
    output folder and the summary. test_class_report opens its report.html,
    test_gradescope compares Gradescope's scores with its records."""
    from backprop_lab.grade import grade

    out = tmp_path_factory.mktemp("samples-graded")
    summary = grade([ROOT / "samples"], out, autograder_dir=dist, workers=2, progress=False)
    return out, summary


@pytest.fixture(scope="session")
def autograders(dist):
    from backprop_lab.building.autograder import find_autograders

    return find_autograders(dist)


@pytest.fixture(scope="session")
def public_cases_file(tmp_path_factory):
    """The public cases file `build` ships beside the notebooks, written once per run."""
    from backprop_lab.building.public_cases import write_public_cases

    return write_public_cases(tmp_path_factory.mktemp("public") / "public_cases.npz")


@pytest.fixture
def checks(public_cases_file, monkeypatch):
    """``grader.check`` as a student runs it, on the shipped public cases: the failure's
    text, or None when every public check passes."""
    from backprop_lab.course import public
    from backprop_lab.course.wire import unpack

    cases = unpack(public_cases_file.read_bytes())
    monkeypatch.setattr(public, "load_cases", lambda: cases)

    def check(stub, env):
        try:
            public.check(stub, env)
        except AssertionError as error:
            return str(error)
        return None

    return check
