"""Natural mistakes in a3's stubs: get_params, set_params, numerical_gradient,
relative_error, sgd_epoch."""

from . import control, mistake

#: sgd_epoch with the step and the batches to fill: {batches}, {step}, {update}.
SGD = """
def sgd_epoch(X, Y, weights, biases, batch_size, eta):
{prologue}    for start in {batches}:
        X_batch, Y_batch = X[{rows}], Y[{rows}]
        nabla_w, nabla_b = backprop_batch(X_batch, Y_batch, weights, biases)
        step = {step}
{update}    return weights, biases
"""
NEW_LISTS = ("        weights = [W - step * nw for W, nw in zip(weights, nabla_w)]\n"
             "        biases = [b - step * nb for b, nb in zip(biases, nabla_b)]\n")


def sgd(prologue: str = "", batches: str = "range(0, len(X), batch_size)",
        rows: str = "start:start + batch_size", step: str = "eta / len(X_batch)",
        update: str = NEW_LISTS) -> str:
    return SGD.format(prologue=prologue, batches=batches, rows=rows, step=step, update=update)


ENTRIES = [
    # --- get_params ----------------------------------------------------------------
    mistake("get-params-biases-first", "get_params", "biases before weights", "wrong_order", """
        def get_params(weights, biases):
            return np.concatenate([b.ravel() for b in biases] + [W.ravel() for W in weights])
        """),
    mistake("get-params-interleaved",
            "get_params", "W1, b1, W2, b2 ... layer by layer", "wrong_order",
            """
        def get_params(weights, biases):
            parts = []
            for W, b in zip(weights, biases):
                parts += [W.ravel(), b.ravel()]
            return np.concatenate(parts)
        """),
    mistake("get-params-column", "get_params", "a (P, 1) column", "shape_mismatch", """
        def get_params(weights, biases):
            return np.vstack([p.reshape(-1, 1) for p in weights + biases])
        """),
    mistake("get-params-float32", "get_params", "theta in float32", "wrong_dtype", """
        def get_params(weights, biases):
            return np.concatenate([p.flatten() for p in weights + biases]).astype(np.float32)
        """),
    mistake("get-params-weights-only", "get_params", "forgets the biases", None, """
        def get_params(weights, biases):
            return np.concatenate([W.flatten() for W in weights])
        """),
    control("get-params-hstack", "get_params", "np.hstack of flatten()", """
        def get_params(weights, biases):
            return np.hstack([p.flatten() for p in list(weights) + list(biases)])
        """),
    control("get-params-loop", "get_params", "a loop that fills np.empty", """
        def get_params(weights, biases):
            params = list(weights) + list(biases)
            theta = np.empty(sum(p.size for p in params))
            i = 0
            for p in params:
                theta[i:i + p.size] = p.ravel()
                i += p.size
            return theta
        """),
    # --- set_params ----------------------------------------------------------------
    mistake("set-params-into-templates", "set_params", "writes theta into the templates",
            "mutates_inputs", """
        def set_params(theta, weights, biases):
            i = 0
            for p in list(weights) + list(biases):
                p[...] = theta[i:i + p.size].reshape(p.shape)
                i += p.size
            return weights, biases
        """),
    mistake("set-params-split-views", "set_params", "np.split then reshape: views of theta",
            "returns_alias", """
        def set_params(theta, weights, biases):
            shapes = [p.shape for p in weights] + [b.shape for b in biases]
            cuts = np.cumsum([np.prod(s) for s in shapes])[:-1]
            pieces = [piece.reshape(s) for piece, s in zip(np.split(theta, cuts), shapes)]
            return pieces[:len(weights)], pieces[len(weights):]
        """),
    mistake("set-params-biases-from-zero", "set_params", "restarts at 0 for the biases", None,
            """
        def set_params(theta, weights, biases):
            new_w, new_b, i = [], [], 0
            for W in weights:
                new_w.append(theta[i:i + W.size].reshape(W.shape).copy())
                i += W.size
            i = 0
            for b in biases:
                new_b.append(theta[i:i + b.size].reshape(b.shape).copy())
                i += b.size
            return new_w, new_b
        """),
    mistake("set-params-reversed-shape", "set_params", "reshape(W.shape[::-1]).T", "transposed",
            """
        def set_params(theta, weights, biases):
            out, i = [], 0
            for p in [*weights, *biases]:
                out.append(theta[i:i + p.size].reshape(p.shape[::-1]).T.copy())
                i += p.size
            return out[:len(weights)], out[len(weights):]
        """),
    mistake("set-params-float32", "set_params", "np.float32 copies", "wrong_dtype", """
        def set_params(theta, weights, biases):
            out, i = [], 0
            for p in [*weights, *biases]:
                out.append(np.array(theta[i:i + p.size], dtype=np.float32).reshape(p.shape))
                i += p.size
            return out[:len(weights)], out[len(weights):]
        """),
    control("set-params-split-copies", "set_params", "np.split and copies", """
        def set_params(theta, weights, biases):
            shapes = [p.shape for p in weights] + [b.shape for b in biases]
            cuts = np.cumsum([np.prod(s) for s in shapes])[:-1]
            pieces = [piece.reshape(s).copy() for piece, s in zip(np.split(theta, cuts), shapes)]
            return pieces[:len(weights)], pieces[len(weights):]
        """),
    control("set-params-array-copy", "set_params", "np.array(...) copies in a loop", """
        def set_params(theta, weights, biases):
            new_weights, new_biases, i = [], [], 0
            for W in weights:
                new_weights.append(np.array(theta[i:i + W.size]).reshape(W.shape))
                i += W.size
            for b in biases:
                new_biases.append(np.array(theta[i:i + b.size]).reshape(b.shape))
                i += b.size
            return new_weights, new_biases
        """),
    # --- numerical_gradient --------------------------------------------------------
    mistake("numgrad-divides-by-eps", "numerical_gradient", "centered, but / eps",
            "factor_of_two", """
        def numerical_gradient(f, theta, eps=1e-5):
            grad = np.zeros(theta.size)
            for i in range(theta.size):
                e = np.zeros(theta.size)
                e[i] = eps
                grad[i] = (f(theta + e) - f(theta - e)) / eps
            return grad
        """),
    mistake("numgrad-own-h", "numerical_gradient", "a step h = 1e-4 of its own",
            "ignores_argument", """
        def numerical_gradient(f, theta, eps=1e-5):
            h = 1e-4
            grad = np.zeros_like(theta, dtype=float)
            for i in range(len(theta)):
                plus, minus = theta.copy(), theta.copy()
                plus[i] += h
                minus[i] -= h
                grad[i] = (f(plus) - f(minus)) / (2 * h)
            return grad
        """),
    mistake("numgrad-minus-first", "numerical_gradient", "f(theta - eps) - f(theta + eps)",
            "wrong_sign", """
        def numerical_gradient(f, theta, eps=1e-5):
            grad = np.zeros(len(theta))
            for i in range(len(theta)):
                step = np.eye(len(theta))[i] * eps
                grad[i] = (f(theta - step) - f(theta + step)) / (2 * eps)
            return grad
        """),
    mistake("numgrad-all-at-once", "numerical_gradient",
            "nudges every entry at once: a directional derivative", None, """
        def numerical_gradient(f, theta, eps=1e-5):
            slope = (f(theta + eps) - f(theta - eps)) / (2 * eps)
            return np.full(theta.shape, slope)
        """),
    mistake("numgrad-not-restored", "numerical_gradient",
            "nudges theta[i] and restores it to the wrong value", "mutates_inputs", """
        def numerical_gradient(f, theta, eps=1e-5):
            grad = np.zeros(theta.shape)
            for i in range(theta.size):
                theta[i] += eps
                f_plus = f(theta)
                theta[i] -= 2 * eps
                f_minus = f(theta)
                grad[i] = (f_plus - f_minus) / (2 * eps)
            return grad
        """),
    mistake("numgrad-float32", "numerical_gradient", "a float32 gradient array",
            "wrong_dtype", """
        def numerical_gradient(f, theta, eps=1e-5):
            grad = np.zeros(theta.size, dtype=np.float32)
            for i in range(theta.size):
                e = np.zeros(theta.size)
                e[i] = eps
                grad[i] = (f(theta + e) - f(theta - e)) / (2 * eps)
            return grad
        """),
    control("numgrad-cs231n", "numerical_gradient", "CS231n: nudge in place, restore the old value",
            """
        def numerical_gradient(f, theta, eps=1e-5):
            grad = np.zeros(theta.shape)
            for i in range(theta.size):
                old = theta[i]
                theta[i] = old + eps
                f_plus = f(theta)
                theta[i] = old - eps
                f_minus = f(theta)
                theta[i] = old
                grad[i] = (f_plus - f_minus) / (2 * eps)
            return grad
        """),
    control("numgrad-eye", "numerical_gradient", "rows of eps * identity, a comprehension", """
        def numerical_gradient(f, theta, eps=1e-5):
            E = eps * np.eye(theta.size)
            return np.array([(f(theta + e) - f(theta - e)) / (2 * eps) for e in E])
        """),
    # --- relative_error ------------------------------------------------------------
    mistake("relerr-max-norm",
            "relative_error", "divides by max(||a||, ||b||)", "other_relative_error", """
        def relative_error(a, b):
            top = np.linalg.norm(a - b)
            bottom = np.maximum(np.linalg.norm(a), np.linalg.norm(b))
            return 0.0 if bottom == 0 else top / bottom
        """),
    mistake("relerr-l1",
            "relative_error", "sums of absolute values (L1 norms)", "other_relative_error", """
        def relative_error(a, b):
            den = np.abs(a).sum() + np.abs(b).sum()
            return 0.0 if den == 0 else np.abs(a - b).sum() / den
        """),
    mistake("relerr-squared", "relative_error", "no square roots", "other_relative_error", """
        def relative_error(a, b):
            den = np.sum(a ** 2) + np.sum(b ** 2)
            return 0.0 if den == 0 else np.sum((a - b) ** 2) / den
        """),
    mistake("relerr-eps-1e-10", "relative_error", "+ 1e-10 in the denominator",
            "denominator_epsilon", """
        def relative_error(a, b):
            num = np.linalg.norm(a - b)
            return num / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-10)
        """),
    mistake("relerr-norm-difference",
            "relative_error", "| ||a|| - ||b|| | on top", "other_relative_error", """
        def relative_error(a, b):
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            return 0.0 if na + nb == 0 else abs(na - nb) / (na + nb)
        """),
    mistake("relerr-a-zero", "relative_error", "returns 0.0 when a is zero", "zero_vector", """
        def relative_error(a, b):
            if np.linalg.norm(a) == 0:
                return 0.0
            return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
        """),
    mistake("relerr-cs231n-elementwise", "relative_error",
            "CS231n's max |a - b| / max(|a| + |b|, 1e-8)", "other_relative_error", """
        def relative_error(a, b):
            return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
        """),
    control("relerr-guarded", "relative_error", "the formula with a zero guard", """
        def relative_error(a, b):
            den = np.linalg.norm(a) + np.linalg.norm(b)
            if den == 0:
                return 0.0
            return float(np.linalg.norm(a - b) / den)
        """),
    control("relerr-sqrt-sums", "relative_error", "norms as square roots of sums, flattened",
            """
        def relative_error(a, b):
            a, b = np.ravel(a), np.ravel(b)
            den = np.sqrt(np.sum(a * a)) + np.sqrt(np.sum(b * b))
            return 0.0 if den == 0 else float(np.sqrt(np.sum((a - b) ** 2)) / den)
        """),
    # --- sgd_epoch -----------------------------------------------------------------
    mistake("sgd-no-divide",
            "sgd_epoch", "eta * gradient, not eta / len(batch)", "step_not_averaged",
            sgd(step="eta")),
    mistake("sgd-shuffles", "sgd_epoch", "shuffles the rows first (Nielsen's SGD does)", None,
            sgd(prologue="    order = np.random.permutation(len(X))\n"
                         "    X, Y = X[order], Y[order]\n")),
    mistake("sgd-drops-last",
            "sgd_epoch", "range(0, N - batch_size + 1, batch_size)", "last_batch_dropped",
            sgd(batches="range(0, len(X) - batch_size + 1, batch_size)")),
    mistake("sgd-divides-by-batch-size", "sgd_epoch",
            "eta / batch_size, also for the shorter last batch", "short_batch_step",
            sgd(step="eta / batch_size")),
    mistake("sgd-in-place", "sgd_epoch", "W -= step * nabla_W on the caller's arrays",
            "mutates_inputs",
            sgd(update="        for W, nw in zip(weights, nabla_w):\n"
                       "            W -= step * nw\n"
                       "        for b, nb in zip(biases, nabla_b):\n"
                       "            b -= step * nb\n")),
    mistake("sgd-floor-batches",
            "sgd_epoch", "range(N // batch_size) batches", "last_batch_dropped",
            sgd(batches="range(0, (len(X) // batch_size) * batch_size, batch_size)")),
    mistake("sgd-slice-end", "sgd_epoch", "X[start:batch_size]", None,
            sgd(rows="start:batch_size")),
    control("sgd-recursive", "sgd_epoch", "one batch, then recursion on the rest", """
        def sgd_epoch(X, Y, weights, biases, batch_size, eta):
            if len(X) == 0:
                return [W.copy() for W in weights], [b.copy() for b in biases]
            nabla_w, nabla_b = backprop_batch(X[:batch_size], Y[:batch_size], weights, biases)
            step = eta / len(X[:batch_size])
            weights = [W - step * nw for W, nw in zip(weights, nabla_w)]
            biases = [b - step * nb for b, nb in zip(biases, nabla_b)]
            return sgd_epoch(X[batch_size:], Y[batch_size:], weights, biases, batch_size, eta)
        """),
    control("sgd-copies-then-in-place", "sgd_epoch", "copies first, then -= in place",
            sgd(prologue="    weights = [W.copy() for W in weights]\n"
                         "    biases = [b.copy() for b in biases]\n",
                update="        for W, nw in zip(weights, nabla_w):\n"
                       "            W -= step * nw\n"
                       "        for b, nb in zip(biases, nabla_b):\n"
                       "            b -= step * nb\n")),
]
