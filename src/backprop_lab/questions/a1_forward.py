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
        Mistake("sign_of_exponent",
                "return 1 / (1 + np.exp(z))",
                "sigma(z) = 1 / (1 + e^{-z}): the exponent is -z. 1 / (1 + e^{z}) is sigma(-z) "
                "= 1 - sigma(z), which falls where sigma rises.",
                summary="e^{z} where the formula has e^{-z}"),
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
        Mistake("sigmoid_prime_of_activation",
                "s = sigmoid(sigmoid(z))\nreturn s * (1 - s)",
                "sigmoid_prime gets z and returns sigma'(z) = s * (1 - s) with s = "
                "sigmoid(z): here sigma is applied twice, which gives sigma'(a) for the "
                "activation a = sigmoid(z)."),
        Mistake("wrong_sign",
                "s = sigmoid(z)\nreturn s * s - s",
                "sigma'(z) = s (1 - s) = s - s^2 with s = sigmoid(z), never negative: s^2 - s "
                "is its negative."),
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
        Mistake("missing_bias",
                "zs, activations = [], [X.T]\n"
                "for W in weights:\n"
                "    zs.append(W @ activations[-1])\n"
                "    activations.append(sigmoid(zs[-1]))\n"
                "return zs, activations",
                "z^l = W^l a^{l-1} + b^l: the bias biases[l] is left out of z.",
                summary="the bias b left out of z = W a + b"),
        Mistake("missing_activation",
                "zs, activations = forward_columns(X.T, weights, biases)\n"
                "activations[-1] = zs[-1]\n"
                "return zs, activations",
                "Every layer applies sigma, the output layer too: activations[L] = "
                "sigmoid(zs[L - 1]), not zs[L - 1].",
                summary="sigma left out of a layer (a linear output)"),
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
        Mistake("wrong_order",
                "dw, db = for_a_chain(x, y, w, b)\nreturn dw[::-1], db[::-1]",
                "dw[i] and db[i] belong to neuron i, counted from the input: going backwards, "
                "fill dw[i] (or reverse the lists you appended to) so the first entry is the "
                "first neuron's.",
                summary="the right numbers in the wrong order or place"),
    ),
)
