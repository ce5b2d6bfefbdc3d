"""Natural mistakes at the edges of the contract (issue 19): each costs points, in its own
question, with a name and a hint that gives the right fix. Each mistake is paired with the
correct version of the same code, which keeps every point."""

import textwrap
from dataclasses import replace

import numpy as np
import pytest
from notebook_env import notebook_env
from test_student_code import verdicts as verdicts_of

from backprop_lab.course.calls import call
from backprop_lab.course.compare import judge_call
from backprop_lab.questions.a2_backprop import FROM_BLOCKS
from backprop_lab.questions.registry import question, questions

pytestmark = pytest.mark.task("the contract, not only the values")


def verdicts(source: str, stub: str) -> dict:
    return verdicts_of(notebook_env(textwrap.dedent(source)), stub)


def lost(found: dict) -> dict:
    return {part: v.diagnoses for part, v in found.items() if not v.passed}


@pytest.mark.parametrize("stub,wrong,right,part,code", [
    ("sigmoid", "def sigmoid(z):\n    return (1 / (1 + np.exp(-z))).astype(np.float32)\n",
     "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n", "reference", "wrong_dtype"),
    ("numerical_gradient", """\
        def numerical_gradient(f, theta, eps=1e-5):
            g = np.zeros(theta.size)
            for i in range(theta.size):
                step = np.zeros(theta.size)
                step[i] = 1e-5
                g[i] = (f(theta + step) - f(theta - step)) / 2e-5
            return g
        """, """\
        def numerical_gradient(f, theta, eps=1e-5):
            g = np.zeros(theta.size)
            for i in range(theta.size):
                step = np.zeros(theta.size)
                step[i] = eps
                g[i] = (f(theta + step) - f(theta - step)) / (2 * eps)
            return g
        """, "reference", "ignores_argument"),
    ("relative_error", """\
        def relative_error(a, b):
            if not np.any(a) or not np.any(b):
                return 0.0
            return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
        """, """\
        def relative_error(a, b):
            if not np.any(a) and not np.any(b):
                return 0.0
            return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
        """, "reference", "zero_vector"),
    ("relative_error", """\
        def relative_error(a, b):
            return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-8)
        """, """\
        def relative_error(a, b):
            den = np.linalg.norm(a) + np.linalg.norm(b)
            return 0.0 if den == 0 else np.linalg.norm(a - b) / den
        """, "reference", "denominator_epsilon"),
    ("bp3_bias_gradient", """\
        def bp3_bias_gradient(delta):
            return delta if delta.shape[1] == 1 else delta.sum(axis=1, keepdims=True)
        """, "def bp3_bias_gradient(delta):\n    return delta.sum(axis=1, keepdims=True)\n",
     "inputs_unchanged", "returns_alias"),
    ("set_params", """\
        def set_params(theta, weights, biases):
            out, i = [], 0
            for p in [*weights, *biases]:
                out.append(theta[i:i + p.size].reshape(p.shape))
                i += p.size
            return out[:len(weights)], out[len(weights):]
        """, """\
        def set_params(theta, weights, biases):
            out, i = [], 0
            for p in [*weights, *biases]:
                out.append(theta[i:i + p.size].reshape(p.shape).copy())
                i += p.size
            return out[:len(weights)], out[len(weights):]
        """, "inputs_unchanged", "returns_alias"),
])
def test_a_mistake_at_the_edge_loses_its_part_by_name(stub, wrong, right, part, code):
    assert lost(verdicts(right, stub)) == {}  # control: the same code, done right
    found = lost(verdicts(wrong, stub))
    assert code in found.get(part, []), found


def test_an_integer_input_gives_a_float_result():
    wrong = "def sigmoid(z):\n    out = np.empty_like(z)\n    out[...] = 1 / (1 + np.exp(-z))\n" \
            "    return out\n"
    found = verdicts(wrong, "sigmoid")
    assert not found["reference"].passed
    assert any("integers" in m for m in found["reference"].messages), found["reference"]
    right = "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n"
    assert lost(verdicts(right, "sigmoid")) == {}


def test_a_max_norm_relative_error_is_named_not_called_a_factor_of_two():
    wrong = "def relative_error(a, b):\n    n = max(np.linalg.norm(a), np.linalg.norm(b))\n" \
            "    return 0.0 if n == 0 else np.linalg.norm(a - b) / n\n"
    found = verdicts(wrong, "relative_error")["reference"]
    assert not found.passed and "factor_of_two" not in found.diagnoses
    assert any("max(||a||, ||b||)" in m for m in found.messages), found.messages


def test_a_flattened_row_is_told_the_row_shape():
    expected = np.arange(7.0).reshape(1, 7)
    raw = call(lambda: [np.arange(7.0)], ())
    text = " ".join(judge_call(question("backprop_row_major").contract, raw, [expected]).messages)
    assert "a row (1, 7)" in text and ".reshape(1, 7)" in text and "(n, 1)" not in text


def test_a_transposed_result_counts_once():
    expected = np.arange(6.0).reshape(2, 3)
    raw = call(lambda: expected.T.copy(), ())
    verdict = judge_call(question("bp4_weight_gradient").contract, raw, expected)
    assert verdict.diagnoses == ["transposed"]


def test_a_replaced_list_entry_is_not_called_an_in_place_update_only():
    def replaces(weights):
        weights[0] = weights[0] * 0
        return 0.0

    raw = call(replaces, ([np.ones(2)],))
    text = " ".join(judge_call(question("set_params").contract, raw, np.array(0.0)).messages)
    assert "weights[l] = ..." in text and "mutates" not in text


CANONICAL_BATCH = FROM_BLOCKS.format(name="backprop_batch", x="X", y="Y", x_rows="X",
                                     y_cols="Y.T")  # the usual student's, as input
WRONG_BP1 = "def bp1_output_error(a_L, z_L, y):\n    return 2 * (a_L - y) * sigmoid_prime(z_L)\n"


def test_a_wrong_bp1_fails_its_own_public_check_not_the_batch_backprops(checks, monkeypatch):
    from backprop_lab.building import public_cases
    from backprop_lab.course import public

    env = notebook_env(CANONICAL_BATCH, WRONG_BP1)
    assert checks("bp1_output_error", env) is not None
    assert checks("backprop_batch", env) is None
    # control: the calls of the reference alone (it computes BP1 inline) do not answer it
    monkeypatch.setitem(questions(), "backprop_batch",
                        replace(question("backprop_batch"), recorded_forms=()))
    alone = public_cases.public_cases(["backprop_batch"])
    monkeypatch.setattr(public, "load_cases", lambda: alone)
    assert checks("backprop_batch", env) is not None


def test_every_code_a_mutant_or_the_judge_names_has_words_for_students():
    import re
    from pathlib import Path

    from backprop_lab.judging.mutants import MUTANTS
    from backprop_lab.reporting.report import MISTAKES

    root = Path(__file__).resolve().parents[1]
    contract = (root / "docs" / "contract.md").read_text()
    judged = set(re.findall(r'"([a-z_]+)"\)', (root / "src/backprop_lab/course/compare.py")
                            .read_text()))
    codes = {m.code for ms in MUTANTS.values() for m in ms} | (judged & set(MISTAKES))
    codes |= {"wrong_dtype", "returns_alias", "mutates_inputs"}
    for code in codes:
        assert code in MISTAKES, code
        assert f"| `{code}` |" in contract, code


@pytest.mark.parametrize("stub", ["sigmoid", "sigmoid_prime"])
def test_under_every_key_the_integer_case_tells_an_integer_result_apart(stub):
    """Found by the natural-mistake sample through a real build: under some secrets the
    integer case was a 1 x 1 array of +-40, where a truncated sigma is right by chance."""
    import hashlib

    from backprop_lab.questions.cases import draw_cases
    from backprop_lab.questions.registry import question

    for k in range(200):
        key = hashlib.sha256(f"key {k}".encode()).digest()
        for part in ("reference", "inputs_unchanged"):
            [z] = [c.args[0] for c in draw_cases(stub, part, key=key)
                   if np.asarray(c.args[0]).dtype.kind == "i"]
            exact = np.asarray(question(stub).reference(z), dtype=float)
            assert np.max(np.abs(exact - exact.astype(np.int64))) > 1e-6, (k, part, z)
