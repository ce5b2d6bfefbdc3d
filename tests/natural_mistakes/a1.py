"""Natural mistakes in a1's stubs: sigmoid, sigmoid_prime, feedforward, backprop_1D."""

from . import control, mistake

ENTRIES = [
    # --- sigmoid -------------------------------------------------------------------
    mistake("sigmoid-float32-input", "sigmoid", "casts z to float32 to save memory",
            "wrong_dtype", """
        def sigmoid(z):
            z = np.asarray(z, dtype=np.float32)
            return 1.0 / (1.0 + np.exp(-z))
        """),
    mistake("sigmoid-zeros-like", "sigmoid", "fills np.zeros_like(z): integers for integer z",
            "wrong_dtype", """
        def sigmoid(z):
            out = np.zeros_like(z)
            out[...] = 1 / (1 + np.exp(-z))
            return out
        """),
    mistake("sigmoid-math-exp-comprehension", "sigmoid",
            "a list comprehension with math.exp: flat only, and it overflows", None, """
        import math

        def sigmoid(z):
            if np.isscalar(z):
                return 1 / (1 + math.exp(-z))
            return np.array([1 / (1 + math.exp(-v)) for v in z])
        """),
    mistake("sigmoid-tanh-no-half", "sigmoid", "0.5 (1 + tanh(z)) forgets the z / 2", None, """
        def sigmoid(z):
            return 0.5 * (1 + np.tanh(z))
        """),
    mistake("sigmoid-exp-plus-z",
            "sigmoid", "1 / (1 + e^z): the sign of the exponent", "sign_of_exponent",
            """
        def sigmoid(z):
            return 1 / (1 + np.exp(z))
        """),
    mistake("sigmoid-in-place", "sigmoid", "works on z in place to avoid a copy",
            "mutates_inputs", """
        def sigmoid(z):
            np.negative(z, out=z)
            np.exp(z, out=z)
            z += 1
            return 1 / z
        """),
    mistake("sigmoid-rounded", "sigmoid", "rounds to 4 decimals so the output looks tidy", None,
            """
        def sigmoid(z):
            return np.round(1 / (1 + np.exp(-z)), 4)
        """),
    control("sigmoid-clipped", "sigmoid", "clips z to [-100, 100] against overflow", """
        def sigmoid(z):
            z = np.clip(z, -100, 100)
            return 1 / (1 + np.exp(-z))
        """),
    control("sigmoid-expit", "sigmoid", "scipy.special.expit", """
        def sigmoid(z):
            return expit(z)
        """),
    # --- sigmoid_prime -------------------------------------------------------------
    mistake("sigmoid-prime-float32", "sigmoid_prime", "keeps sigma(z) in float32",
            "wrong_dtype", """
        def sigmoid_prime(z):
            s = sigmoid(z).astype(np.float32)
            return s * (1 - s)
        """),
    control("sigmoid-prime-exp-formula", "sigmoid_prime",
            "e^{-z} / (1 + e^{-z})^2 written out: right for |z| <= 500, the range the "
            "contract tests (cases.sigmoid_prime_cases); inf / inf below -709", """
        def sigmoid_prime(z):
            e = np.exp(-z)
            return e / (1 + e) ** 2
        """),
    mistake("sigmoid-prime-sigma-squared", "sigmoid_prime",
            "sigma(z) (1 - sigma(-z)) gives sigma(z)^2", None, """
        def sigmoid_prime(z):
            return sigmoid(z) * (1 - sigmoid(-z))
        """),
    mistake("sigmoid-prime-swapped", "sigmoid_prime", "sigma^2 - sigma, the terms swapped",
            "wrong_sign", """
        def sigmoid_prime(z):
            s = sigmoid(z)
            return s ** 2 - s
        """),
    mistake("sigmoid-prime-tanh", "sigmoid_prime", "1/4 (1 - tanh(z)^2) forgets the z / 2",
            None, """
        def sigmoid_prime(z):
            return 0.25 * (1 - np.tanh(z) ** 2)
        """),
    mistake("sigmoid-prime-twice", "sigmoid_prime", "applies sigma to the activation again",
            "sigmoid_prime_of_activation", """
        def sigmoid_prime(z):
            a = expit(z)
            return expit(a) * (1 - expit(a))
        """),
    control("sigmoid-prime-two-sigmas", "sigmoid_prime", "sigma(z) sigma(-z), by symmetry", """
        def sigmoid_prime(z):
            return sigmoid(z) * sigmoid(-z)
        """),
    control("sigmoid-prime-s-minus-s2", "sigmoid_prime", "s - s*s with expit", """
        def sigmoid_prime(z):
            s = expit(z)
            return s - s * s
        """),
    # --- feedforward ---------------------------------------------------------------
    mistake("feedforward-x-not-transposed", "feedforward",
            "keeps X (N, d) as activations[0] and transposes only for the product",
            "transposed", """
        def feedforward(X, weights, biases):
            zs, activations = [], [X]
            a = X.T
            for W, b in zip(weights, biases):
                z = W @ a + b
                a = sigmoid(z)
                zs.append(z)
                activations.append(a)
            return zs, activations
        """),
    mistake("feedforward-rows", "feedforward", "works in rows, X @ W.T + b.T", "transposed", """
        def feedforward(X, weights, biases):
            a = X
            zs, activations = [], [X.T]
            for W, b in zip(weights, biases):
                z = a @ W.T + b.T
                a = sigmoid(z)
                zs.append(z)
                activations.append(a)
            return zs, activations
        """),
    mistake("feedforward-zs-are-activations", "feedforward", "appends sigmoid(z) to zs", None,
            """
        def feedforward(X, weights, biases):
            zs, activations = [], [X.T]
            for W, b in zip(weights, biases):
                a = sigmoid(W @ activations[-1] + b)
                zs.append(a)
                activations.append(a)
            return zs, activations
        """),
    mistake("feedforward-no-bias", "feedforward", "forgets + b", "missing_bias", """
        def feedforward(X, weights, biases):
            zs, activations = [], [X.T]
            for W in weights:
                zs.append(W @ activations[-1])
                activations.append(sigmoid(zs[-1]))
            return zs, activations
        """),
    mistake("feedforward-range-off-by-one", "feedforward",
            "range(len(weights) - 1) drops the last layer", None, """
        def feedforward(X, weights, biases):
            zs, activations = [], [X.T]
            for l in range(len(weights) - 1):
                zs.append(weights[l] @ activations[l] + biases[l])
                activations.append(sigmoid(zs[l]))
            return zs, activations
        """),
    mistake("feedforward-linear-output",
            "feedforward", "no sigma on the output layer", "missing_activation",
            """
        def feedforward(X, weights, biases):
            zs, activations = [], [X.T]
            L = len(weights)
            for l in range(L):
                z = weights[l] @ activations[l] + biases[l]
                zs.append(z)
                activations.append(sigmoid(z) if l < L - 1 else z)
            return zs, activations
        """),
    control("feedforward-einsum", "feedforward", "np.einsum for W a", """
        def feedforward(X, weights, biases):
            zs, activations = [], [X.T]
            for W, b in zip(weights, biases):
                zs.append(np.einsum("ij,jk->ik", W, activations[-1]) + b)
                activations.append(sigmoid(zs[-1]))
            return zs, activations
        """),
    control("feedforward-recursive", "feedforward", "one layer, then recursion on the rest", """
        def feedforward(X, weights, biases):
            if not weights:
                return [], [X.T]
            z = weights[0] @ X.T + biases[0]
            a = sigmoid(z)
            zs, activations = feedforward(a.T, weights[1:], biases[1:])
            return [z] + zs, [X.T] + activations
        """),
    # --- backprop_1D ---------------------------------------------------------------
    control("backprop-1d-arrays", "backprop_1D",
            "returns 1-D NumPy arrays for the lists of floats, which the comparison accepts "
            "(compare._lists_of_floats)", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = np.zeros(L), np.zeros(L)
            delta = (a[-1] - y) * sigmoid_prime(zs[-1])
            for i in reversed(range(L)):
                if i < L - 1:
                    delta = w[i + 1] * delta * sigmoid_prime(zs[i])
                db[i] = delta
                dw[i] = delta * a[i]
            return dw, db
        """),
    mistake("backprop-1d-own-output", "backprop_1D", "dw_i = delta_i a_i (off by one)",
            "wrong_layer", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = [0.0] * L, [0.0] * L
            delta = (a[-1] - y) * sigmoid_prime(zs[-1])
            for i in range(L - 1, -1, -1):
                if i < L - 1:
                    delta = w[i + 1] * delta * sigmoid_prime(zs[i])
                db[i] = float(delta)
                dw[i] = float(delta * a[i + 1])
            return dw, db
        """),
    mistake("backprop-1d-no-weight", "backprop_1D", "delta_i = delta_{i+1} sigma'(z_i), no w",
            "missing_weight", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = [0.0] * L, [0.0] * L
            delta = (a[-1] - y) * sigmoid_prime(zs[-1])
            for i in range(L - 1, -1, -1):
                if i < L - 1:
                    delta = delta * sigmoid_prime(zs[i])
                db[i] = float(delta)
                dw[i] = float(delta * a[i])
            return dw, db
        """),
    mistake("backprop-1d-appended-backwards", "backprop_1D",
            "appends while going backwards and never reverses the lists", "wrong_order", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = [], []
            delta = (a[-1] - y) * sigmoid_prime(zs[-1])
            for i in range(L - 1, -1, -1):
                if i < L - 1:
                    delta = w[i + 1] * delta * sigmoid_prime(zs[i])
                db.append(float(delta))
                dw.append(float(delta * a[i]))
            return dw, db
        """),
    mistake("backprop-1d-prime-of-a", "backprop_1D", "sigma'(a_i) in the hidden neurons",
            "sigmoid_prime_of_activation", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = [0.0] * L, [0.0] * L
            delta = (a[L] - y) * sigmoid_prime(zs[L - 1])
            for i in range(L - 1, -1, -1):
                if i < L - 1:
                    delta = w[i + 1] * delta * sigmoid_prime(a[i + 1])
                db[i] = float(delta)
                dw[i] = float(delta * a[i])
            return dw, db
        """),
    mistake("backprop-1d-y-minus-a", "backprop_1D", "starts from y - a_L", "wrong_sign", """
        def backprop_1D(x, y, w, b):
            L = len(w)
            a, zs = [x], []
            for i in range(L):
                zs.append(w[i] * a[-1] + b[i])
                a.append(sigmoid(zs[-1]))
            dw, db = [0.0] * L, [0.0] * L
            delta = (y - a[-1]) * sigmoid_prime(zs[-1])
            for i in range(L - 1, -1, -1):
                if i < L - 1:
                    delta = w[i + 1] * delta * sigmoid_prime(zs[i])
                db[i] = float(delta)
                dw[i] = float(delta * a[i])
            return dw, db
        """),
    control("backprop-1d-recursive", "backprop_1D",
            "a recursive helper that returns the delta it passes back", """
        def backprop_1D(x, y, w, b):
            def back(i, a_prev):
                z = w[i] * a_prev + b[i]
                a = sigmoid(z)
                if i == len(w) - 1:
                    delta = (a - y) * sigmoid_prime(z)
                    return [delta * a_prev], [delta], delta
                dw, db, delta_next = back(i + 1, a)
                delta = w[i + 1] * delta_next * sigmoid_prime(z)
                return [delta * a_prev] + dw, [delta] + db, delta
            dw, db, _ = back(0, x)
            return [float(v) for v in dw], [float(v) for v in db]
        """),
]
