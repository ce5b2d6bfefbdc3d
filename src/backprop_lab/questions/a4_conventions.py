"""The questions of a4 (``assignments/a4_conventions.ipynb``): biases folded into the
weights, and backpropagation in the row-major convention (``A @ W``)."""

from __future__ import annotations

from .. import engine
from . import sweeps
from .cases import add_bias_cases, augmented_cases, row_major_cases
from .question import Mistake, Question
from .tier_mistakes import GRADIENT_HINTS, tier_mistakes

ADD_BIAS_COLUMN = Question(
    "add_bias_column", "a4_conventions", engine.add_bias_column, add_bias_cases,
    sweep=sweeps.add_bias,
    outputs="W_aug",
    mistakes=(
        Mistake("transposed",
                "return np.vstack([W.T, b.T])",
                "W_aug = [W | b] puts b beside W as its last column, np.hstack([W, b]), "
                "shape (n_out, n_in + 1); stacking W.T over b.T gives its transpose."),
        Mistake("wrong_order",
                "return np.hstack([b, W])",
                "W_aug = [W | b]: the bias is the last column, np.hstack([W, b]), to meet "
                "the 1 at the bottom of [a; 1]; here it is the first."),
    ),
)

FEEDFORWARD_AUGMENTED = Question(
    "feedforward_augmented", "a4_conventions", engine.feedforward_augmented,
    augmented_cases, sweep=sweeps.augmented,
    outputs="the output activations", builds_on=frozenset({"sigmoid"}),
    mistakes=(
        Mistake("wrong_layer",
                "ones = np.ones((1, len(X)))\n"
                "for W_aug in weights_aug:\n"
                "    a = sigmoid(W_aug @ np.vstack([X.T, ones]))\n"
                "return a",
                "Each layer acts on the previous layer's activation with a row of ones "
                "below it, [a^{l-1}; 1], not on the input X."),
        Mistake("wrong_order",
                "a = X.T\n"
                "for W_aug in weights_aug:\n"
                "    a = sigmoid(W_aug @ np.vstack([np.ones((1, a.shape[1])), a]))\n"
                "return a",
                "The row of ones goes below the activation, [a^{l-1}; 1], to meet the bias "
                "in the last column of W_aug; on top it meets the first weight column."),
        Mistake("missing_activation",
                "a = X.T\n"
                "for l, W_aug in enumerate(weights_aug):\n"
                "    z = W_aug @ np.vstack([a, np.ones((1, a.shape[1]))])\n"
                "    a = z if l == len(weights_aug) - 1 else sigmoid(z)\n"
                "return a",
                "Every layer applies sigma, the output layer too: a^L = sigmoid(W_aug^L "
                "[a^{L-1}; 1])."),
    ),
)

BACKPROP_ROW_MAJOR = Question(
    "backprop_row_major", "a4_conventions", engine.backprop_row_major, row_major_cases,
    sweep=sweeps.row_major,
    outputs=("nabla_W", "nabla_b"), hints=GRADIENT_HINTS,
    builds_on=frozenset({"sigmoid", "sigmoid_prime"}), batched=True,
    mistakes=tier_mistakes("backprop_row_major", "for_rows(X, Y, Ws, bs{})", "rows"),
)
