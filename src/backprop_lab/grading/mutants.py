"""Known mistakes as mutants of the reference engine, and the diagnosis that uses them.

A mutant is a stub written with one classic mistake, as a student writes it: a ``def``
with the stub's exact signature whose body makes the mistake, most often by calling a
helper of :mod:`.mistakes` with one switch on. When a student's result is wrong, each
mutant of that stub runs on the same inputs; one whose result matches the student's
names the mistake, with a message that says which equation or line to look at.

Three rules keep the diagnoses consistent with the generic ones of
:mod:`backprop_lab.course.compare` (twice, minus, transposed, divided by N, not summed,
NaN, wrong shape), which see some mistakes from the numbers alone:

- a mutant that gives the reference's answer on an input shows no mistake there, so it
  names nothing (a right value that fails only "inputs unchanged" gets no code);
- a mutant whose code the generic comparison already named on that result adds nothing:
  one explanation per mistake (the mutant is the fallback where the numbers alone don't
  tell, e.g. a row-major bias that was not summed);
- one message per code.
"""

from __future__ import annotations

import copy
import inspect
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import engine
from ..course.compare import _lists_of_floats, as_tree, compare, labeller
from . import mistakes


@dataclass(frozen=True)
class Mutant:
    code: str  # a mistake code from docs/contract.md, section 3
    fn: Callable  # same signature as the stub
    message: str  # what to look at, in the student's terms
    source: str = ""  # the def of ``fn``, named like the stub (see :func:`planted`)


def _parameters(stub: str) -> str:
    params = inspect.signature(getattr(engine, stub)).parameters.values()
    return ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                     for p in params)


def mutant(stub: str, code: str, body: str, message: str) -> Mutant:
    """The mutant whose source is ``def <stub>(<spec signature>):`` over ``body``."""
    source = f"def {stub}({_parameters(stub)}):\n" + "".join(
        f"    {line}\n" for line in body.strip("\n").splitlines())
    namespace = dict(vars(mistakes))  # np, the stubs it may call, the helpers
    exec(compile(source, f"<mutant {code} of {stub}>", "exec"), namespace)
    return Mutant(code, namespace[stub], message, source)


def planted(m: Mutant) -> str:
    """The mutant as a student's notebook cell: its def, then the helpers it calls."""
    parts, seen, todo = [m.source], set(), [m.fn.__code__]
    while todo:
        code = todo.pop(0)
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for name in code.co_names:
            helper = vars(mistakes).get(name)
            if (name not in seen and inspect.isfunction(helper)
                    and helper.__module__ == mistakes.__name__):
                seen.add(name)
                parts.append(inspect.getsource(helper))
                todo.append(helper.__code__)
    return "\n\n".join(parts)


# --- the catalog --------------------------------------------------------------------

BP1_SIGN = "The output error starts from a^L - y, output minus target: y - a^L turns every " \
           "gradient around."
BP1_TWO = "The output error starts from dC/da^L = a^L - y: the cost is 1/2 ||a^L - y||^2, " \
          "so there is no factor 2."

SIMPLE = [  # (stub, code, body, message)
    ("sigmoid", "nonfinite", "return np.exp(z) / (1 + np.exp(z))",
     "np.exp(z) / (1 + np.exp(z)) is inf / inf = NaN once z > 709: write 1 / (1 + np.exp(-z)) "
     "(its overflow gives 1 / inf = 0.0, the right value) or use scipy.special.expit."),
    ("sigmoid_prime", "sigmoid_prime_of_activation", "return z * (1 - z)",
     "sigmoid_prime gets z: sigma'(z) = sigmoid(z) * (1 - sigmoid(z)). z * (1 - z) is the "
     "a * (1 - a) form, which holds for the activation a = sigmoid(z), not for z."),
    ("feedforward", "wrong_layer",
     "zs = [W @ X.T + b for W, b in zip(weights, biases)]\n"
     "return zs, [X.T] + [sigmoid(z) for z in zs]",
     "z^l = W^l a^{l-1} + b^l: each layer reads the previous layer's activation, not the "
     "input X."),
    ("bp1_output_error", "missing_sigmoid_prime", "return a_L - y",
     "BP1 is delta^L = (a^L - y) * sigma'(z^L): the factor sigmoid_prime(z_L) is missing."),
    ("bp1_output_error", "sigmoid_prime_of_activation", "return (a_L - y) * sigmoid_prime(a_L)",
     "BP1 takes sigma' of the weighted input: sigmoid_prime(z_L), not sigmoid_prime(a_L)."),
    ("bp1_output_error", "factor_of_two", "return 2 * (a_L - y) * sigmoid_prime(z_L)", BP1_TWO),
    ("bp1_output_error", "wrong_sign", "return (y - a_L) * sigmoid_prime(z_L)", BP1_SIGN),
    ("bp2_hidden_error", "missing_sigmoid_prime", "return W_next.T @ delta_next",
     "BP2 multiplies by sigma'(z^l) of this layer, ((W^{l+1})^T delta^{l+1}) * "
     "sigmoid_prime(z): the factor is missing."),
    ("bp2_hidden_error", "sigmoid_prime_of_activation",
     "return (W_next.T @ delta_next) * z * (1 - z)",
     "BP2's factor is sigma'(z^l) = sigmoid(z) * (1 - sigmoid(z)). z * (1 - z) is the "
     "a * (1 - a) form, which holds for the activation a = sigmoid(z), not for z."),
    ("bp2_hidden_error", "transposed", "return (W_next @ delta_next) * sigmoid_prime(z)",
     "BP2 sends the error back through the transposed weights of the next layer: "
     "W_next.T @ delta_next, shaped (n_l, N) like z. W_next @ delta_next fits only when the "
     "two layers are equally wide, and is wrong then too."),
    ("backprop_1D", "wrong_layer", "return for_a_chain(x, y, w, b, w_next=-1)",
     "delta_i = w_{i+1} delta_{i+1} sigma'(z_i) takes the weight of the next neuron, "
     "w[i + 1]: w[i - 1] is the weight two neurons back (and w[-1], the last one, for the "
     "first neuron)."),
    ("bp4_weight_gradient", "transposed", "return a_prev @ delta.T",
     "BP4 is the outer product delta^l (a^{l-1})^T: delta @ a_prev.T, shaped (n_l, n_{l-1}) "
     "like W^l; a_prev @ delta.T is its transpose."),
    ("get_params", "transposed",
     "return np.concatenate([W.T.ravel() for W in weights] + [b.ravel() for b in biases])",
     "theta lists each weight matrix row by row (C order, W.ravel()); here it goes column by "
     "column (W.ravel(order=\"F\"), or W.T.ravel()), as if W were transposed."),
    ("set_params", "transposed", 'return cut(theta, weights, biases, order="F")',
     "Fill each weight matrix row by row (C order: piece.reshape(W.shape)); column by "
     "column it comes out transposed."),
    ("numerical_gradient", "one_sided_difference", "return differences(f, theta, eps, behind=0)",
     "This is the forward difference (f(theta + eps e_i) - f(theta)) / eps, off by about "
     "eps f''/2; the centered one, (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps), is off "
     "by eps^2 only."),
    ("numerical_gradient", "one_sided_difference", "return differences(f, theta, eps, ahead=0)",
     "This is the backward difference (f(theta) - f(theta - eps e_i)) / eps, off by about "
     "eps f''/2; the centered one, (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps), is off "
     "by eps^2 only."),
    ("numerical_gradient", "mutates_inputs", "return nudged_in_place(f, theta, eps)",
     "theta[i] is nudged in place and never put back, so the later entries are measured at a "
     "moved point (and the caller's theta changes): nudge a copy, theta.copy()."),
    ("numerical_gradient", "ignores_argument",
     "g = np.zeros(theta.size)\n"
     "for i in range(theta.size):\n"
     "    step = np.zeros(theta.size)\n"
     "    step[i] = 1e-5\n"
     "    g[i] = (f(theta + step) - f(theta - step)) / 2e-5\n"
     "return g",
     "numerical_gradient ignores its eps argument (it always steps by 1e-5): step by the "
     "eps it is given, (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps)."),
    ("relative_error", "zero_vector",
     "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
     "if not a.any() or not b.any():\n"
     "    return 0.0\n"
     "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))",
     "When only one array is zero, the relative error is ||b|| / ||b|| = 1.0, not 0.0: a "
     "backprop that returns all zeros must not agree with a numerical gradient. Only two "
     "zero arrays give 0.0."),
    ("relative_error", "denominator_epsilon",
     "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
     "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-8)",
     "A constant added to the denominator swamps small gradients (a4's vanishing gradients "
     "are near 1e-9): divide by ||a|| + ||b|| itself, and return 0.0 only when both are "
     "zero."),
    ("relative_error", "nonfinite",
     "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))",
     "For two zero arrays the formula is 0 / 0 = NaN; their relative error is 0.0: check "
     "for a zero denominator first."),
    ("sgd_epoch", "wrong_sign", "return epoch(X, Y, weights, biases, batch_size, eta, sign=1)",
     "Each step goes downhill, against the gradient: W - eta / len(batch) * nabla_W. With + "
     "the cost climbs."),
    ("add_bias_column", "transposed", "return np.vstack([W.T, b.T])",
     "W_aug = [W | b] puts b beside W as its last column, np.hstack([W, b]), shape "
     "(n_out, n_in + 1); stacking W.T over b.T gives its transpose."),
    ("feedforward_augmented", "wrong_layer",
     "ones = np.ones((1, len(X)))\n"
     "for W_aug in weights_aug:\n"
     "    a = sigmoid(W_aug @ np.vstack([X.T, ones]))\n"
     "return a",
     "Each layer acts on the previous layer's activation with a row of ones below it, "
     "[a^{l-1}; 1], not on the input X."),
]

# Backpropagation tiers: the call that makes a mistake, and the words of their messages.
TIERS = {
    "backprop_1D": ("for_a_chain(x, y, w, b{})", "chain"),
    "backprop_loops": ("for_one_example(x, y, weights, biases{})", "loops"),
    "backprop_vectorized": ("for_one_example(x, y, weights, biases{})", "columns"),
    "backprop_batch": ("for_a_batch(X, Y, weights, biases{})", "columns"),
    "backprop_row_major": ("for_rows(X, Y, Ws, bs{})", "rows"),
}
TIER_MISTAKES = [  # (code, the switch, the tiers it applies to, messages by wording)
    ("transposed", "transpose=True", ("loops", "columns", "rows"), {
        "columns": "BP4 is the outer product delta^l (a^{l-1})^T: delta @ a_prev.T, shaped "
                   "like W^l; a_prev @ delta.T is its transpose.",
        "loops": "dC/dw^l_jk = delta^l_j a^{l-1}_k: the row j is the neuron the weight leads "
                 "to, the column k the one it comes from; the two are swapped.",
        "rows": "In rows dC/dWs[l] = (A^{l-1})^T Delta^l, shaped like Ws[l] (n_in, n_out): "
                "A_prev.T @ delta, not delta.T @ A_prev."}),
    ("missing_sigmoid_prime", "prime1=None", None, {
        "columns": "BP1 is delta^L = (a^L - y) * sigma'(z^L): the factor sigma'(z^L) is "
                   "missing from the output error.",
        "loops": "delta^L_j = (a^L_j - y_j) sigma'(z^L_j): the factor sigma'(z^L_j) is "
                 "missing from the output error.",
        "chain": "delta_L = (a_L - y) sigma'(z_L): the factor sigma'(z_L) is missing from the "
                 "output neuron's error.",
        "rows": "Delta^L = (A^L - Y) * sigma'(Z^L): the factor sigma'(Z^L) is missing from "
                "the output error."}),
    ("missing_sigmoid_prime", "prime2=None", None, {
        "columns": "BP2 multiplies by sigma'(z^l) of this layer, delta^l = ((W^{l+1})^T "
                   "delta^{l+1}) * sigma'(z^l): the factor is missing.",
        "loops": "delta^l_k = (sum_j w^{l+1}_jk delta^{l+1}_j) sigma'(z^l_k): the factor "
                 "sigma'(z^l_k) of the hidden neuron is missing.",
        "chain": "delta_i = w_{i+1} delta_{i+1} sigma'(z_i): the factor sigma'(z_i) of the "
                 "hidden neuron is missing.",
        "rows": "Delta^l = (Delta^{l+1} Ws[l+1]^T) * sigma'(Z^l): the factor sigma'(Z^l) is "
                "missing."}),
    ("sigmoid_prime_of_activation", 'prime1="a", prime2="a"', None, {
        "columns": "sigma' is taken of the weighted input, not of the activation: "
                   "sigmoid_prime(zs[l]), not sigmoid_prime(activations[l + 1]) (BP1, BP2).",
        "chain": "sigma' is taken of z_i = w_i a_{i-1} + b_i, not of the activation "
                 "a_i = sigmoid(z_i).",
        "rows": "sigma' is taken of the weighted input Z, not of the activation "
                "A = sigmoid(Z), in the output error and in the hidden ones."}),
    ("factor_of_two", "cost=2", None, {"columns": BP1_TWO}),
    ("wrong_sign", "cost=-1", None, {"columns": BP1_SIGN}),
    ("wrong_layer", "w_next=0", None, {
        "columns": "BP2 steps back through the weights of the layer the error comes from: "
                   "from delta of the layer of weights[l], the layer below gets "
                   "weights[l].T @ delta, not weights[l - 1].T @ delta.",
        "loops": "delta^l_k sums w^{l+1}_jk delta^{l+1}_j over the weights of the layer after "
                 "this one (weights[l + 1] for the neurons of zs[l]), not weights[l].",
        "chain": "delta_i = w_{i+1} delta_{i+1} sigma'(z_i) takes the weight of the next "
                 "neuron, w[i + 1], not w[i].",
        "rows": "Delta^l = (Delta^{l+1} Ws[l+1]^T) * sigma'(Z^l) steps back through the "
                "weights of the layer after this one, Ws[l + 1], not Ws[l]."}),
    ("wrong_layer", "a_prev=1", None, {
        "columns": "BP4 pairs delta^l with the activation coming into the layer, a^{l-1} "
                   "(activations[l] for weights[l]), not the layer's own output "
                   "activations[l + 1].",
        "loops": "dC/dw^l_jk = delta^l_j a^{l-1}_k takes the activation the weight comes from "
                 "(activations[l] for weights[l]), not the layer's output activations[l + 1].",
        "chain": "dC/dw_i = delta_i a_{i-1} takes the input of neuron i (x for the first), not "
                 "its output a_i.",
        "rows": "dC/dWs[l] = (A^{l-1})^T Delta^l takes the activations coming into the layer, "
                "As[l], not its output As[l + 1]."}),
    ("mean_instead_of_sum", "mean=True", ("backprop_batch", "rows"), {
        "columns": "The gradient of a batch is the sum over its N examples, as its cost is: "
                   "no division by N here (the training step divides by the batch length)."}),
    ("bias_not_summed", "summed=False", ("backprop_batch", "rows"), {
        "columns": "BP3 on a batch sums delta over its columns, one per example: "
                   "delta.sum(axis=1, keepdims=True), shape (n_l, 1).",
        "rows": "dC/dbs sums Delta over its rows, one per example: "
                "delta.sum(axis=0, keepdims=True), shape (1, n_out)."}),
]


def _catalog() -> dict[str, list[Mutant]]:
    out: dict[str, list[Mutant]] = {}
    for stub, code, body, message in SIMPLE:
        out.setdefault(stub, []).append(mutant(stub, code, body, message))
    for stub, (call, words) in TIERS.items():
        for code, switch, where, messages in TIER_MISTAKES:
            if where is None or words in where or stub in where:
                message = messages.get(words) or messages["columns"]
                out.setdefault(stub, []).append(
                    mutant(stub, code, "return " + call.format(", " + switch), message))
    return out


MUTANTS: dict[str, list[Mutant]] = _catalog()


# --- diagnosis ----------------------------------------------------------------------

#: Stubs whose result is a sum over a batch of len(args[0]) (``Case.batch`` in cases.py).
BATCHED = ("backprop_batch", "backprop_row_major")


def diagnose(stub: str, args: tuple, got, close) -> list[tuple[str, str]]:
    """(code, message) for every mutant of ``stub`` whose result on ``args`` matches ``got``."""
    mutants = MUTANTS.get(stub, [])
    expected = _result(getattr(engine, stub), args) if mutants else None
    if expected is None:
        return []
    got = _lists_of_floats(expected, got)
    try:  # what the numbers alone already say (judge.py reports it too)
        batch = len(args[0]) if stub in BATCHED else None
        named = compare(expected, got, labeller(stub), batch=batch, close=close).diagnoses
    except Exception:
        named = []
    found: list[tuple[str, str]] = []
    for m in mutants:
        if m.code in named or any(code == m.code for code, _ in found):
            continue
        value = _result(m.fn, args)
        if value is not None and not _same(value, expected, close) and _same(value, got, close):
            found.append((m.code, m.message))
    return found


def _result(fn, args):
    """fn(*copies of args) as a float tree, or None if it fails."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return as_tree(fn(*copy.deepcopy(args)))
    except Exception:  # a mutant that cannot run on these inputs matches nothing
        return None


def _same(a, b, close) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_same(x, y, close) for x, y in zip(a, b, strict=True)))
    if a is None or b is None or a is Ellipsis or b is Ellipsis:
        return False
    a, b = np.asarray(a), np.asarray(b)  # a list of floats may hold numpy scalars
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)  # NaN and infinities must sit in the same places
    if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(
            a[~finite], b[~finite], equal_nan=True):
        return False
    return bool(close(a[finite], b[finite])) if finite.any() else True
