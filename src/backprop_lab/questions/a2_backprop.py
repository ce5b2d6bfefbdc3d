"""The questions of a2 (``assignments/a2_backprop.ipynb``): backpropagation neuron by
neuron, BP1-BP4 as matrix code, one example at a time and a batch at once."""

from __future__ import annotations

from .. import engine
from . import sweeps
from .cases import batch_cases, batch_pairs, bp_cases, single_example_cases
from .question import Mistake, Question
from .tier_mistakes import BP1_SIGN, BP1_TWO, GRADIENT_HINTS, tier_mistakes

ACTIVATIONS = frozenset({"sigmoid", "sigmoid_prime"})
#: What a full backprop is meant to call: BP1-BP4, sigma, sigma' and the forward pass (no
#: full backprop builds on another).
BACKPROP_PARTS = ACTIVATIONS | {"feedforward", "bp1_output_error", "bp2_hidden_error",
                                "bp3_bias_gradient", "bp4_weight_gradient"}

#: The way most students write a backprop from BP1-BP4 where the reference computes BP1
#: and BP2 inline: the public checks record its calls too, so a wrong BP1 fails only
#: BP1's own check.
FROM_BLOCKS = """
def {name}({x}, {y}, weights, biases):
    zs, activations = feedforward({x_rows}, weights, biases)
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = bp1_output_error(activations[-1], zs[-1], {y_cols})
    nabla_b[-1] = bp3_bias_gradient(delta)
    nabla_w[-1] = bp4_weight_gradient(delta, activations[-2])
    for l in range(L - 2, -1, -1):
        delta = bp2_hidden_error(weights[l + 1], delta, zs[l])
        nabla_b[l] = bp3_bias_gradient(delta)
        nabla_w[l] = bp4_weight_gradient(delta, activations[l])
    return nabla_w, nabla_b
"""

BACKPROP_LOOPS = Question(
    "backprop_loops", "a2_backprop", engine.backprop_loops, single_example_cases,
    sweep=sweeps.one_example,
    outputs=("nabla_w", "nabla_b"), hints=GRADIENT_HINTS,
    builds_on=ACTIVATIONS | {"feedforward"},
    mistakes=tier_mistakes("backprop_loops", "for_one_example(x, y, weights, biases{})",
                           "loops"),
)

BP1_OUTPUT_ERROR = Question(
    "bp1_output_error", "a2_backprop", engine.bp1_output_error, bp_cases(1),
    sweep=sweeps.bp1,
    outputs="BP1's delta^L", hints=GRADIENT_HINTS, builds_on=ACTIVATIONS,
    mistakes=(
        Mistake("missing_sigmoid_prime",
                "return a_L - y",
                "BP1 is delta^L = (a^L - y) * sigma'(z^L): the factor sigmoid_prime(z_L) "
                "is missing."),
        Mistake("sigmoid_prime_of_activation",
                "return (a_L - y) * sigmoid_prime(a_L)",
                "BP1 takes sigma' of the weighted input: sigmoid_prime(z_L), not "
                "sigmoid_prime(a_L)."),
        Mistake("factor_of_two",
                "return 2 * (a_L - y) * sigmoid_prime(z_L)",
                BP1_TWO),
        Mistake("wrong_sign",
                "return (y - a_L) * sigmoid_prime(z_L)",
                BP1_SIGN),
        Mistake("mean_instead_of_sum",
                "return (a_L - y) * sigmoid_prime(z_L) / a_L.shape[1]",
                "BP1 is one delta^L column per example, (a^L - y) * sigma'(z^L): nothing is "
                "divided by the number of examples N (the training step divides once)."),
    ),
)

BP2_HIDDEN_ERROR = Question(
    "bp2_hidden_error", "a2_backprop", engine.bp2_hidden_error, bp_cases(2),
    sweep=sweeps.bp2,
    outputs="BP2's delta^l", hints=GRADIENT_HINTS, builds_on=ACTIVATIONS,
    mistakes=(
        Mistake("missing_sigmoid_prime",
                "return W_next.T @ delta_next",
                "BP2 multiplies by sigma'(z^l) of this layer, ((W^{l+1})^T delta^{l+1}) * "
                "sigmoid_prime(z): the factor is missing."),
        Mistake("sigmoid_prime_of_activation",
                "return (W_next.T @ delta_next) * z * (1 - z)",
                "BP2's factor is sigma'(z^l) = sigmoid(z) * (1 - sigmoid(z)). z * (1 - z) "
                "is the a * (1 - a) form, which holds for the activation a = sigmoid(z), "
                "not for z."),
        Mistake("transposed",
                "return (W_next @ delta_next) * sigmoid_prime(z)",
                "BP2 sends the error back through the transposed weights of the next "
                "layer: W_next.T @ delta_next, shaped (n_l, N) like z. W_next @ delta_next "
                "fits only when the two layers are equally wide, and is wrong then too."),
    ),
)

BP3_BIAS_GRADIENT = Question(
    "bp3_bias_gradient", "a2_backprop", engine.bp3_bias_gradient, bp_cases(3),
    sweep=sweeps.bp3,
    outputs="BP3's dC/db^l", hints=GRADIENT_HINTS,
    mistakes=(
        Mistake("bias_not_summed",
                "return delta[:, :1].copy()",
                "BP3 on a batch sums delta over all its columns, one per example: "
                "delta.sum(axis=1, keepdims=True), not the first column alone."),
    ),
)

BP4_WEIGHT_GRADIENT = Question(
    "bp4_weight_gradient", "a2_backprop", engine.bp4_weight_gradient, bp_cases(4),
    sweep=sweeps.bp4,
    outputs="BP4's dC/dW^l", hints=GRADIENT_HINTS,
    mistakes=(
        Mistake("transposed",
                "return a_prev @ delta.T",
                "BP4 is the outer product delta^l (a^{l-1})^T: delta @ a_prev.T, shaped "
                "(n_l, n_{l-1}) like W^l; a_prev @ delta.T is its transpose."),
    ),
)

BACKPROP_VECTORIZED = Question(
    "backprop_vectorized", "a2_backprop", engine.backprop_vectorized, single_example_cases,
    sweep=sweeps.one_example,
    outputs=("nabla_w", "nabla_b"), hints=GRADIENT_HINTS, builds_on=BACKPROP_PARTS,
    mistakes=tier_mistakes("backprop_vectorized", "for_one_example(x, y, weights, biases{})",
                           "columns"),
    recorded_forms=(FROM_BLOCKS.format(name="backprop_vectorized", x="x", y="y",
                                       x_rows="x.T", y_cols="y"),),
)

BACKPROP_BATCH = Question(
    "backprop_batch", "a2_backprop", engine.backprop_batch, batch_cases,
    sweep=sweeps.batch_problem,
    outputs=("nabla_w", "nabla_b"), hints=GRADIENT_HINTS, builds_on=BACKPROP_PARTS,
    batched=True,
    mistakes=tier_mistakes("backprop_batch", "for_a_batch(X, Y, weights, biases{})",
                           "columns"),
    recorded_forms=(FROM_BLOCKS.format(name="backprop_batch", x="X", y="Y", x_rows="X",
                                       y_cols="Y.T"),),
    extra_parts={"no_loop_over_examples": batch_pairs},  # Part 5: "no loop over examples"
)
