"""Natural mistakes in a2's stubs: backprop_loops, BP1-BP4, backprop_vectorized,
backprop_batch."""

from . import control, mistake

#: A per-example backprop from BP1-BP4 with one line left to fill: {bp2}, {bp4}, {bias},
#: {y} and {forward} vary per entry.
BLOCKS = """
def {name}({x}, {y_arg}, weights, biases):
    zs, activations = feedforward({forward}, weights, biases)
    L = len(weights)
    nabla_w, nabla_b = [None] * L, [None] * L
    delta = bp1_output_error(activations[-1], zs[-1], {y})
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            delta = {bp2}
        nabla_b[l] = {bias}
        nabla_w[l] = {bp4}
    return nabla_w, nabla_b
"""


def blocks(name: str, **changed: str) -> str:
    x, y_arg = ("X", "Y") if name == "backprop_batch" else ("x", "y")
    fields = {"x": x, "y_arg": y_arg, "forward": "X" if x == "X" else "x.T",
              "y": "Y.T" if x == "X" else "y",
              "bp2": "bp2_hidden_error(weights[l + 1], delta, zs[l])",
              "bias": "bp3_bias_gradient(delta)",
              "bp4": "bp4_weight_gradient(delta, activations[l])"}
    return BLOCKS.format(name=name, **{**fields, **changed})


LOOPS = """
def backprop_loops(x, y, weights, biases):
    a = [list(x[:, 0])]
    zs = []
    for W, b in zip(weights, biases):
        z = []
        for j in range(W.shape[0]):
            s = b[j, 0]
            for k in range(W.shape[1]):
                s += W[j, k] * a[-1][k]
            z.append(s)
        zs.append(z)
        a.append([sigmoid(v) for v in z])
    L = len(weights)
    nabla_w = [np.zeros(W.shape) for W in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    delta = [(a[L][j] - y[j, 0]) * sigmoid_prime(zs[L - 1][j]) for j in range(len(zs[-1]))]
    for l in range(L - 1, {stop}, -1):
        if l < L - 1:
            W_next = weights[l + 1]
            delta = [{bp2} for k in range(W_next.shape[1])]
        for j in range(len(delta)):
            nabla_b[l][j, 0] = delta[j]
            for k in range(len(a[l])):
                {bp4}
    return nabla_w, nabla_b
"""
BP2_LOOPS = "sum(W_next[j, k] * delta[j] for j in range(W_next.shape[0])) * sigmoid_prime(zs[l][k])"


def loops(stop: str = "-1", bp2: str = BP2_LOOPS,
          bp4: str = "nabla_w[l][j, k] = delta[j] * a[l][k]") -> str:
    return LOOPS.format(stop=stop, bp2=bp2, bp4=bp4)


ENTRIES = [
    # --- backprop_loops ------------------------------------------------------------
    mistake("loops-jk-swapped", "backprop_loops", "writes nabla_w[l][k, j]", "transposed",
            loops(bp4="nabla_w[l][k, j] = delta[j] * a[l][k]")),
    mistake("loops-w-indices-swapped", "backprop_loops",
            "BP2 sums W_next[k, j] (W, not W^T)", "transposed",
            loops(bp2="sum(W_next[k, j] * delta[j] for j in range(W_next.shape[0]))"
                      " * sigmoid_prime(zs[l][k])")),
    mistake("loops-stops-at-layer-1", "backprop_loops",
            "range(L - 1, 0, -1) never reaches the first layer", None,
            loops(stop="0")),
    mistake("loops-no-prime-hidden", "backprop_loops", "BP2 without sigma'(z^l_k)",
            "missing_sigmoid_prime",
            loops(bp2="sum(W_next[j, k] * delta[j] for j in range(W_next.shape[0]))")),
    mistake("loops-own-activation", "backprop_loops", "a[l + 1][k] in the weight gradient",
            "wrong_layer", loops(bp4="nabla_w[l][j, k] = delta[j] * a[l + 1][k]")),
    control("loops-by-hand", "backprop_loops", "three explicit loops, lists everywhere", loops()),
    # --- bp1_output_error ----------------------------------------------------------
    mistake("bp1-divides-by-n", "bp1_output_error", "averages over the batch: / N",
            "mean_instead_of_sum", """
        def bp1_output_error(a_L, z_L, y):
            return (a_L - y) * sigmoid_prime(z_L) / a_L.shape[1]
        """),
    mistake("bp1-matmul", "bp1_output_error", "@ where the product is elementwise", None, """
        def bp1_output_error(a_L, z_L, y):
            return (a_L - y) @ sigmoid_prime(z_L).T
        """),
    mistake("bp1-float32", "bp1_output_error", "float32 to match a GPU habit", "wrong_dtype",
            """
        def bp1_output_error(a_L, z_L, y):
            return ((a_L - y) * sigmoid_prime(z_L)).astype("float32")
        """),
    mistake("bp1-in-place", "bp1_output_error", "a_L -= y to save an array",
            "mutates_inputs", """
        def bp1_output_error(a_L, z_L, y):
            a_L -= y
            a_L *= sigmoid_prime(z_L)
            return a_L
        """),
    mistake("bp1-abs", "bp1_output_error", "|a - y|, an error is a distance", None, """
        def bp1_output_error(a_L, z_L, y):
            return np.abs(a_L - y) * sigmoid_prime(z_L)
        """),
    control("bp1-a-one-minus-a", "bp1_output_error", "sigma'(z) as a (1 - a)", """
        def bp1_output_error(a_L, z_L, y):
            return (a_L - y) * a_L * (1 - a_L)
        """),
    control("bp1-np-multiply", "bp1_output_error", "np.multiply with expit", """
        def bp1_output_error(a_L, z_L, y):
            s = expit(z_L)
            return np.multiply(np.subtract(a_L, y), s * (1 - s))
        """),
    # --- bp2_hidden_error ----------------------------------------------------------
    mistake("bp2-all-matmul", "bp2_hidden_error", "@ sigma'(z) instead of *", None, """
        def bp2_hidden_error(W_next, delta_next, z):
            return W_next.T @ delta_next @ sigmoid_prime(z).T
        """),
    mistake("bp2-einsum-no-transpose", "bp2_hidden_error",
            "einsum 'ij,jk->ik' is W delta, not W^T delta", "transposed", """
        def bp2_hidden_error(W_next, delta_next, z):
            return np.einsum("ij,jk->ik", W_next, delta_next) * sigmoid_prime(z)
        """),
    mistake("bp2-overwrites-z", "bp2_hidden_error", "stores sigma'(z) into z",
            "mutates_inputs", """
        def bp2_hidden_error(W_next, delta_next, z):
            z[:] = sigmoid_prime(z)
            return (W_next.T @ delta_next) * z
        """),
    mistake("bp2-sums-batch", "bp2_hidden_error", "sums the batch into one column", None, """
        def bp2_hidden_error(W_next, delta_next, z):
            back = (W_next.T @ delta_next).sum(axis=1, keepdims=True)
            return back * sigmoid_prime(z)
        """),
    mistake("bp2-float32", "bp2_hidden_error", "float32 weights", "wrong_dtype", """
        def bp2_hidden_error(W_next, delta_next, z):
            W = W_next.astype(np.float32)
            d = delta_next.astype(np.float32)
            return (W.T @ d) * sigmoid_prime(z).astype(np.float32)
        """),
    control("bp2-einsum", "bp2_hidden_error", "einsum 'ji,jk->ik'", """
        def bp2_hidden_error(W_next, delta_next, z):
            return np.einsum("ji,jk->ik", W_next, delta_next) * sigmoid_prime(z)
        """),
    # --- bp3_bias_gradient ---------------------------------------------------------
    mistake("bp3-mean", "bp3_bias_gradient", "np.mean over the batch", "mean_instead_of_sum",
            """
        def bp3_bias_gradient(delta):
            return np.mean(delta, axis=1, keepdims=True)
        """),
    mistake("bp3-no-keepdims", "bp3_bias_gradient", "sum(axis=1) without keepdims",
            "shape_mismatch", """
        def bp3_bias_gradient(delta):
            return delta.sum(axis=1)
        """),
    mistake("bp3-wrong-axis", "bp3_bias_gradient", "sums axis 0, over the neurons", None, """
        def bp3_bias_gradient(delta):
            return np.sum(delta, axis=0, keepdims=True).T
        """),
    mistake("bp3-first-column", "bp3_bias_gradient", "takes the first example only",
            "bias_not_summed", """
        def bp3_bias_gradient(delta):
            return delta[:, [0]].copy()
        """),
    mistake("bp3-reshape-view", "bp3_bias_gradient", "reshape (a view) when N = 1",
            "returns_alias", """
        def bp3_bias_gradient(delta):
            if delta.shape[1] == 1:
                return delta.reshape(-1, 1)
            return delta.sum(axis=1, keepdims=True)
        """),
    mistake("bp3-float32-accumulator", "bp3_bias_gradient", "accumulates in float32",
            "wrong_dtype", """
        def bp3_bias_gradient(delta):
            total = np.zeros((delta.shape[0], 1), dtype=np.float32)
            for j in range(delta.shape[1]):
                total += delta[:, j:j + 1]
            return total
        """),
    mistake("bp3-grand-total", "bp3_bias_gradient", "np.sum(delta): one number", None, """
        def bp3_bias_gradient(delta):
            return np.sum(delta)
        """),
    control("bp3-ones-product", "bp3_bias_gradient", "delta @ ones", """
        def bp3_bias_gradient(delta):
            return delta @ np.ones((delta.shape[1], 1))
        """),
    control("bp3-loop", "bp3_bias_gradient", "a loop over the columns", """
        def bp3_bias_gradient(delta):
            total = np.zeros((delta.shape[0], 1))
            for j in range(delta.shape[1]):
                total += delta[:, j:j + 1]
            return total
        """),
    # --- bp4_weight_gradient -------------------------------------------------------
    mistake("bp4-mean", "bp4_weight_gradient", "divides by the batch size",
            "mean_instead_of_sum", """
        def bp4_weight_gradient(delta, a_prev):
            return delta @ a_prev.T / delta.shape[1]
        """),
    mistake("bp4-np-outer", "bp4_weight_gradient", "np.outer: right for N = 1 only", None, """
        def bp4_weight_gradient(delta, a_prev):
            return np.outer(delta, a_prev)
        """),
    mistake("bp4-einsum-ji", "bp4_weight_gradient", "einsum output indices swapped",
            "transposed", """
        def bp4_weight_gradient(delta, a_prev):
            return np.einsum("ik,jk->ji", delta, a_prev)
        """),
    mistake("bp4-first-example", "bp4_weight_gradient", "uses column 0 only", None, """
        def bp4_weight_gradient(delta, a_prev):
            return delta[:, :1] @ a_prev[:, :1].T
        """),
    mistake("bp4-float32", "bp4_weight_gradient", "float32 product", "wrong_dtype", """
        def bp4_weight_gradient(delta, a_prev):
            return np.matmul(delta.astype(np.float32), a_prev.T.astype(np.float32))
        """),
    control("bp4-einsum", "bp4_weight_gradient", "einsum 'ik,jk->ij'", """
        def bp4_weight_gradient(delta, a_prev):
            return np.einsum("ik,jk->ij", delta, a_prev)
        """),
    control("bp4-sum-of-outers", "bp4_weight_gradient", "a sum of outer products", """
        def bp4_weight_gradient(delta, a_prev):
            return sum(np.outer(delta[:, k], a_prev[:, k]) for k in range(delta.shape[1]))
        """),
    # --- backprop_vectorized -------------------------------------------------------
    mistake("vectorized-bp2-same-layer", "backprop_vectorized", "BP2 with weights[l]",
            "wrong_layer", blocks("backprop_vectorized",
                                  bp2="bp2_hidden_error(weights[l], delta, zs[l])")),
    mistake("vectorized-bp4-layer-before", "backprop_vectorized",
            "activations[l - 1] in BP4", "wrong_layer",
            blocks("backprop_vectorized", bp4="bp4_weight_gradient(delta, activations[l - 1])")),
    mistake("vectorized-y-transposed", "backprop_vectorized", "y.T in BP1: (k, k) deltas",
            None, blocks("backprop_vectorized", y="y.T")),
    mistake("vectorized-bias-is-delta-sum", "backprop_vectorized",
            "np.sum(delta) for the bias: one number per layer", None,
            blocks("backprop_vectorized", bias="np.sum(delta)")),
    mistake("vectorized-prime-of-a", "backprop_vectorized", "BP2 given activations[l + 1]",
            "sigmoid_prime_of_activation",
            blocks("backprop_vectorized",
                   bp2="bp2_hidden_error(weights[l + 1], delta, activations[l + 1])")),
    control("vectorized-from-blocks", "backprop_vectorized", "BP1-BP4 and feedforward(x.T)",
            blocks("backprop_vectorized")),
    # --- backprop_batch ------------------------------------------------------------
    mistake("batch-averaged", "backprop_batch", "averages the gradients over N",
            "mean_instead_of_sum",
            blocks("backprop_batch", bias="bp3_bias_gradient(delta) / len(X)",
                   bp4="bp4_weight_gradient(delta, activations[l]) / len(X)")),
    mistake("batch-bias-not-summed", "backprop_batch", "nabla_b[l] = delta",
            "bias_not_summed", blocks("backprop_batch", bias="delta")),
    mistake("batch-bias-no-keepdims", "backprop_batch", "delta.sum(axis=1) for the bias",
            "shape_mismatch", blocks("backprop_batch", bias="delta.sum(axis=1)")),
    mistake("batch-bp4-own-output", "backprop_batch", "activations[l + 1] in BP4",
            "wrong_layer",
            blocks("backprop_batch", bp4="bp4_weight_gradient(delta, activations[l + 1])")),
    mistake("batch-prime-of-a", "backprop_batch", "BP2 given activations[l + 1]",
            "sigmoid_prime_of_activation",
            blocks("backprop_batch",
                   bp2="bp2_hidden_error(weights[l + 1], delta, activations[l + 1])")),
    mistake("batch-one-example", "backprop_batch", "X[:1]: one example for the batch", None,
            blocks("backprop_batch", forward="X[:1]", y="Y[:1].T")),
    control("batch-einsum", "backprop_batch", "einsum everywhere, a (1 - a) for sigma'", """
        def backprop_batch(X, Y, weights, biases):
            activations = [X.T]
            for W, b in zip(weights, biases):
                activations.append(expit(np.einsum("ij,jn->in", W, activations[-1]) + b))
            L = len(weights)
            nabla_w, nabla_b = [None] * L, [None] * L
            a = activations[-1]
            delta = (a - Y.T) * a * (1 - a)
            for l in reversed(range(L)):
                if l < L - 1:
                    a = activations[l + 1]
                    delta = np.einsum("ji,jn->in", weights[l + 1], delta) * a * (1 - a)
                nabla_w[l] = np.einsum("in,jn->ij", delta, activations[l])
                nabla_b[l] = delta.sum(axis=1, keepdims=True)
            return nabla_w, nabla_b
        """),
    control("batch-from-blocks", "backprop_batch", "BP1-BP4 with feedforward(X)",
            blocks("backprop_batch")),
]
