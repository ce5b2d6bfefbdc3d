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
    """Every master built once with Otter Assign, its tests run on the solutions."""
    from backprop_lab.assign import build

    out = tmp_path_factory.mktemp("dist")
    build(out, ROOT / "assignments", run_tests=True)
    return out


@pytest.fixture(scope="session")
def autograders(dist):
    from backprop_lab.grading.autograder import find_autograders

    return find_autograders(dist)
