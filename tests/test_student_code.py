"""Issue 9: grades that are right on code nobody here wrote.

Each case is a student's stub as found in the wild, planted in a notebook-like namespace
(tests/notebook_env.py) and graded in-process by the harness and the judge, and by the
public checks; a few run end to end through ``grade_file`` with a real kernel.
"""

import ast
import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest
from notebook_env import notebook_env

from backprop_lab import engine
from backprop_lab.course.wire import unpack
from backprop_lab.judging.judge import PARTS, REFERENCES, judge
from backprop_lab.questions.cases import Case, draw_cases
from backprop_lab.questions.registry import names
from backprop_lab.running.harness import run

ROOT = Path(__file__).resolve().parents[1]


def verdicts(env, stub):
    out = {}
    for part in PARTS:
        cases = draw_cases(stub, part)
        if cases:
            out[part] = judge(stub, part, cases, run(env, stub, [c.args for c in cases],
                                                     REFERENCES))
    return out


def full_marks(env, stub):
    return all(v.passed for v in verdicts(env, stub).values())


def said(found):
    return " ".join(m for v in found.values() for m in [*v.messages, *v.notes])


def named(found):
    return {code for v in found.values() for code in v.diagnoses}


# --- 1. every shape the spec defines --------------------------------------------------

BP2_PRECEDENCE = ("def bp2_hidden_error(W_next, delta_next, z):\n"
                  "    return sigmoid_prime(z) * W_next.T @ delta_next\n")
BP2_FIRST_COLUMN = ("def bp2_hidden_error(W_next, delta_next, z):\n"
                    "    return (W_next.T @ delta_next[:, :1]) * sigmoid_prime(z)\n")
BP3_RETURN_DELTA = "def bp3_bias_gradient(delta):\n    return delta\n"


@pytest.mark.task("bp1_output_error")
@pytest.mark.parametrize("stub", ["bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient",
                                  "bp4_weight_gradient"])
def test_bp_cases_hold_single_examples_and_batches_unlike_every_width(stub):
    for part in (p for p in PARTS if draw_cases(stub, p)):
        cases = draw_cases(stub, part)
        assert {c.examples == 1 for c in cases} == {True, False}, part
        for case in cases:
            sizes = json.loads(re.search(r"layer sizes (\[[\d, ]+\])", case.context)[1])
            assert all(np.shape(a)[-1] == case.examples for a in case.args if np.ndim(a) == 2
                       and a is not case.args[0] or stub != "bp2_hidden_error")
            assert case.examples == 1 or case.examples not in sizes, case.context


@pytest.mark.task("bp2_hidden_error")
@pytest.mark.parametrize("source", [BP2_PRECEDENCE, BP2_FIRST_COLUMN],
                         ids=["precedence", "first-column"])
def test_a_bp2_right_only_for_one_example_loses_its_points_saying_the_batch_failed(
        source, checks):
    env = notebook_env(source)
    found = verdicts(env, "bp2_hidden_error")
    assert not found["reference"].passed and not found["finite_differences"].passed
    assert "Right for a single example (N = 1), but the batch case fails" in said(found)
    # ... in its own question only: the stubs that call BP2 get the reference.
    for other in ("backprop_vectorized", "backprop_batch", "bp1_output_error"):
        assert full_marks(env, other), other
    text = checks("bp2_hidden_error", env)
    assert text and "batch" in text


@pytest.mark.task("bp3_bias_gradient")
def test_bp3_return_delta_is_named_bias_not_summed_hidden_and_public(checks):
    env = notebook_env(BP3_RETURN_DELTA)
    found = verdicts(env, "bp3_bias_gradient")
    assert not found["reference"].passed and "bias_not_summed" in named(found)
    assert "batch case fails" in said(found)
    assert full_marks(env, "backprop_batch")
    assert "bias_not_summed" in checks("bp3_bias_gradient", env)


SGD_SHUFFLES = """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    order = np.random.default_rng(0).permutation(len(X))
    X, Y = X[order], Y[order]
    for s in range(0, len(X), batch_size):
        nw, nb = backprop_batch(X[s:s + batch_size], Y[s:s + batch_size], weights, biases)
        n = len(X[s:s + batch_size])
        weights = [W - eta / n * g for W, g in zip(weights, nw)]
        biases = [b - eta / n * g for b, g in zip(biases, nb)]
    return weights, biases
"""
SGD_DROPS_SHORT_BATCH = """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    for s in range(0, len(X) - batch_size + 1, batch_size):
        nw, nb = backprop_batch(X[s:s + batch_size], Y[s:s + batch_size], weights, biases)
        weights = [W - eta / batch_size * g for W, g in zip(weights, nw)]
        biases = [b - eta / batch_size * g for b, g in zip(biases, nb)]
    return weights, biases
"""
SGD_STEP_BY_BATCH_SIZE = SGD_DROPS_SHORT_BATCH.replace("len(X) - batch_size + 1", "len(X)")


@pytest.mark.task("sgd_epoch")
@pytest.mark.parametrize("source", [SGD_SHUFFLES, SGD_DROPS_SHORT_BATCH, SGD_STEP_BY_BATCH_SIZE],
                         ids=["shuffles", "drops-short-batch", "divides-by-batch-size"])
def test_sgd_epoch_mistakes_of_order_and_short_batches_fail_hidden_and_public(source, checks):
    env = notebook_env(source)
    assert not full_marks(env, "sgd_epoch")
    assert checks("sgd_epoch", env)


def test_sgd_cases_take_several_mini_batches_with_a_short_last_one():
    """The first cases end on a short mini-batch; the last three are the edges the
    mutation tool asked for: batch_size 1, the whole batch, a divisor of N."""
    for part in (p for p in PARTS if draw_cases("sgd_epoch", p)):
        cases = draw_cases("sgd_epoch", part)
        for case in cases[:-3]:
            N, batch_size = len(case.args[0]), case.args[4]
            assert N // batch_size >= 1 and N % batch_size, case.context
        sizes = [(len(c.args[0]), c.args[4]) for c in cases[-3:]]
        assert sizes[0][1] == 1 and sizes[1][1] == sizes[1][0], sizes
        assert 1 < sizes[2][1] < sizes[2][0] and sizes[2][0] % sizes[2][1] == 0, sizes


# --- 2. calls between stubs -----------------------------------------------------------

NIELSEN_SGD = """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    for k in range(0, len(X), batch_size):
        weights, biases = update_mini_batch(X[k:k + batch_size], Y[k:k + batch_size],
                                            weights, biases, eta)
    return weights, biases


def update_mini_batch(X, Y, weights, biases, eta):
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    for x, y in zip(X, Y):
        dnw, dnb = {backprop}(x.reshape(-1, 1), y.reshape(-1, 1), weights, biases)
        nabla_w = [nw + d for nw, d in zip(nabla_w, dnw)]
        nabla_b = [nb + d for nb, d in zip(nabla_b, dnb)]
    return ([W - (eta / len(X)) * nw for W, nw in zip(weights, nabla_w)],
            [b - (eta / len(X)) * nb for b, nb in zip(biases, nabla_b)])
"""
OWN_BACKPROP = """
def backprop(x, y, weights, biases):
    activation, activations, zs = x, [x], []
    for W, b in zip(weights, biases):
        zs.append(W @ activation + b)
        activation = sigmoid(zs[-1])
        activations.append(activation)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    nabla_w[-1], nabla_b[-1] = delta @ activations[-2].T, delta
    for l in range(2, len(weights) + 1):
        delta = (weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
        nabla_w[-l], nabla_b[-l] = delta @ activations[-l - 1].T, delta
    return nabla_w, nabla_b
"""
UNPASTED = {name: f"def {name}(*args):\n    raise NotImplementedError\n"
            for name in ("backprop_loops", "backprop_vectorized", "backprop_batch")}


@pytest.mark.task("sgd_epoch")
@pytest.mark.parametrize("backprop", ["backprop_vectorized", "backprop_loops", "backprop"])
def test_a_nielsen_style_sgd_epoch_gets_full_marks(backprop, checks):
    # The notebook's own tiers raise (a3 has none of them): grading answers them.
    env = notebook_env(*UNPASTED.values(), OWN_BACKPROP, NIELSEN_SGD.replace(
        "{backprop}", backprop), reference_stubs=False)
    found = verdicts(env, "sgd_epoch")
    assert all(v.passed for v in found.values()), said(found)


SIGMOID_WITH_DERIV = """
def sigmoid(x, deriv=False):
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))
"""


@pytest.mark.task("bp1_output_error")
@pytest.mark.parametrize("how", ["sigmoid(sigmoid(z_L), True)",
                                 "sigmoid(sigmoid(z_L), deriv=True)"])
def test_a_call_the_reference_cannot_take_is_answered_by_the_students_own_function(how, checks):
    env = notebook_env(SIGMOID_WITH_DERIV,
                       f"def bp1_output_error(a_L, z_L, y):\n    return (a_L - y) * {how}\n")
    found = verdicts(env, "bp1_output_error")
    assert all(v.passed for v in found.values()), said(found)
    assert "answered by your own sigmoid, because the course's sigmoid takes only (z)" in said(
        found)
    assert full_marks(env, "sigmoid")
    assert checks("bp1_output_error", env) is None


HELPER_STEP = """
def step(W, g, eta, n):
    return W - {factor} * eta / n * g


def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    for s in range(0, len(X), batch_size):
        nw, nb = backprop_batch(X[s:s + batch_size], Y[s:s + batch_size], weights, biases)
        n = len(X[s:s + batch_size])
        weights = [step(W, g, eta, n) for W, g in zip(weights, nw)]
        biases = [step(b, g, eta, n) for b, g in zip(biases, nb)]
    return weights, biases
"""


@pytest.mark.task("sgd_epoch")
def test_the_students_own_helpers_are_used_and_decide_the_grade(checks):
    right = notebook_env(HELPER_STEP.format(factor=1))
    wrong = notebook_env(HELPER_STEP.format(factor=2))
    assert full_marks(right, "sgd_epoch") and checks("sgd_epoch", right) is None
    assert not full_marks(wrong, "sgd_epoch") and checks("sgd_epoch", wrong)


@pytest.mark.task("sgd_epoch")
def test_a_pasted_stub_that_raises_costs_nothing_hidden_or_public(checks):
    # a3: the student never pasted backprop_batch ("..." raises nothing: it is None).
    env = notebook_env(UNPASTED["backprop_batch"], HELPER_STEP.format(factor=1),
                       reference_stubs=False)
    assert full_marks(env, "sgd_epoch")
    assert checks("sgd_epoch", env) is None


@pytest.mark.task("sgd_epoch")
def test_a_helper_that_raises_is_named_as_the_helper(checks):
    env = notebook_env(HELPER_STEP.format(factor=1).replace(
        "    return W - ", "    raise ValueError('my step is broken')\n    return W - "))
    found = verdicts(env, "sgd_epoch")
    text = said(found)
    assert "it called your step, which raised ValueError: my step is broken" in text
    assert "not_implemented" not in named(found)
    assert "your step, which raised ValueError" in checks("sgd_epoch", env)


# --- 3. any value is judged -------------------------------------------------------------

class Thing:
    pass


STRANGE = {
    "None in a list": "[None] * len(weights), [np.zeros_like(b) for b in biases]",
    "ragged lists": "[[1.0, 2.0], [3.0]], [[0.0]]",
    "a string": "'nabla'",
    "an object": "Thing()",
    "a dict": "{'w': weights}",
    "a huge array": "np.zeros(2_000_000), np.zeros(3)",
    "empty arrays": "[np.zeros(0) for W in weights], [np.zeros((0, 1)) for b in biases]",
    "NaN": "[W * np.nan for W in weights], [b * np.nan for b in biases]",
    "integers": "[W.astype(int) for W in weights], [b.astype(int) for b in biases]",
    "0-d arrays": "[np.array(1.0) for W in weights], [np.array(0.0) for b in biases]",
    "a generator": "(g for g in weights)",
    "complex numbers": "[W + 1j for W in weights], biases",
    "an object array": "np.array([weights, biases], dtype=object)",
}


@pytest.mark.task("backprop_batch")
@pytest.mark.parametrize("value", STRANGE.values(), ids=STRANGE.keys())
def test_any_value_gets_a_verdict_and_a_message(value):
    env = notebook_env(f"def backprop_batch(X, Y, weights, biases):\n    return {value}\n")
    env["Thing"] = Thing
    found = verdicts(env, "backprop_batch")
    assert not any(v.passed for v in found.values())
    assert all(v.messages and all(m.strip() for m in v.messages) for v in found.values())
    assert "grading of this" not in said(found)  # judged, not a failure of ours


@pytest.mark.task("backprop_batch")
def test_a_gradient_left_none_by_a_short_loop_names_the_slot():
    env = notebook_env("""
def backprop_batch(X, Y, weights, biases):
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    right_w, right_b = ok_batch(X, Y, weights, biases)
    for l in range(len(weights) - 1, 0, -1):  # stops one layer short
        nabla_w[l], nabla_b[l] = right_w[l], right_b[l]
    return nabla_w, nabla_b
""")
    env["ok_batch"] = engine.backprop_batch
    text = said(verdicts(env, "backprop_batch"))
    assert "nabla_w[0] (dC/dW^1) and nabla_b[0] (dC/db^1): each is None" in text


@pytest.mark.task("sigmoid")
def test_an_integer_result_is_named_truncated():
    env = notebook_env("def get_params(weights, biases):\n"
                       "    return np.concatenate([np.ravel(p) for p in [*weights, *biases]])"
                       ".astype(int)\n")
    assert "array of integers" in said(verdicts(env, "get_params"))


def test_a_failure_of_the_grading_code_costs_that_case_only():
    def broken():
        raise RuntimeError("oracle exploded")

    good = draw_cases("bp1_output_error", "finite_differences")
    cases = [Case(good[0].args, "a broken case", finite_differences=broken), *good[1:]]
    raws = run(notebook_env(), "bp1_output_error", [c.args for c in cases], REFERENCES)
    v = judge("bp1_output_error", "finite_differences", cases, raws)
    assert not v.passed and "the grading of this case failed: RuntimeError: oracle" in \
        " ".join(v.messages)


# --- 4. library functions as answers ------------------------------------------------------

@pytest.mark.task("sigmoid")
@pytest.mark.parametrize("source", ["sigmoid = expit\n",
                                    "from scipy.special import expit as sigmoid\n",
                                    "import scipy.special\nsigmoid = scipy.special.expit\n",
                                    "import scipy.stats\nsigmoid = scipy.stats.logistic.cdf\n"])
def test_a_numpy_or_scipy_function_is_graded_like_any_answer(source, checks):
    env = notebook_env(source)
    assert full_marks(env, "sigmoid")
    assert checks("sigmoid", env) is None
    wrong = notebook_env("sigmoid = np.tanh\n")
    assert not full_marks(wrong, "sigmoid")


@pytest.mark.task("sigmoid")
@pytest.mark.parametrize("source,where", [
    ("exec(compile('def sigmoid(z):\\n    return 1 / (1 + np.exp(-z))', '/tmp/helper.py',"
     " 'exec'))\n", "/tmp/helper.py"),
    ("import functools\nsigmoid = functools.partial(expit)\n", "functools"),
])
def test_other_stubs_from_outside_the_notebook_earn_nothing_and_say_where_from(source, where):
    found = verdicts(notebook_env(source), "sigmoid")
    assert not any(v.passed for v in found.values())
    text = said(found)
    assert f"sigmoid is not a function defined in the notebook: it comes from {where}" in text
    assert "not defined)" not in text and "not implemented yet" not in text


# --- 5 and 6. public checks name what hidden tests name; messages --------------------------

PUBLIC_MISTAKES = {
    "backprop_1D": """
def backprop_1D(x, y, w, b):
    L = len(w)
    a, zs = [x], []
    for i in range(L):
        zs.append(w[i] * a[-1] + b[i])
        a.append(sigmoid(zs[-1]))
    dw, db = [0.0] * L, [0.0] * L
    delta = (a[-1] - y) * sigmoid_prime(zs[-1])
    for i in range(L - 1, -1, -1):
        if i < L - 1:
            delta = w[i] * delta * sigmoid_prime(zs[i])   # w[i] for w[i + 1]
        db[i], dw[i] = delta, delta * a[i]
    return dw, db
""",
    "get_params": "def get_params(weights, biases):\n"
                  "    return np.concatenate([np.ravel(p, order='F') for p in (*weights, "
                  "*biases)])\n",
    "numerical_gradient": "def numerical_gradient(f, theta, eps=1e-5):\n"
                          "    grad = np.zeros(len(theta))\n"
                          "    for i in range(len(theta)):\n"
                          "        t = theta.copy()\n"
                          "        t[i] += eps\n"
                          "        grad[i] = (f(t) - f(theta)) / eps\n"
                          "    return grad\n",
}
PUBLIC_MISTAKES["backprop_1D, 1-based"] = """
def backprop_1D(x, y, w, b):
    L = len(w)
    a, z = [x], []
    for i in range(L):
        z.append(w[i] * a[i] + b[i])
        a.append(sigmoid(z[i]))
    dw, db = [0.0] * L, [0.0] * L
    delta = (a[L] - y) * sigmoid_prime(z[L - 1])
    for i in range(L, 0, -1):  # neuron i (1-based) has weight w[i - 1]
        db[i - 1], dw[i - 1] = delta, delta * a[i - 1]
        if i > 1:
            delta = w[i - 2] * delta * sigmoid_prime(z[i - 2])  # w[i - 1] is right
    return dw, db
"""
PUBLIC_CODES = {"backprop_1D": "wrong_layer", "backprop_1D, 1-based": "wrong_layer",
                "get_params": "transposed", "numerical_gradient": "one_sided_difference"}


@pytest.mark.task("get_params")
@pytest.mark.parametrize("mistake", PUBLIC_MISTAKES)
def test_public_checks_name_catalog_mistakes_before_submission(mistake, checks):
    stub = mistake.split(",")[0]
    env = notebook_env(PUBLIC_MISTAKES[mistake])
    assert PUBLIC_CODES[mistake] in named(verdicts(env, stub))
    text = checks(stub, env)
    assert text and PUBLIC_CODES[mistake] in text.splitlines()[-1], text


def test_public_cases_reveal_no_code(public_cases_file):
    data = public_cases_file.read_bytes()
    for token in (b"def ", b"lambda", b"import "):
        assert token not in data
    # The hints' prose says "return 0.0 only when both are zero", in UTF-8 since the
    # wire's BPW1 format (npz kept text as UTF-32): no text in the file is code, and the
    # bytes hold "return " only inside that text.
    texts = _texts(unpack(data))
    assert not [t for t in texts if _is_code(t)]
    assert data.count(b"return ") == sum(t.encode().count(b"return ") for t in texts)
    assert _is_code("def f(x):\n    return x") and _is_code("f = lambda x: x")  # control


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(t for v in value.values() for t in _texts(v))]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    return []


def _is_code(text: str) -> bool:
    """Python with a function, a lambda, a return or an import in it."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    kinds = (ast.FunctionDef, ast.Lambda, ast.Return, ast.Import, ast.ImportFrom)
    return any(isinstance(node, kinds) for node in ast.walk(tree))


@pytest.mark.task("bp2_hidden_error")
def test_public_bp_cases_hold_a_batch(public_cases_file):
    cases = unpack(public_cases_file.read_bytes())
    for stub in ("bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient",
                 "bp4_weight_gradient"):
        assert any("batch of" in c["context"] for c in cases[stub]), stub
        assert any("batch of" not in c["context"] for c in cases[stub]), stub


def test_layers_are_named_as_the_notebooks_name_them():
    env = notebook_env("def feedforward(X, weights, biases):\n"
                       "    zs, acts = ok_ff(X, weights, biases)\n"
                       "    return zs, [X] + acts[1:]\n")
    env["ok_ff"] = engine.feedforward
    assert "activations[0] (a^0)" in said(verdicts(env, "feedforward"))


@pytest.mark.task("bp3_bias_gradient")
def test_a_flattened_result_is_called_flattened():
    env = notebook_env("def bp3_bias_gradient(delta):\n    return delta.sum(axis=1)\n")
    assert "is flattened" in said(verdicts(env, "bp3_bias_gradient"))


@pytest.mark.task("backprop_loops")
def test_hints_fit_the_stub():
    loops = notebook_env("def backprop_loops(x, y, weights, biases):\n"
                         "    nw, nb = ok(x, y, weights, biases)\n"
                         "    return [2 * g for g in nw], [2 * g for g in nb]\n")
    loops["ok"] = engine.backprop_loops
    text = said(verdicts(loops, "backprop_loops"))
    assert "factor 2" in text and "eps" not in text and "centered" not in text
    numerical = notebook_env("def numerical_gradient(f, theta, eps=1e-5):\n"
                             "    return 2 * ok(f, theta, eps)\n")
    numerical["ok"] = engine.numerical_gradient
    assert "2 eps" in said(verdicts(numerical, "numerical_gradient"))


@pytest.mark.task("relative_error")
def test_the_cs231n_elementwise_relative_error_is_recognised(checks):
    env = notebook_env("def relative_error(a, b):\n"
                       "    return np.max(np.abs(a - b)\n"
                       "                  / np.maximum(1e-8, np.abs(a) + np.abs(b)))\n")
    assert "CS231n" in said(verdicts(env, "relative_error"))
    assert "CS231n" in checks("relative_error", env)


def test_a_failing_public_check_shows_its_text_alone_in_otter(checks, public_cases_file,
                                                              monkeypatch):
    from otter.test_files.exception_test import ExceptionTestFile

    env = notebook_env(BP3_RETURN_DELTA)
    test = ExceptionTestFile.from_string(
        "OK_FORMAT = False\nname = 'bp3_bias_gradient'\npoints = None\n\n"
        "from otter.test_files import test_case\n\n"
        "@test_case(points=None, hidden=False)\n"
        "def test_public(env):\n"
        "    from backprop_lab.course.public import check\n"
        "    check('bp3_bias_gradient', env)\n", path="bp3_bias_gradient.py")
    test.run(env)
    shown = test.summary()
    assert "bias_not_summed" in shown and "Error at line" not in shown
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), shown


# --- 7. signatures, parsed from the cells -------------------------------------------------

def test_every_stub_cell_has_the_spec_signature_parsed_with_ast():
    found = {}
    for master in sorted((ROOT / "assignments").glob("*.ipynb")):
        for cell in json.loads(master.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or not source.startswith("def "):
                continue
            node = ast.parse(source).body[0]
            assert isinstance(node, ast.FunctionDef)
            if node.name in names():
                args = node.args
                assert not args.posonlyargs and not args.vararg and not args.kwonlyargs
                found[node.name] = [a.arg for a in args.args]
    for stub in names():
        want = list(inspect.signature(getattr(engine, stub)).parameters)
        assert found.get(stub) == want, (stub, found.get(stub), want)


# --- end to end: real kernels, one notebook per assignment holding several of these -------

def pasted(nb: dict, name: str, source: str) -> dict:
    """``nb`` with the cell "# From assignment N: your <name>" holding ``source``."""
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.match(rf"# From assignment \d+: your {name}\b",
                                                    text):
            cell["source"] = text.split("\n")[0] + "\n" + source
            return nb
    raise LookupError(name)


BACKPROP_BATCH_NONE = """
def backprop_batch(X, Y, weights, biases):
    zs, activations = feedforward(X, weights, biases)
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = bp1_output_error(activations[-1], zs[-1], Y.T)
    for l in range(L - 1, 0, -1):  # one layer short: nabla_w[0] stays None
        nabla_w[l] = bp4_weight_gradient(delta, activations[l])
        nabla_b[l] = bp3_bias_gradient(delta)
        delta = bp2_hidden_error(weights[l], delta, zs[l - 1])
    return nabla_w, nabla_b
"""


@pytest.fixture(scope="module")
def wild(dist, tmp_path_factory):
    from backprop_lab.grade import grade
    from backprop_lab.running.kernel import Limits
    from backprop_lab.samples import filled, read, write

    student = {p.stem: read(p) for p in sorted(dist.glob("*/student/*.ipynb"))}
    folder = tmp_path_factory.mktemp("wild")
    write(filled(student["a1_forward"], {
        "sigmoid": "from scipy.special import expit\nsigmoid = expit\n",
        "backprop_1D": PUBLIC_MISTAKES["backprop_1D"]}), folder / "a1.ipynb")
    a2 = filled(student["a2_backprop"], {
        "bp1_output_error": "def bp1_output_error(a_L, z_L, y):\n"
                            "    return (a_L - y) * sigmoid(a_L, True)\n",
        "bp2_hidden_error": BP2_PRECEDENCE, "bp3_bias_gradient": BP3_RETURN_DELTA,
        "backprop_batch": BACKPROP_BATCH_NONE})
    write(pasted(a2, "sigmoid", SIGMOID_WITH_DERIV), folder / "a2.ipynb")
    a3 = filled(student["a3_training"], {
        "sgd_epoch": NIELSEN_SGD.replace("{backprop}", "backprop_vectorized"),
        "relative_error": "def relative_error(a, b):\n    return np.max(np.abs(a - b) / "
                          "np.maximum(1e-8, np.abs(a) + np.abs(b)))\n"})
    write(pasted(a3, "backprop_batch", UNPASTED["backprop_batch"]), folder / "a3.ipynb")
    out = tmp_path_factory.mktemp("wild-graded")
    summary = grade([folder], out, autograder_dir=dist, workers=2, progress=False,
                    limits=Limits(cell_seconds=30, total_seconds=240))
    return {r["submission"]: r for r in summary.records}


def scores(record):
    return {q["name"]: (q["score"], q["max_score"]) for q in record["questions"]}


def question(record, name):
    return next(q for q in record["questions"] if q["name"] == name)


@pytest.mark.slow
@pytest.mark.task("sigmoid")
def test_end_to_end_a1_expit_is_graded_and_a_wrong_chain_loses_only_its_points(wild):
    r = wild["a1.ipynb"]
    assert r["status"] == "graded" and not r["flags"], r
    lost = {q: s for q, s in scores(r).items() if s[0] < s[1]}
    assert set(lost) == {"backprop_1D"}, scores(r)
    assert "wrong_layer" in question(r, "backprop_1D")["diagnoses"]


@pytest.mark.slow
@pytest.mark.task("bp2_hidden_error")
def test_end_to_end_a2_batch_mistakes_lose_their_points_and_own_sigmoid_answers(wild):
    r = wild["a2.ipynb"]
    assert r["status"] == "graded", r
    assert [q["name"] for q in r["questions"]] == [s for s in names()
                                                   if s in scores(r)]  # course order
    lost = {q for q, s in scores(r).items() if s[0] < s[1]}
    assert lost == {"bp2_hidden_error", "bp3_bias_gradient", "backprop_batch"}, scores(r)
    bp1 = " ".join(question(r, "bp1_output_error")["messages"])
    assert "answered by your own sigmoid" in bp1
    assert "batch case fails" in " ".join(question(r, "bp2_hidden_error")["messages"])
    assert "bias_not_summed" in question(r, "bp3_bias_gradient")["diagnoses"]
    assert "is None" in " ".join(question(r, "backprop_batch")["messages"])


@pytest.mark.slow
@pytest.mark.task("sgd_epoch")
def test_end_to_end_a3_nielsen_sgd_and_an_unpasted_helper_cost_nothing(wild):
    r = wild["a3.ipynb"]
    assert r["status"] == "graded" and not r["flags"], r
    lost = {q for q, s in scores(r).items() if s[0] < s[1]}
    assert lost == {"relative_error"}, scores(r)
    assert "CS231n" in " ".join(question(r, "relative_error")["messages"])


@pytest.mark.task("backprop_batch")
def test_a_huge_result_is_refused_before_it_travels_to_the_grader():
    from backprop_lab.course.calls import call

    raw = call(lambda: (np.zeros(3_000_000), np.zeros(3)), ())
    assert raw.value is None and "3000000 numbers, far more than any answer" in raw.error
