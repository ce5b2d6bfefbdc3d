"""A hidden test that `grade` would not score fails the build (issue 18): never dropped."""

import json

import pytest
from conftest import ROOT

from backprop_lab.building.assign import BuildError, build
from backprop_lab.building.autograder import AutograderError, _hidden_calls

pytestmark = pytest.mark.task("no silent tests")

OTTER_WAY = ('""" # BEGIN TEST CONFIG\nhidden: true\npoints: 1\n""" # END TEST CONFIG\n'
             "def test_values(env):\n    import numpy as np\n"
             "    assert np.allclose(env['sigmoid'](0.0), 0.5)\n")


def test_an_otter_style_hidden_test_is_refused_with_how_to_declare_it():
    source = ("from otter.test_files import test_case\n"
              "@test_case(points=1, hidden=True)\n"
              "def test_values(env):\n    assert env['sigmoid'](0) == 0.5\n")
    with pytest.raises(AutograderError, match=r"test_values would not be scored.*hidden\("):
        _hidden_calls(source, "sigmoid")
    public = source.replace("hidden=True", "hidden=False")
    assert _hidden_calls(public, "sigmoid") == []  # a public test is the student's own
    scored = source.replace("assert env['sigmoid'](0) == 0.5",
                            "hidden('sigmoid', 'reference', env)")
    assert [p.part for p in _hidden_calls(scored, "sigmoid")] == ["reference"]


@pytest.mark.slow
def test_a_master_with_an_unscored_hidden_test_fails_to_build(tmp_path):
    master = json.loads((ROOT / "assignments" / "a1_forward.ipynb").read_text())
    cells = master["cells"]
    at = next(i for i, c in enumerate(cells)
              if 'hidden("sigmoid", "inputs_unchanged", env)' in "".join(c["source"]))
    cells.insert(at + 1, {"cell_type": "code", "metadata": {}, "outputs": [],
                          "execution_count": None, "source": OTTER_WAY})
    source = tmp_path / "assignments"
    source.mkdir()
    (source / "a1_forward.ipynb").write_text(json.dumps(master))
    (tmp_path / "autograder").symlink_to(ROOT / "autograder")
    with pytest.raises(BuildError, match="would not be scored by `backprop-lab grade`"):
        build(tmp_path / "dist", source, run_tests=False)
