"""The mistakes every backpropagation tier can make, as one table: a tier's question gets
them from :func:`tier_mistakes` (each a mutant that calls a helper of :mod:`.mistakes` with
one switch on, and a message worded for that tier: chain, loops, columns or rows)."""

from __future__ import annotations

from ..course.contract import GRADIENT_HINTS
from .question import Mistake

__all__ = ["BP1_SIGN", "BP1_TWO", "GRADIENT_HINTS", "TIER_MISTAKES", "tier_mistakes"]

BP1_SIGN = "The output error starts from a^L - y, output minus target: y - a^L turns every " \
           "gradient around."
BP1_TWO = "The output error starts from dC/da^L = a^L - y: the cost is 1/2 ||a^L - y||^2, " \
          "so there is no factor 2."

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
    ("sigmoid_prime_of_activation", 'prime2="a"', None, {
        "columns": "BP2 takes sigma' of the hidden layer's weighted input: "
                   "sigmoid_prime(zs[l]), not sigmoid_prime(activations[l + 1]).",
        "loops": "delta^l_k = (sum_j w^{l+1}_jk delta^{l+1}_j) sigma'(z^l_k) takes sigma' of "
                 "the weighted input z^l_k, not of the activation a^l_k = sigmoid(z^l_k).",
        "chain": "delta_i = w_{i+1} delta_{i+1} sigma'(z_i) takes sigma' of z_i, not of the "
                 "activation a_i = sigmoid(z_i).",
        "rows": "Delta^l = (Delta^{l+1} Ws[l+1]^T) * sigma'(Z^l) takes sigma' of the weighted "
                "input Zs[l], not of the activation As[l + 1]."}),
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
    ("missing_weight", "w_next=None", ("chain",), {
        "columns": "delta_i = w_{i+1} delta_{i+1} sigma'(z_i): the error reaches neuron i "
                   "through the next neuron's weight w[i + 1], which is missing here."}),
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


def tier_mistakes(stub: str, call: str, words: str) -> tuple[Mistake, ...]:
    """The mistakes of :data:`TIER_MISTAKES` that apply to the tier ``stub``, whose mutants
    return ``call`` (a helper call with ``{}`` where the switch goes), worded for ``words``."""
    return tuple(Mistake(code, "return " + call.format(", " + switch),
                         messages.get(words) or messages["columns"])
                 for code, switch, where, messages in TIER_MISTAKES
                 if where is None or words in where or stub in where)
