"""The questions of a1 (``assignments/a1_forward.ipynb``): sigma, sigma', the forward pass,
and backpropagation through a chain of single neurons."""

from __future__ import annotations

from .. import engine
from . import sweeps
from .cases import activation_cases, backprop_1d_cases, feedforward_cases, sigmoid_prime_cases
from .question import Mistake, Question
from .tier_mistakes import GRADIENT_HINTS, tier_mistakes

SIGMOID = Question(
    "sigmoid", "a1_forward", engine.sigmoid, activation_cases,
    sweep=sweeps.activation,
    outputs="sigmoid(z)", scale=1.0,  # sigma is at most 1
    elementwise=True,
    mistakes=(
        Mistake("nonfinite",
                "return np.exp(z) / (1 + np.exp(z))",
                "np.exp(z) / (1 + np.exp(z)) is inf / inf = NaN once z > 709: write 1 / (1 "
                "+ np.exp(-z)) (its overflow gives 1 / inf = 0.0, the right value) or use "
                "scipy.special.expit."),
    ),
)

SIGMOID_PRIME = Question(
    "sigmoid_prime", "a1_forward", engine.sigmoid_prime, sigmoid_prime_cases,
    sweep=sweeps.activation_prime,
    outputs="sigmoid_prime(z)", scale=0.25,  # sigma' is at most 1/4
    elementwise=True, builds_on=frozenset({"sigmoid"}),
    mistakes=(
        Mistake("sigmoid_prime_of_activation",
                "return z * (1 - z)",
                "sigmoid_prime gets z: sigma'(z) = sigmoid(z) * (1 - sigmoid(z)). z * (1 - "
                "z) is the a * (1 - a) form, which holds for the activation a = "
                "sigmoid(z), not for z."),
    ),
)

FEEDFORWARD = Question(
    "feedforward", "a1_forward", engine.feedforward, feedforward_cases,
    sweep=sweeps.feedforward,
    outputs=("zs", "activations"),
    may_alias=True,  # activations[0] is X.T, as the contract says
    builds_on=frozenset({"sigmoid"}),
    mistakes=(
        Mistake("wrong_layer",
                "zs = [W @ X.T + b for W, b in zip(weights, biases)]\n"
                "return zs, [X.T] + [sigmoid(z) for z in zs]",
                "z^l = W^l a^{l-1} + b^l: each layer reads the previous layer's "
                "activation, not the input X."),
    ),
)

BACKPROP_1D = Question(
    "backprop_1D", "a1_forward", engine.backprop_1D, backprop_1d_cases,
    sweep=sweeps.chain,
    outputs=("dw", "db"), layered=False, hints=GRADIENT_HINTS,
    builds_on=frozenset({"sigmoid", "sigmoid_prime"}),
    mistakes=(
        Mistake("wrong_layer",
                "return for_a_chain(x, y, w, b, w_next=-1)",
                "delta_i = w_{i+1} delta_{i+1} sigma'(z_i) takes the weight of the next "
                "neuron, w[i + 1]: w[i - 1] is the weight two neurons back (and w[-1], the "
                "last one, for the first neuron)."),
        *tier_mistakes("backprop_1D", "for_a_chain(x, y, w, b{})", "chain"),
    ),
)
