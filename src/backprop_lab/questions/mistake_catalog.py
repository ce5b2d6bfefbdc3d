"""The catalog of known mistakes, as data: each a stub, a code from docs/contract.md, the
body of a mutant that makes it and the message that explains it (see :mod:`.mutants`)."""

from __future__ import annotations

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
