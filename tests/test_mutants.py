"""Issue 5, "Name the mistake": the mutant catalog, proven on the hidden cases and end to end.

Fast tests check every mutant on the hidden cases without kernels: it is a mistake there,
the judge names it, it is pure and plantable, and a right answer names nothing. The slow
test plants every mutant (and every generic mistake the grader claims to name) in a real
student notebook, grades them all at once and prints the mutation-score table.
"""

import ast
import builtins
import copy
import inspect
import re

import numpy as np
import pytest
from notebook_env import notebook_env

from backprop_lab import engine
from backprop_lab.course.calls import call
from backprop_lab.course.compare import compare
from backprop_lab.judging.judge import BUILDS_ON, PARTS, REFERENCES, judge, relative_close
from backprop_lab.judging.mutants import MUTANTS, diagnose, planted
from backprop_lab.questions.cases import draw_cases
from backprop_lab.questions.registry import names, question
from backprop_lab.running.harness import run
from backprop_lab.samples import PLANTED, filled, read, reference_source, stub_cells, write

MUTANT_PAIRS = [(stub, m) for stub, ms in MUTANTS.items() for m in ms]
MUTANT_IDS = [f"{stub}-{m.code}-{ms.index(m)}" for stub, ms in MUTANTS.items() for m in ms]


def parameters(stub, defaults=True):
    params = inspect.signature(getattr(engine, stub)).parameters.values()
    return ", ".join(p.name if p.default is p.empty or not defaults else f"{p.name}={p.default!r}"
                     for p in params)


def unimplemented(stub):
    return f"def {stub}({parameters(stub)}):\n    ...\n"


def wrapped(stub, body):
    """A student's right answer, ``right_<stub>``, then the stub that reshapes it."""
    right = re.sub(rf"^def {stub}\(", f"def right_{stub}(", reference_source(stub), flags=re.M)
    return f"{right}\n\ndef {stub}({parameters(stub)}):\n    {body}\n"


def ravel_biases(stub):
    return wrapped(stub, f"first, second = right_{stub}({parameters(stub, False)})\n"
                         "    return first, [g.ravel() for g in second]")


# Mistakes named without a mutant: by the harness (not implemented, inputs modified) or by
# compare.py from the numbers (a wrong shape). (stub, code, source; None: the stub as given)
GENERIC = [(stub, "not_implemented", None) for stub in names()] + [
    ("sigmoid", "shape_mismatch", wrapped("sigmoid", "return np.atleast_1d(right_sigmoid(z))")),
    ("sigmoid_prime", "shape_mismatch",
     wrapped("sigmoid_prime", "return np.atleast_1d(right_sigmoid_prime(z))")),
    ("feedforward", "transposed",  # activations[0] should be X.T: named once, as transposed
     wrapped("feedforward", "zs, activations = right_feedforward(X, weights, biases)\n"
                            "    return zs, [X] + activations[1:]")),
    ("backprop_1D", "shape_mismatch",
     wrapped("backprop_1D", "dw, db = right_backprop_1D(x, y, w, b)\n"
                            "    return np.array(dw)[:, None], np.array(db)[:, None]")),
    ("backprop_loops", "shape_mismatch", ravel_biases("backprop_loops")),
    ("bp1_output_error", "shape_mismatch",
     wrapped("bp1_output_error", "return right_bp1_output_error(a_L, z_L, y).ravel()")),
    ("bp2_hidden_error", "shape_mismatch",
     wrapped("bp2_hidden_error", "return right_bp2_hidden_error(W_next, delta_next, z).ravel()")),
    ("bp3_bias_gradient", "shape_mismatch",
     "def bp3_bias_gradient(delta):\n    return delta.sum(axis=1)\n"),
    ("bp4_weight_gradient", "shape_mismatch",
     wrapped("bp4_weight_gradient", "return right_bp4_weight_gradient(delta, a_prev).ravel()")),
    ("backprop_vectorized", "shape_mismatch", ravel_biases("backprop_vectorized")),
    ("backprop_batch", "shape_mismatch", ravel_biases("backprop_batch")),
    ("get_params", "shape_mismatch",
     wrapped("get_params", "return right_get_params(weights, biases)[None, :]")),
    ("set_params", "shape_mismatch", ravel_biases("set_params")),
    ("numerical_gradient", "shape_mismatch",
     wrapped("numerical_gradient", "return right_numerical_gradient(f, theta, eps)[:, None]")),
    ("relative_error", "shape_mismatch",
     wrapped("relative_error", "return np.atleast_1d(right_relative_error(a, b))")),
    ("sgd_epoch", "shape_mismatch", ravel_biases("sgd_epoch")),
    ("add_bias_column", "shape_mismatch",
     wrapped("add_bias_column", "return right_add_bias_column(W, b).ravel()")),
    ("feedforward_augmented", "shape_mismatch",
     wrapped("feedforward_augmented",
             "return right_feedforward_augmented(X, weights_aug).ravel()")),
    ("backprop_row_major", "shape_mismatch", ravel_biases("backprop_row_major")),
    ("bp1_output_error", "mutates_inputs",
     "def bp1_output_error(a_L, z_L, y):\n    a_L -= y\n    return a_L * sigmoid_prime(z_L)\n"),
    ("set_params", "mutates_inputs",
     "def set_params(theta, weights, biases):\n"
     "    start = 0\n"
     "    for p in [*weights, *biases]:\n"
     "        p[...] = theta[start:start + p.size].reshape(p.shape)\n"
     "        start += p.size\n"
     "    return weights, biases\n"),
    ("sgd_epoch", "mutates_inputs", PLANTED["sgd_epoch"][1]),
]
GENERIC_IDS = [f"{stub}-{code}" for stub, code, _ in GENERIC]


# --- right answers in other styles: full marks and no diagnosis ---------------------

STYLES = {
    ("a1_forward", "expit-and-tuples"): {
        "sigmoid": "from scipy.special import expit\n\n"
                   "def sigmoid(z):\n    return expit(z)\n",
        "sigmoid_prime": "from scipy.special import expit\n\n"
                         "def sigmoid_prime(z):\n    s = expit(z)\n    return s * (1.0 - s)\n",
        "feedforward": """
def feedforward(X, weights, biases):
    a = np.asarray(X, dtype=float).T
    zs, activations = (), (a,)
    for W, b in zip(weights, biases):
        z = np.dot(W, a) + b
        a = sigmoid(z)
        zs += (z,)
        activations += (a,)
    return zs, activations
""",
        "backprop_1D": """
def backprop_1D(x, y, w, b):
    L = len(w)
    a, z = [x], []
    for i in range(L):
        z.append(w[i] * a[i] + b[i])
        a.append(sigmoid(z[i]))
    delta = [0.0] * L
    delta[L - 1] = (a[L] - y) * sigmoid_prime(z[L - 1])
    for i in reversed(range(L - 1)):
        delta[i] = w[i + 1] * delta[i + 1] * sigmoid_prime(z[i])
    return tuple(d * a[i] for i, d in enumerate(delta)), tuple(delta)
""",
    },
    ("a1_forward", "helpers-and-arrays"): {
        "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
        "sigmoid_prime": "def sigmoid_prime(z):\n    return sigmoid(z) * (1 - sigmoid(z))\n",
        "feedforward": """
def feedforward(X, weights, biases):
    zs, activations = [], [X.T]
    for W, b in zip(weights, biases):
        z, a = one_layer(W, b, activations[-1])
        zs.append(z)
        activations.append(a)
    return zs, activations


def one_layer(W, b, a_in):
    z = W @ a_in + b
    return z, sigmoid(z)
""",
        "backprop_1D": """
def backprop_1D(x, y, w, b):
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    a, z = chain_forward(x, w, b)
    dw, db = np.zeros(len(w)), np.zeros(len(w))
    delta = (a[-1] - y) * sigmoid_prime(z[-1])
    for i in range(len(w) - 1, -1, -1):
        db[i], dw[i] = delta, delta * a[i]
        if i > 0:
            delta = w[i] * delta * sigmoid_prime(z[i - 1])
    return dw, db


def chain_forward(x, w, b):
    a, z = np.zeros(len(w) + 1), np.zeros(len(w))
    a[0] = x
    for i in range(len(w)):
        z[i] = w[i] * a[i] + b[i]
        a[i + 1] = sigmoid(z[i])
    return a, z
""",
    },
    ("a2_backprop", "loops-and-einsum"): {
        "backprop_loops": """
def backprop_loops(x, y, weights, biases):
    a = [[x[k, 0] for k in range(x.shape[0])]]
    z = []
    for W, b in zip(weights, biases):
        z_l = []
        for j in range(W.shape[0]):
            total = b[j, 0]
            for k in range(W.shape[1]):
                total += W[j, k] * a[-1][k]
            z_l.append(total)
        z.append(z_l)
        a.append([sigmoid(v) for v in z_l])
    L = len(weights)
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    delta = [(a[L][j] - y[j, 0]) * sigmoid_prime(z[L - 1][j]) for j in range(len(a[L]))]
    for l in range(L - 1, -1, -1):
        for j in range(len(delta)):
            nabla_b[l][j, 0] = delta[j]
            for k in range(len(a[l])):
                nabla_w[l][j, k] = delta[j] * a[l][k]
        if l > 0:
            W = weights[l]
            new = []
            for k in range(W.shape[1]):
                s = 0.0
                for j in range(W.shape[0]):
                    s += W[j, k] * delta[j]
                new.append(s * sigmoid_prime(z[l - 1][k]))
            delta = new
    return tuple(nabla_w), tuple(nabla_b)
""",
        "bp1_output_error": "def bp1_output_error(a_L, z_L, y):\n"
                            "    return (a_L - y) * sigmoid(z_L) * (1 - sigmoid(z_L))\n",
        "bp2_hidden_error": "def bp2_hidden_error(W_next, delta_next, z):\n"
                            "    return np.dot(W_next.T, delta_next) * sigmoid_prime(z)\n",
        "bp3_bias_gradient": "def bp3_bias_gradient(delta):\n"
                             "    return np.sum(delta, axis=1).reshape(-1, 1)\n",
        "bp4_weight_gradient": "def bp4_weight_gradient(delta, a_prev):\n"
                               "    return np.einsum('in,jn->ij', delta, a_prev)\n",
        "backprop_batch": """
def backprop_batch(X, Y, weights, biases):
    A = [np.asarray(X, dtype=float)]  # one row per sample, stacked
    Z = []
    for W, b in zip(weights, biases):
        Z.append(np.einsum('ij,nj->ni', W, A[-1]) + b[:, 0])
        A.append(sigmoid(Z[-1]))
    D = (A[-1] - Y) * sigmoid_prime(Z[-1])
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        nabla_w[l] = np.einsum('ni,nj->ij', D, A[l])
        nabla_b[l] = D.sum(axis=0)[:, None]
        if l:
            D = np.einsum('ij,ni->nj', weights[l], D) * sigmoid_prime(Z[l - 1])
    return tuple(nabla_w), tuple(nabla_b)
""",
    },
    ("a2_backprop", "nielsen"): {
        "bp1_output_error": "def bp1_output_error(a_L, z_L, y):\n"
                            "    return np.multiply(a_L - y, sigmoid_prime(z_L))\n",
        "bp2_hidden_error": "def bp2_hidden_error(W_next, delta_next, z):\n"
                            "    return W_next.transpose().dot(delta_next) * sigmoid_prime(z)\n",
        "bp3_bias_gradient": "def bp3_bias_gradient(delta):\n"
                             "    return delta @ np.ones((delta.shape[1], 1))\n",
        "bp4_weight_gradient": "def bp4_weight_gradient(delta, a_prev):\n"
                               "    return np.dot(delta, a_prev.transpose())\n",
        "backprop_vectorized": """
def backprop_vectorized(x, y, weights, biases):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = bp1_output_error(activations[-1], zs[-1], y)
    nabla_b[-1] = bp3_bias_gradient(delta)
    nabla_w[-1] = bp4_weight_gradient(delta, activations[-2])
    for l in range(2, len(weights) + 1):
        delta = bp2_hidden_error(weights[-l + 1], delta, zs[-l])
        nabla_b[-l] = bp3_bias_gradient(delta)
        nabla_w[-l] = bp4_weight_gradient(delta, activations[-l - 1])
    return (nabla_w, nabla_b)
""",
        # Nielsen's "fully matrix-based approach" (his per-example loop over the batch
        # loses the no_loop_over_examples part, as a2 asks: tests/test_no_loop.py).
        "backprop_batch": """
def backprop_batch(X, Y, weights, biases):
    activation = X.T
    activations = [activation]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    nabla_b = [None] * len(biases)
    nabla_w = [None] * len(weights)
    delta = bp1_output_error(activations[-1], zs[-1], Y.T)
    nabla_b[-1] = bp3_bias_gradient(delta)
    nabla_w[-1] = bp4_weight_gradient(delta, activations[-2])
    for l in range(2, len(weights) + 1):
        delta = bp2_hidden_error(weights[-l + 1], delta, zs[-l])
        nabla_b[-l] = bp3_bias_gradient(delta)
        nabla_w[-l] = bp4_weight_gradient(delta, activations[-l - 1])
    return (nabla_w, nabla_b)
""",
    },
    ("a3_training", "nielsen"): {
        "get_params": "def get_params(weights, biases):\n"
                      "    return np.hstack([W.flatten() for W in weights] + "
                      "[b.flatten() for b in biases])\n",
        "set_params": """
def set_params(theta, weights, biases):
    new, start = [], 0
    for p in list(weights) + list(biases):
        new.append(np.array(theta[start:start + p.size]).reshape(p.shape))
        start += p.size
    return tuple(new[:len(weights)]), tuple(new[len(weights):])
""",
        "numerical_gradient": """
def numerical_gradient(f, theta, eps=1e-5):
    grad = np.zeros_like(theta, dtype=float)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad
""",
        "relative_error": """
def relative_error(a, b):
    top = np.sqrt(np.sum((a - b) ** 2))
    bottom = np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(b ** 2))
    if bottom == 0:
        return 0.0
    return top / bottom
""",
        "sgd_epoch": """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    mini_batches = [(X[k:k + batch_size], Y[k:k + batch_size])
                    for k in range(0, len(X), batch_size)]
    for mini_batch in mini_batches:
        weights, biases = update_mini_batch(mini_batch, weights, biases, eta)
    return weights, biases


def update_mini_batch(mini_batch, weights, biases, eta):
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    for x, y in zip(*mini_batch):
        dnw, dnb = backprop_batch(x[None, :], y[None, :], weights, biases)
        nabla_w = [nw + d for nw, d in zip(nabla_w, dnw)]
        nabla_b = [nb + d for nb, d in zip(nabla_b, dnb)]
    n = len(mini_batch[0])
    return ([W - (eta / n) * nw for W, nw in zip(weights, nabla_w)],
            [b - (eta / n) * nb for b, nb in zip(biases, nabla_b)])
""",
    },
    ("a3_training", "vectorised"): {
        "get_params": "def get_params(weights, biases):\n"
                      "    return np.concatenate([np.ravel(p) for p in (*weights, *biases)])\n",
        "set_params": """
def set_params(theta, weights, biases):
    sizes = [np.size(p) for p in (*weights, *biases)]
    pieces = np.split(np.asarray(theta, dtype=float), np.cumsum(sizes)[:-1])
    # fresh arrays, as the notebook asks: np.split and reshape give views of theta
    shaped = [piece.reshape(np.shape(p)).copy() for piece, p in zip(pieces, (*weights, *biases))]
    return shaped[:len(weights)], shaped[len(weights):]
""",
        "numerical_gradient": """
def numerical_gradient(f, theta, eps=1e-5):
    E = eps * np.eye(len(theta))
    return np.array([(f(theta + e) - f(theta - e)) / (2 * eps) for e in E])
""",
        "relative_error": """
def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    bottom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if bottom == 0 else float(np.linalg.norm(a - b) / bottom)
""",
        "sgd_epoch": """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    start = 0
    while start < len(X):
        stop = min(start + batch_size, len(X))
        nabla_w, nabla_b = backprop_batch(X[start:stop], Y[start:stop], weights, biases)
        for l in range(len(weights)):
            weights[l] = weights[l] - eta / (stop - start) * nabla_w[l]
            biases[l] = biases[l] - eta / (stop - start) * nabla_b[l]
        start = stop
    return weights, biases
""",
    },
    ("a4_conventions", "einsum-and-expit"): {
        "add_bias_column": "def add_bias_column(W, b):\n"
                           "    return np.concatenate([W, b], axis=1).astype(float)\n",
        "feedforward_augmented": """
from scipy.special import expit

def feedforward_augmented(X, weights_aug):
    a = X.T
    for W_aug in weights_aug:
        a = expit(W_aug @ np.r_[a, np.ones((1, a.shape[1]))])
    return a
""",
        "backprop_row_major": """
def backprop_row_major(X, Y, Ws, bs):
    As, Zs = rows_forward(X, Ws, bs)
    grads_W, grads_b = [], []
    delta = (As[-1] - Y) * sigmoid_prime(Zs[-1])
    for l in range(len(Ws) - 1, -1, -1):
        grads_W.insert(0, np.einsum('ni,nj->ij', As[l], delta))
        grads_b.insert(0, np.einsum('nj->j', delta)[None, :])
        if l > 0:
            delta = np.einsum('nj,ij->ni', delta, Ws[l]) * sigmoid_prime(Zs[l - 1])
    return tuple(grads_W), tuple(grads_b)


def rows_forward(X, Ws, bs):
    As, Zs = [X], []
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W + b)
        As.append(sigmoid(Zs[-1]))
    return As, Zs
""",
    },
    ("a4_conventions", "reuse-columns"): {
        "add_bias_column": "def add_bias_column(W, b):\n    return np.c_[W, b]\n",
        "feedforward_augmented": """
def feedforward_augmented(X, weights_aug):
    activation = np.asarray(X, dtype=float).T
    for W_aug in weights_aug:
        W, b = W_aug[:, :-1], W_aug[:, -1:]
        activation = sigmoid(W @ activation + b)
    return activation
""",
        "backprop_row_major": """
def backprop_row_major(X, Y, Ws, bs):
    # The row convention is the column one transposed: reuse backprop_batch.
    nabla_w, nabla_b = backprop_batch(X, Y, [W.T for W in Ws], [b.T for b in bs])
    return [g.T for g in nabla_w], [g.T for g in nabla_b]
""",
    },
}
STYLE_IDS = [f"{assignment}-{style}" for assignment, style in STYLES]


# --- fast: every mutant on the hidden cases, no kernels -----------------------------

def cases(stub):
    return [case for part in PARTS for case in draw_cases(stub, part)]


def parts(stub):
    return [part for part in PARTS if draw_cases(stub, part)]


def value(fn, args):
    raw = call(fn, args)
    return None if raw.error or raw.not_implemented else raw.value


def same(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    return a.shape == b.shape and np.array_equal(np.isfinite(a), np.isfinite(b)) and (
        relative_close(np.nan_to_num(a), np.nan_to_num(b)))


def verdicts(env, stub):
    out = {}
    for part in parts(stub):
        drawn = draw_cases(stub, part)
        out[part] = judge(stub, part, drawn, run(env, stub, [c.args for c in drawn], REFERENCES))
    return out


def test_the_catalog_covers_the_mistakes_of_the_issue():
    codes = {(stub, m.code) for stub, m in MUTANT_PAIRS}
    tiers = ["backprop_loops", "backprop_vectorized", "backprop_batch", "backprop_row_major"]
    wanted = {("bp4_weight_gradient", "transposed"), ("numerical_gradient",
                                                     "one_sided_difference"),
              ("sigmoid", "nonfinite")}
    for stub in ["bp1_output_error", "bp2_hidden_error", "backprop_1D", *tiers]:
        wanted |= {(stub, "missing_sigmoid_prime"), (stub, "sigmoid_prime_of_activation")}
    for stub in ["bp1_output_error", "backprop_1D", *tiers]:
        wanted |= {(stub, "factor_of_two"), (stub, "wrong_sign")}
    for stub in tiers:
        wanted |= {(stub, "transposed"), (stub, "wrong_layer")}
    for stub in ["backprop_batch", "backprop_row_major"]:
        wanted |= {(stub, "mean_instead_of_sum"), (stub, "bias_not_summed")}
    assert wanted <= codes, wanted - codes
    for stub in tiers:  # both kinds of wrong layer: W^l for W^{l+1} (BP2), a^l for a^{l-1} (BP4)
        assert sum(m.code == "wrong_layer" for m in MUTANTS[stub]) == 2
    assert sum(m.code == "one_sided_difference" for m in MUTANTS["numerical_gradient"]) == 2
    assert {stub for stub, _ in MUTANT_PAIRS} <= set(names())
    assert all(m.message and m.message[-1] in ".)" for _, m in MUTANT_PAIRS)


# Mutants of the mutation tool (tests/test_mutation_adequacy.py) that are mistakes
# students make: the catalog names them. (stub, code, the reference cell with the slip)
TOOL_FINDS = [
    ("backprop_1D", "wrong_layer", ("w[i + 1]", "w[i - 1]"), "w[i - 1]"),
    ("bp2_hidden_error", "transposed", ("W_next.T @", "W_next @"), "W_next.T @ delta_next"),
]


@pytest.mark.task("mutation adequacy")
@pytest.mark.parametrize("stub,code,slip,words", TOOL_FINDS, ids=[f[0] for f in TOOL_FINDS])
def test_what_the_mutation_tool_found_is_named(stub, code, slip, words):
    source = reference_source(stub)
    assert slip[0] in source
    found = verdicts(notebook_env(source.replace(*slip)), stub)
    assert not found["reference"].passed
    assert code in {c for v in found.values() for c in v.diagnoses}
    assert any(words in message for v in found.values() for message in v.messages)


@pytest.mark.parametrize("stub,m", MUTANT_PAIRS, ids=MUTANT_IDS)
def test_every_mutant_is_wrong_on_the_hidden_cases(stub, m):
    wrong = [c for c in cases(stub) if (v := value(m.fn, c.args)) is not None
             and not same(v, value(REFERENCES[stub], c.args))]
    assert wrong, f"{m.source} gives the reference's answer on every hidden case"


@pytest.mark.parametrize("stub,m", MUTANT_PAIRS, ids=MUTANT_IDS)
def test_the_judge_names_every_mutant_planted_as_a_students_cell(stub, m):
    env = notebook_env(planted(m))
    found = verdicts(env, stub)
    assert not all(v.passed for v in found.values())
    named = {code for v in found.values() for code in v.diagnoses}
    assert m.code in named, (named, [msg for v in found.values() for msg in v.messages][:4])
    # The planted cell is the mutant: same numbers on every hidden case.
    for case in cases(stub):
        a, b = value(env[stub], case.args), value(m.fn, case.args)
        assert (a is None and b is None) or same(a, b)


@pytest.mark.parametrize("stub,m", MUTANT_PAIRS, ids=MUTANT_IDS)
def test_mutants_leave_their_inputs_alone_unless_that_is_the_mistake(stub, m):
    mutated = [call(m.fn, c.args).mutated for c in cases(stub)]
    assert any(mutated) == (m.code == "mutates_inputs"), mutated


@pytest.mark.parametrize("stub,m", MUTANT_PAIRS, ids=MUTANT_IDS)
def test_planted_cells_are_self_contained_student_code(stub, m):
    source = planted(m)
    assert source.startswith(f"def {stub}({parameters(stub)}")
    tree = ast.parse(source)
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    defined |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store)}
    defined |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                for a in [*n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    # At grading time a stub sees the reference versions of the stubs it builds on; any
    # other name would have to come from elsewhere in the student's notebook.
    outside = used - defined - set(dir(builtins)) - BUILDS_ON.get(stub, set()) - {"np"}
    assert not outside, outside
    assert "import" not in source and "backprop_lab" not in source


@pytest.mark.parametrize("stub", sorted(MUTANTS))
def test_a_right_answer_is_named_nothing(stub):
    # diagnose runs on every failing case, "inputs unchanged" included, where the value
    # may be right: no mutant may name it.
    for case in cases(stub):
        right = value(REFERENCES[stub], case.args)
        assert diagnose(stub, case.args, right, relative_close) == []


@pytest.mark.parametrize("stub,m", MUTANT_PAIRS, ids=MUTANT_IDS)
def test_a_mutant_never_repeats_what_compare_already_said(stub, m):
    for case in cases(stub):
        got = value(m.fn, case.args)
        expected = value(REFERENCES[stub], case.args)
        if got is None or same(got, expected):
            continue
        batch = len(case.args[0]) if question(stub).batched else None
        contract = question(stub).contract  # as the judge compares: with the stub's hints
        generic = compare(expected, got, contract.labeller(), batch=batch,
                          close=relative_close, hints=contract.hints).diagnoses
        codes = [code for code, _ in diagnose(stub, case.args, got, relative_close)]
        assert len(codes) == len(set(codes)) and not set(codes) & set(generic), (codes, generic)
        assert m.code in codes + generic, (case.context, codes, generic)


def test_diagnose_sees_a_chain_returned_as_arrays():
    m = next(m for m in MUTANTS["backprop_1D"] if m.code == "missing_sigmoid_prime")
    case = draw_cases("backprop_1D", "reference")[0]
    dw, db = m.fn(*copy.deepcopy(case.args))
    got = value(lambda *args: (np.array(dw), np.array(db)), case.args)
    assert ("missing_sigmoid_prime", m.message) in diagnose("backprop_1D", case.args, got,
                                                            relative_close)


@pytest.mark.parametrize("stub,code,source", GENERIC, ids=GENERIC_IDS)
def test_the_judge_names_the_generic_mistakes(stub, code, source):
    found = verdicts(notebook_env(source or unimplemented(stub)), stub)
    assert not all(v.passed for v in found.values())
    assert code in {c for v in found.values() for c in v.diagnoses}


@pytest.mark.parametrize("key", STYLES, ids=STYLE_IDS)
def test_right_answers_in_other_styles_pass_without_diagnosis(key):
    env = notebook_env(*STYLES[key].values())
    for stub in STYLES[key]:
        for part, v in verdicts(env, stub).items():
            assert v.passed and not v.diagnoses, (stub, part, v.messages)


# --- slow: every pair through the real pipeline, one grade() call -------------------

def top_level(source: str) -> dict[str, str]:
    """The names a cell defines at its top level, each with the source of its definition."""
    tree = ast.parse(source)
    return {node.name: ast.unparse(node) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def packed(pairs: list[tuple], home: dict[str, str]) -> list[list[tuple]]:
    """``pairs`` (stub, code, source, label) packed into notebooks, first fit: each holds at
    most one planted cell per stub, of one assignment, and no two of its cells define one
    helper differently. The spec makes them independent (a stub is graded with the
    reference of every stub it calls, and so are the helpers it calls), which the test
    checks too: each question without a planted cell must keep full marks."""
    notebooks: list[list[tuple]] = []
    for pair in pairs:
        stub, _, source, _ = pair
        names = top_level(source) if source else {}
        for nb in notebooks:
            taken = {n: d for other in nb if other[2] for n, d in top_level(other[2]).items()}
            if (home[nb[0][0]] == home[stub] and all(o[0] != stub for o in nb)
                    and all(taken.get(n, d) == d for n, d in names.items())):
                nb.append(pair)
                break
        else:
            notebooks.append([pair])
    return notebooks


@pytest.fixture(scope="module")
def graded(dist, tmp_path_factory):
    from backprop_lab.grade import grade

    students = {p.stem: read(p) for p in sorted(dist.glob("*/student/*.ipynb"))}
    home = {stub: name for name, nb in students.items() for stub in stub_cells(nb)}
    folder = tmp_path_factory.mktemp("mutants")
    expect = {}  # file name -> [(stub, code, label)...] or (assignment, None, style)
    pairs = [(stub, m.code, planted(m), m.source.splitlines()[-1].strip())
             for stub, m in MUTANT_PAIRS]
    pairs += [(stub, code, source, "(generic)") for stub, code, source in GENERIC]
    for i, group in enumerate(packed(pairs, home)):
        nb = students[home[group[0][0]]]
        sources = {}
        for stub, _, source, _ in group:
            # None: the student's cell as given ("...")
            sources[stub] = source or "".join(nb["cells"][stub_cells(nb)[stub]]["source"])
        name = f"{i:03d}-{home[group[0][0]]}.ipynb"
        write(filled(nb, sources), folder / name)
        expect[name] = [(stub, code, label) for stub, code, _, label in group]
    for assignment, style in STYLES:
        name = f"right-{assignment}-{style}.ipynb"
        write(filled(students[assignment], STYLES[assignment, style]), folder / name)
        expect[name] = (assignment, None, style)
    out = tmp_path_factory.mktemp("mutants-graded")
    summary = grade([folder], out, autograder_dir=dist, workers=2, progress=False)
    return expect, {r["submission"]: r for r in summary.records}


def test_packing_keeps_every_pair_once_and_apart_from_its_own_stub():
    students = {"a": ["f", "g"], "b": ["h"]}
    home = {stub: a for a, stubs in students.items() for stub in stubs}
    helper = "def helper(x):\n    return x\n"
    other = "def helper(x):\n    return -x\n"
    pairs = [("f", "1", "def f(x):\n    return 1\n" + helper, ""),
             ("f", "2", None, ""), ("g", "3", "def g(x):\n    return 3\n" + other, ""),
             ("g", "4", "def g(x):\n    return 4\n" + helper, ""), ("h", "5", None, "")]
    groups = packed(pairs, home)
    assert sorted(map(str, (p for g in groups for p in g))) == sorted(map(str, pairs))
    assert [[p[1] for p in g] for g in groups] == [["1", "4"], ["2", "3"], ["5"]]


@pytest.mark.slow
def test_mutation_score_every_planted_mistake_costs_its_question_and_is_named(graded):
    expect, records = graded
    rows, misses = [], []
    for name, group in expect.items():
        if isinstance(group, tuple):
            continue
        r = records[name]
        planted_stubs = {stub for stub, _, _ in group}
        others = [q for q in r["questions"] if q["name"] not in planted_stubs]
        clean = all(q["score"] == q["max_score"] and not q["diagnoses"] for q in others)
        for stub, code, label in group:
            mine = [q for q in r["questions"] if q["name"] == stub]
            lost = mine[0]["max_score"] - mine[0]["score"] if mine else 0.0
            named = bool(mine) and code in mine[0]["diagnoses"]
            ok = r["status"] == "graded" and lost > 0 and named and clean
            rows.append(f"{stub:22} {code:28} {lost:4.1f} {'yes' if named else 'NO':4} "
                        f"{'' if clean else 'OTHERS HIT '}{label[:60]}")
            if not ok:
                misses.append((name, stub, code, r["status"], r.get("reason"), mine, [
                    q for q in others if q["score"] != q["max_score"] or q["diagnoses"]]))
    print(f"\n{'stub':22} {'mistake':28} lost named  (mutant's line)")
    print("\n".join(rows))
    print(f"{len(rows) - len(misses)} of {len(rows)} pairs lose points and are named")
    assert len(rows) == len(MUTANT_PAIRS) + len(GENERIC)
    assert not misses, misses


@pytest.mark.slow
def test_right_answers_in_other_styles_earn_full_marks_and_no_diagnosis(graded):
    expect, records = graded
    for name, group in expect.items():
        if not isinstance(group, tuple):
            continue
        assignment, _, style = group
        r = records[name]
        assert r["status"] == "graded" and r["assignment"] == assignment, r
        assert r["score"] == r["max_score"] and not r["flags"], (style, r)
        for q in r["questions"]:
            assert q["score"] == q["max_score"] and not q["diagnoses"], (style, q)
