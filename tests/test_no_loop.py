"""Issue 19 item 4: a2 asks for ``backprop_batch`` "with no loop over examples". A hidden
part (1 point) and the public check count the Python lines the notebook's code runs on one
network at N = 2 and N = 12: every loop over the examples loses the point, every
loop-free style keeps it, and a notebook that replaces the trace function earns nothing."""

from __future__ import annotations

import textwrap

import pytest
from notebook_env import notebook_env

from backprop_lab.building.public_cases import public_cases
from backprop_lab.course import public
from backprop_lab.judging.judge import REFERENCES, judge
from backprop_lab.questions.a2_backprop import FROM_BLOCKS
from backprop_lab.questions.cases import draw_cases
from backprop_lab.running.harness import run

pytestmark = pytest.mark.task("what the text requires about how")

PART = "no_loop_over_examples"


def batch(body: str) -> str:
    return "def backprop_batch(X, Y, weights, biases):\n" + textwrap.indent(
        textwrap.dedent(body).strip("\n"), "    ") + "\n"


PER_EXAMPLE = """
    nabla_w = [np.zeros_like(W) for W in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for {loop}:
        zs, acts = feedforward(x, weights, biases)
        delta = bp1_output_error(acts[-1], zs[-1], y)
        nabla_b[-1] = nabla_b[-1] + bp3_bias_gradient(delta)
        nabla_w[-1] = nabla_w[-1] + bp4_weight_gradient(delta, acts[-2])
        for l in range(len(weights) - 2, -1, -1):
            delta = bp2_hidden_error(weights[l + 1], delta, zs[l])
            nabla_b[l] = nabla_b[l] + bp3_bias_gradient(delta)
            nabla_w[l] = nabla_w[l] + bp4_weight_gradient(delta, acts[l])
    return nabla_w, nabla_b
"""
LOOPS = {
    "for over zip(X, Y)": batch(PER_EXAMPLE.format(
        loop="x, y in zip(X[:, None, :], Y[:, :, None])")),
    "for over range(N)": batch(PER_EXAMPLE.format(
        loop="x, y in [(X[n:n + 1], Y[n:n + 1].T) for n in range(len(X))]")),
    "a per-example backprop_vectorized": batch("""
        grads = [backprop_vectorized(x[:, None], y[:, None], weights, biases)
                 for x, y in zip(X, Y)]
        return ([sum(g[0][l] for g in grads) for l in range(len(weights))],
                [sum(g[1][l] for g in grads) for l in range(len(weights))])
    """),
    "map over the rows": batch("""
        def one(xy):
            return backprop_vectorized(xy[0][:, None], xy[1][:, None], weights, biases)
        grads = list(map(one, zip(X, Y)))
        return ([sum(g[0][l] for g in grads) for l in range(len(weights))],
                [sum(g[1][l] for g in grads) for l in range(len(weights))])
    """),
}
LOOP_FREE = {
    "the reference": None,
    "from BP1-BP4 (the usual student's)": FROM_BLOCKS.format(
        name="backprop_batch", x="X", y="Y", x_rows="X", y_cols="Y.T"),
    "its own forward pass, reversed layers": batch("""
        A, zs, acts = X.T, [], [X.T]
        for W, b in zip(weights, biases):
            zs.append(W @ A + b)
            A = 1 / (1 + np.exp(-zs[-1]))
            acts.append(A)
        delta = (acts[-1] - Y.T) * acts[-1] * (1 - acts[-1])
        nabla_w, nabla_b = [], []
        for l in reversed(range(len(weights))):
            nabla_w.insert(0, delta @ acts[l].T)
            nabla_b.insert(0, delta.sum(axis=1, keepdims=True))
            if l:
                delta = (weights[l].T @ delta) * acts[l] * (1 - acts[l])
        return nabla_w, nabla_b
    """),
}
# A notebook that takes the trace away: no evidence, no point (the kernel cannot be trusted).
UNTRACED = batch("import sys\nsys.settrace(None)\n" + textwrap.dedent(PER_EXAMPLE.format(
    loop="x, y in zip(X[:, None, :], Y[:, :, None])")))


def hidden_part(source: str | None):
    env = notebook_env(*([source] if source else []))
    cases = draw_cases("backprop_batch", PART)
    raws = run(env, "backprop_batch", [c.args for c in cases], REFERENCES, count_lines=True)
    return judge("backprop_batch", PART, cases, raws), raws


@pytest.mark.parametrize("style", sorted(LOOPS))
def test_a_loop_over_the_examples_loses_the_part_and_is_named(style):
    verdict, raws = hidden_part(LOOPS[style])
    assert not verdict.passed and verdict.diagnoses == ["loops_over_examples"], verdict
    assert "N = 2" in verdict.messages[0] and "N = 12" in verdict.messages[0]
    reference, _ = hidden_part(LOOPS[style].replace("def backprop_batch", "def unused"))
    assert reference.passed  # control: the same notebook without that stub passes


@pytest.mark.parametrize("style", sorted(LOOP_FREE))
def test_every_loop_free_style_keeps_the_part(style):
    verdict, raws = hidden_part(LOOP_FREE[style])
    assert verdict.passed, verdict.messages
    assert all(r.lines is not None and r.lines > 0 for r in raws)


def test_a_notebook_that_replaces_the_trace_earns_nothing():
    verdict, raws = hidden_part(UNTRACED)
    assert all(r.lines is None for r in raws)
    assert not verdict.passed and "could not be counted" in verdict.messages[0]


def test_a_wrong_value_earns_nothing_here_either():
    wrong = LOOP_FREE["its own forward pass, reversed layers"].replace(
        "(acts[-1] - Y.T)", "(Y.T - acts[-1])")
    verdict, _ = hidden_part(wrong)
    assert not verdict.passed and "not checked until" in verdict.messages[0]


@pytest.fixture(scope="module")
def shipped():
    return public_cases(("sigmoid", "sigmoid_prime", "feedforward", "bp1_output_error",
                         "bp2_hidden_error", "bp3_bias_gradient", "bp4_weight_gradient",
                         "backprop_vectorized", "backprop_batch"))


def public_check(shipped, monkeypatch, source):
    monkeypatch.setattr(public, "load_cases", lambda: shipped)
    try:
        public.check("backprop_batch", notebook_env(*([source] if source else [])))
    except public.PublicCheckError as error:
        return str(error)
    return None


def test_the_public_check_says_the_same(shipped, monkeypatch):
    for style, source in LOOPS.items():
        found = public_check(shipped, monkeypatch, source)
        assert found and "loops_over_examples" in found, style
    for style, source in LOOP_FREE.items():
        assert public_check(shipped, monkeypatch, source) is None, style
