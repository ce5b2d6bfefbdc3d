"""Natural mistakes in a4's stubs: add_bias_column, feedforward_augmented,
backprop_row_major."""

from . import control, mistake

#: backprop_row_major with its lines to fill.
ROWS = """
def backprop_row_major(X, Y, Ws, bs):
    As, Zs = [X], []
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W + b)
        As.append(sigmoid(Zs[-1]))
    L = len(Ws)
    nabla_W, nabla_b = [None] * L, [None] * L
    delta = (As[-1] - Y) * sigmoid_prime({z_out})
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            delta = {bp2}
        nabla_W[l] = {bp4}
        nabla_b[l] = {bias}
    return nabla_W, nabla_b
"""


def rows(z_out: str = "Zs[-1]", bp2: str = "(delta @ Ws[l + 1].T) * sigmoid_prime(Zs[l])",
         bp4: str = "As[l].T @ delta", bias: str = "delta.sum(axis=0, keepdims=True)") -> str:
    return ROWS.format(z_out=z_out, bp2=bp2, bp4=bp4, bias=bias)


ENTRIES = [
    # --- add_bias_column -----------------------------------------------------------
    mistake("add-bias-first-column", "add_bias_column", "b as the first column", "wrong_order", """
        def add_bias_column(W, b):
            return np.hstack([b, W])
        """),
    mistake("add-bias-row", "add_bias_column", "b.T as an extra row", None, """
        def add_bias_column(W, b):
            return np.vstack([W, b.T])
        """),
    mistake("add-bias-float32", "add_bias_column", "builds W_aug in float32", "wrong_dtype", """
        def add_bias_column(W, b):
            W_aug = np.zeros((W.shape[0], W.shape[1] + 1), dtype=np.float32)
            W_aug[:, :-1] = W
            W_aug[:, -1:] = b
            return W_aug
        """),
    mistake("add-bias-overwrites-last", "add_bias_column",
            "puts b over W's last column instead of beside it", None, """
        def add_bias_column(W, b):
            W_aug = W.copy()
            W_aug[:, -1] = b[:, 0]
            return W_aug
        """),
    control("add-bias-c-", "add_bias_column", "np.c_[W, b]", """
        def add_bias_column(W, b):
            return np.c_[W, b]
        """),
    control("add-bias-append", "add_bias_column", "np.append(W, b, axis=1)", """
        def add_bias_column(W, b):
            return np.append(W, b, axis=1)
        """),
    # --- feedforward_augmented -----------------------------------------------------
    mistake("augmented-ones-on-top", "feedforward_augmented", "the row of ones above a",
            "wrong_order", """
        def feedforward_augmented(X, weights_aug):
            a = X.T
            for W_aug in weights_aug:
                a = sigmoid(W_aug @ np.vstack([np.ones((1, a.shape[1])), a]))
            return a
        """),
    mistake("augmented-returns-rows", "feedforward_augmented", "works in rows and returns (N, k)",
            "transposed", """
        def feedforward_augmented(X, weights_aug):
            A = X
            for W_aug in weights_aug:
                A = sigmoid(np.hstack([A, np.ones((len(A), 1))]) @ W_aug.T)
            return A
        """),
    mistake("augmented-ones-width", "feedforward_augmented", "np.ones((1, X.shape[1]))", None,
            """
        def feedforward_augmented(X, weights_aug):
            a = X.T
            ones = np.ones((1, X.shape[1]))
            for W_aug in weights_aug:
                a = sigmoid(W_aug @ np.concatenate([a, ones]))
            return a
        """),
    mistake("augmented-linear-output", "feedforward_augmented", "no sigma on the last layer",
            "missing_activation", """
        def feedforward_augmented(X, weights_aug):
            a = X.T
            for l, W_aug in enumerate(weights_aug):
                z = W_aug @ np.vstack([a, np.ones((1, a.shape[1]))])
                a = z if l == len(weights_aug) - 1 else sigmoid(z)
            return a
        """),
    control("augmented-ones-like", "feedforward_augmented", "np.concatenate with ones_like",
            """
        def feedforward_augmented(X, weights_aug):
            a = X.T
            for W_aug in weights_aug:
                a = expit(W_aug @ np.concatenate([a, np.ones_like(a[:1])], axis=0))
            return a
        """),
    control("augmented-split", "feedforward_augmented", "splits W_aug into W and b", """
        def feedforward_augmented(X, weights_aug):
            a = X.T
            for W_aug in weights_aug:
                a = sigmoid(W_aug[:, :-1] @ a + W_aug[:, -1:])
            return a
        """),
    # --- backprop_row_major --------------------------------------------------------
    mistake("rows-bias-no-keepdims", "backprop_row_major", "delta.sum(axis=0), shape (n,)",
            "shape_mismatch", rows(bias="delta.sum(axis=0)")),
    mistake("rows-bias-wrong-axis", "backprop_row_major", "sums axis 1, over the neurons",
            None, rows(bias="delta.sum(axis=1, keepdims=True).T")),
    mistake("rows-bp4-transposed", "backprop_row_major", "delta.T @ As[l]", "transposed",
            rows(bp4="delta.T @ As[l]")),
    mistake("rows-averaged", "backprop_row_major", "divides both gradients by N",
            "mean_instead_of_sum",
            rows(bp4="As[l].T @ delta / len(X)", bias="delta.mean(axis=0, keepdims=True)")),
    mistake("rows-prime-of-a", "backprop_row_major", "sigma' of As in BP1",
            "sigmoid_prime_of_activation", rows(z_out="As[-1]")),
    mistake("rows-bp2-no-transpose", "backprop_row_major", "delta @ Ws[l + 1] in BP2",
            "transposed", rows(bp2="(delta @ Ws[l + 1]) * sigmoid_prime(Zs[l])")),
    control("rows-einsum", "backprop_row_major", "einsum and a (1 - a)", """
        def backprop_row_major(X, Y, Ws, bs):
            As = [X]
            for W, b in zip(Ws, bs):
                As.append(expit(np.einsum("nd,dk->nk", As[-1], W) + b))
            L = len(Ws)
            grads_W, grads_b = [None] * L, [None] * L
            A = As[-1]
            delta = (A - Y) * A * (1 - A)
            for l in reversed(range(L)):
                if l < L - 1:
                    A = As[l + 1]
                    delta = np.einsum("nk,jk->nj", delta, Ws[l + 1]) * A * (1 - A)
                grads_W[l] = np.einsum("nd,nk->dk", As[l], delta)
                grads_b[l] = np.sum(delta, axis=0)[None, :]
            return grads_W, grads_b
        """),
    control("rows-via-columns", "backprop_row_major", "turns to columns and back", """
        def backprop_row_major(X, Y, Ws, bs):
            a = X.T
            zs, activations = [], [a]
            for W, b in zip(Ws, bs):
                zs.append(W.T @ a + b.T)
                a = sigmoid(zs[-1])
                activations.append(a)
            delta = (a - Y.T) * sigmoid_prime(zs[-1])
            gW, gb = [], []
            for l in range(len(Ws) - 1, -1, -1):
                gW.insert(0, (delta @ activations[l].T).T)
                gb.insert(0, delta.sum(axis=1, keepdims=True).T)
                if l > 0:
                    delta = (Ws[l] @ delta) * sigmoid_prime(zs[l - 1])
            return gW, gb
        """),
]
