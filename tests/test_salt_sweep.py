"""Every correct implementation passes under any secret (issues 16 and 18).

Hidden cases now differ per build and per submission, so the tolerance must accept
every correct implementation on every draw, not only on the one the shipped salt made.
Several natural correct styles of each stub are graded, part by part, on the cases of
``KEYS`` different keys; none may fail. The control shows the sweep can fail: the
relative test alone (last round's rule) fails ``s * (1 - s)`` on some of these keys.
"""

import textwrap

import pytest
from notebook_env import notebook_env

from backprop_lab.judging import judge as judge_module
from backprop_lab.judging.judge import PARTS, REFERENCES, judge
from backprop_lab.questions.cases import draw_cases
from backprop_lab.questions.registry import names
from backprop_lab.running.harness import run

pytestmark = [pytest.mark.task("a tolerance that accepts every correct implementation"),
              pytest.mark.slow]

KEYS = 200

S_ONE_MINUS_S = "def sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n"
#: Correct styles beyond the reference's own cells (which notebook_env defines first).
STYLES = {
    "sigmoid": ["sigmoid = expit\n",
                "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
                "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))\n"],
    "sigmoid_prime": [S_ONE_MINUS_S,
                      "def sigmoid_prime(z):\n    return expit(z) * (1 - expit(z))\n",
                      "def sigmoid_prime(z):\n    return np.exp(-z) / (1 + np.exp(-z))**2\n"],
    "feedforward": [textwrap.dedent("""\
        def feedforward(X, weights, biases):
            a = X.T
            zs, activations = [], [a]
            for W, b in zip(weights, biases):
                z = np.einsum('ij,jn->in', W, a) + b
                a = 1 / (1 + np.exp(-z))
                zs.append(z)
                activations.append(a)
            return zs, activations
        """)],
    "bp2_hidden_error": ["def bp2_hidden_error(W_next, delta_next, z):\n"
                         "    return np.einsum('ji,jn->in', W_next, delta_next) "
                         "* sigmoid_prime(z)\n"],
    "bp3_bias_gradient": ["def bp3_bias_gradient(delta):\n"
                          "    return delta @ np.ones((delta.shape[1], 1))\n"],
    "bp4_weight_gradient": [textwrap.dedent("""\
        def bp4_weight_gradient(delta, a_prev):
            total = np.zeros((delta.shape[0], a_prev.shape[0]))
            for n in reversed(range(delta.shape[1])):
                total += np.outer(delta[:, n], a_prev[:, n])
            return total
        """)],
    "get_params": ["def get_params(weights, biases):\n"
                   "    return np.hstack([p.ravel() for p in [*weights, *biases]])\n"],
    "relative_error": [textwrap.dedent("""\
        def relative_error(a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            den = np.linalg.norm(a) + np.linalg.norm(b)
            return 0.0 if den == 0 else float(np.linalg.norm(a - b) / den)
        """)],
    "add_bias_column": ["def add_bias_column(W, b):\n    return np.concatenate([W, b], axis=1)\n"],
    "feedforward_augmented": [textwrap.dedent("""\
        def feedforward_augmented(X, weights_aug):
            a = X.T
            for W in weights_aug:
                a = expit(W @ np.vstack([a, np.ones((1, a.shape[1]))]))
            return a
        """)],
}


@pytest.fixture(scope="module")
def memo():
    """Each case's expected value computed once for all styles (the judge's own function)."""
    saved, cache = judge_module.expected_value, {}

    def expected(stub, case, part):
        if (id(case), part) not in cache:
            cache[id(case), part] = (case, saved(stub, case, part))
        return cache[id(case), part][1]

    judge_module.expected_value = expected
    yield cache
    judge_module.expected_value = saved


def failures(stub: str, sources: list[str], keys, close=None) -> list[str]:
    envs = [notebook_env(source) for source in sources]
    found = []
    saved = judge_module.closeness
    if close is not None:
        judge_module.closeness = lambda *args: close
    try:
        for key in keys:
            for part in PARTS:
                cases = draw_cases(stub, part, key=key)
                for i, env in enumerate(envs):
                    if cases and not judge(stub, part, cases, run(
                            env, stub, [c.args for c in cases], REFERENCES)).passed:
                        found.append(f"{stub} style {i} fails {part} under key {key!r}")
    finally:
        judge_module.closeness = saved
    return found


@pytest.mark.parametrize("stub", names())
def test_every_correct_style_passes_under_every_key(stub, memo):
    keys = [f"sweep {i}".encode() for i in range(KEYS)]
    assert failures(stub, ["", *STYLES.get(stub, [])], keys) == []
    memo.clear()


def test_the_relative_test_alone_fails_a_correct_sigmoid_prime(memo):
    keys = [f"sweep {i}".encode() for i in range(KEYS)]
    assert failures("sigmoid_prime", [S_ONE_MINUS_S], keys, judge_module.relative_close)
