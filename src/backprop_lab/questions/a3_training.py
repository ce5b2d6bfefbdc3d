"""The questions of a3 (``assignments/a3_training.ipynb``): parameters as one vector,
gradient checking, and an epoch of mini-batch SGD."""

from __future__ import annotations

from .. import engine
from . import sweeps
from . import training_cases as cases
from .a2_backprop import BACKPROP_PARTS
from .question import Mistake, Question

GET_PARAMS = Question(
    "get_params", "a3_training", engine.get_params, cases.get_params_cases,
    sweep=sweeps.parameters_of_a_batch,
    outputs="theta",
    mistakes=(
        Mistake("transposed",
                "return np.concatenate([W.T.ravel() for W in weights]"
                " + [b.ravel() for b in biases])",
                "theta lists each weight matrix row by row (C order, W.ravel()); here it "
                "goes column by column (W.ravel(order=\"F\"), or W.T.ravel()), as if W "
                "were transposed."),
        Mistake("wrong_order",
                "return np.concatenate([b.ravel() for b in biases]"
                " + [W.ravel() for W in weights])",
                "theta holds every weight matrix first, layer by layer, then every bias: "
                "here the biases come first.",
                summary="the right numbers in the wrong order or place"),
        Mistake("wrong_order",
                "return np.concatenate([p.ravel() for W, b in zip(weights, biases)"
                " for p in (W, b)])",
                "theta holds every weight matrix first, layer by layer, then every bias: "
                "here each layer's bias follows its weights (W1, b1, W2, b2, ...)."),
    ),
)

SET_PARAMS = Question(
    "set_params", "a3_training", engine.set_params, cases.set_params_cases,
    sweep=sweeps.set_params,
    outputs=("new_weights", "new_biases"),
    mistakes=(
        Mistake("transposed",
                "return cut(theta, weights, biases, order=\"F\")",
                "Fill each weight matrix row by row (C order: piece.reshape(W.shape)); "
                "column by column it comes out transposed."),
    ),
)

NUMERICAL_GRADIENT = Question(
    "numerical_gradient", "a3_training", engine.numerical_gradient,
    cases.numerical_gradient_cases, sweep=sweeps.numerical_gradient,
    outputs="the numerical gradient",
    hints={"factor_of_two": ": a centered difference divides by 2 eps, the distance "
                            "between its two points",
           "wrong_sign": ": f(theta + eps e_i) comes first in the difference"},
    mistakes=(
        Mistake("one_sided_difference",
                "return differences(f, theta, eps, behind=0)",
                "This is the forward difference (f(theta + eps e_i) - f(theta)) / eps, off "
                "by about eps f''/2; the centered one, (f(theta + eps e_i) - f(theta - eps "
                "e_i)) / (2 eps), is off by eps^2 only."),
        Mistake("one_sided_difference",
                "return differences(f, theta, eps, ahead=0)",
                "This is the backward difference (f(theta) - f(theta - eps e_i)) / eps, "
                "off by about eps f''/2; the centered one, (f(theta + eps e_i) - f(theta - "
                "eps e_i)) / (2 eps), is off by eps^2 only."),
        Mistake("mutates_inputs",
                "return nudged_in_place(f, theta, eps)",
                "theta[i] is nudged in place and never put back, so the later entries are "
                "measured at a moved point (and the caller's theta changes): nudge a copy, "
                "theta.copy()."),
        Mistake("ignores_argument",
                "g = np.zeros(theta.size)\n"
                "for i in range(theta.size):\n"
                "    step = np.zeros(theta.size)\n"
                "    step[i] = 1e-5\n"
                "    g[i] = (f(theta + step) - f(theta - step)) / 2e-5\n"
                "return g",
                "numerical_gradient ignores its eps argument (it always steps by 1e-5): "
                "step by the eps it is given, (f(theta + eps e_i) - f(theta - eps e_i)) / "
                "(2 eps)."),
    ),
)

RELATIVE_ERROR = Question(
    "relative_error", "a3_training", engine.relative_error, cases.relative_error_cases,
    sweep=sweeps.relative_error,
    outputs="the relative error",
    hints={},  # twice or minus a relative error means nothing known
    mistakes=(
        Mistake("zero_vector",
                "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
                "if not a.any() or not b.any():\n"
                "    return 0.0\n"
                "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))",
                "When only one array is zero, the relative error is ||b|| / ||b|| = 1.0, "
                "not 0.0: a backprop that returns all zeros must not agree with a "
                "numerical gradient. Only two zero arrays give 0.0."),
        Mistake("denominator_epsilon",
                "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
                "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-8)",
                "A constant added to the denominator swamps small gradients (a4's "
                "vanishing gradients are near 1e-9): divide by ||a|| + ||b|| itself, and "
                "return 0.0 only when both are zero."),
        Mistake("nonfinite",
                "return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))",
                "For two zero arrays the formula is 0 / 0 = NaN; their relative error is "
                "0.0: check for a zero denominator first."),
        Mistake("other_relative_error",
                "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
                "den = np.abs(a).sum() + np.abs(b).sum()\n"
                "return 0.0 if den == 0 else np.abs(a - b).sum() / den",
                "These are L1 norms (sums of |entries|): the relative error uses Euclidean "
                "norms, np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)).",
                summary="another formula for the relative error (other norms, "
                        "max(||a||, ||b||), CS231n's elementwise one)"),
        Mistake("other_relative_error",
                "a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
                "den = np.sum(a ** 2) + np.sum(b ** 2)\n"
                "return 0.0 if den == 0 else np.sum((a - b) ** 2) / den",
                "These are squared norms: the relative error divides the norms themselves, "
                "np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)), square "
                "roots taken."),
        Mistake("other_relative_error",
                "na, nb = np.linalg.norm(a), np.linalg.norm(b)\n"
                "return 0.0 if na + nb == 0 else abs(na - nb) / (na + nb)",
                "The numerator is the norm of the difference, ||a - b||, not the difference "
                "of the norms | ||a|| - ||b|| | (two different vectors of one length would "
                "agree)."),
    ),
)

SGD_EPOCH = Question(
    "sgd_epoch", "a3_training", engine.sgd_epoch, cases.sgd_cases,
    sweep=sweeps.sgd,
    outputs=("weights", "biases"),
    hints={"wrong_sign": ": each step goes against the gradient, W - eta / len(batch) "
                         "* nabla_W"},
    # Nielsen's SGD calls a per-example backprop, a vectorized one or a batch one.
    builds_on=BACKPROP_PARTS | {"backprop_batch", "backprop_vectorized", "backprop_loops"},
    mistakes=(
        Mistake("wrong_sign",
                "return epoch(X, Y, weights, biases, batch_size, eta, sign=1)",
                "Each step goes downhill, against the gradient: W - eta / len(batch) * "
                "nabla_W. With + the cost climbs."),
        Mistake("step_not_averaged",
                "return epoch(X, Y, weights, biases, batch_size, eta, per=None)",
                "backprop_batch returns the gradient summed over the batch: the step is "
                "eta / len(X_batch) times it, W - eta / len(X_batch) * nabla_W.",
                summary="a step of eta times the summed gradient, not eta / len(batch)"),
        Mistake("short_batch_step",
                "return epoch(X, Y, weights, biases, batch_size, eta, per=\"batch_size\")",
                "The last batch is shorter when batch_size does not divide N: divide by the "
                "length of the batch, eta / len(X_batch), not by batch_size.",
                summary="the shorter last batch stepped by eta / batch_size"),
        Mistake("last_batch_dropped",
                "return epoch(X, Y, weights, biases, batch_size, eta, last=False)",
                "The last batch is shorter when batch_size does not divide N, and it is used "
                "too: range(0, len(X), batch_size) reaches it.",
                summary="the shorter last mini-batch left out"),
    ),
)
