"""Independent a2 solutions, and copy rings planted among them (issue 20, §7).

Each student writes every a2 stub (and pastes the a1 ones) correctly, choosing at each
of many decision points the way students do write it: ``@`` or ``np.dot`` or
``.dot``, a ``zip`` or an index loop, ``reversed(range(L))`` or a step of -1, zeros
made three ways, the forward pass kept in lists or in a dict, a helper or not, their
own names, their own comments. Two students rarely make the same choices throughout a
long stub, as with people; short stubs (``bp1``...``bp4``) come out the same often, as
they do in a real class. ``ring_copy`` is what a copier does in a minute: every local
name renamed, comments changed, helpers moved.

Every generated function is correct: ``check`` runs them against the reference engine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from backprop_lab.samples import filled, read, stub_cells

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a2_backprop"
POOLS = {
    "acts": ["activations", "acts", "a_list", "As", "layer_outputs", "outs", "a_s"],
    "zs": ["zs", "z_list", "Zs", "weighted", "z_vals", "pre"],
    "act": ["activation", "a", "act", "current", "h", "out"],
    "nw": ["nabla_w", "grad_w", "dW", "gw", "dws", "w_grads"],
    "nb": ["nabla_b", "grad_b", "dB", "gb", "dbs", "b_grads"],
    "delta": ["delta", "d", "err", "error", "dl", "delta_l"],
    "L": ["L", "n_layers", "depth", "num_layers", "nl"],
    "l": ["l", "ell", "layer", "lyr", "idx"],
    "W": ["W", "w", "Wl", "weight", "mat"],
    "b": ["b", "bias", "bl", "bb", "vec"],
    "z": ["z", "zl", "z_cur", "pre_act", "s"],
}
COMMENTS = ["# forward pass", "# store everything on the way", "# backward pass", "# BP1",
            "# output layer first", "# go back through the layers", "# gradients", "",
            "# then the hidden layers", "# TODO check shapes", "# keep the z's"]


def pick(rng, options):
    return options[rng.integers(len(options))]


def matmul(rng) -> str:
    return pick(rng, ["{A} @ {B}", "np.dot({A}, {B})", "{A}.dot({B})", "np.matmul({A}, {B})"])


def length(rng, expr: str) -> str:
    """One of the ways students write a length, chosen afresh at each place."""
    return pick(rng, [f"len({expr})", f"{expr}.shape[0]", f"np.shape({expr})[0]"])


def width(rng, expr: str) -> str:
    return pick(rng, [f"{expr}.shape[1]", f"np.shape({expr})[1]", f"len({expr}[0])"])


def T(rng, expr: str) -> str:
    return pick(rng, [f"{expr}.T", f"np.transpose({expr})", f"{expr}.transpose()"])


def mm(form: str, a: str, b: str) -> str:
    return form.replace("{A}", a).replace("{B}", b)


def sigmoid_src(rng) -> str:
    body = pick(rng, ["return 1 / (1 + np.exp(-z))", "return 1.0 / (1.0 + np.exp(-z))",
                      "return expit(z)", "return np.exp(-np.logaddexp(0, -z))",
                      "return 0.5 * (1 + np.tanh(z / 2))"])
    return f"def sigmoid(z):\n    {body}\n"


def sigmoid_prime_src(rng) -> str:
    return pick(rng, [
        "def sigmoid_prime(z):\n    return sigmoid(z) * (1 - sigmoid(z))\n",
        "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n",
        "def sigmoid_prime(z):\n    return expit(z) * (1.0 - expit(z))\n",
        "def sigmoid_prime(z):\n    e = np.exp(-z)\n    return e / (1 + e) ** 2\n"])


def forward(rng, n, first: str, keep_z=True) -> list[str]:
    """Lines (indent 4) of a forward pass from ``first`` keeping activations (and zs)."""
    prod = matmul(rng)
    lines = [f"{n['act']} = {first}"]
    lines += pick(rng, [[f"{n['acts']} = [{n['act']}]", f"{n['zs']} = []"],
                        [f"{n['zs']}, {n['acts']} = [], [{n['act']}]"],
                        [f"{n['zs']} = []", f"{n['acts']} = [{n['act']}]"]])
    if rng.random() < 0.5:
        lines.append(f"for {n['W']}, {n['b']} in zip(weights, biases):")
        w, b = n["W"], n["b"]
    else:
        lines.append(f"for {n['l']} in range(len(weights)):")
        w, b = f"weights[{n['l']}]", f"biases[{n['l']}]"
    z = mm(prod, w, n["act"]) + f" + {b}"
    lines += [f"    {n['z']} = {z}"]
    upd = pick(rng, [[f"    {n['act']} = sigmoid({n['z']})", f"    {n['zs']}.append({n['z']})",
                      f"    {n['acts']}.append({n['act']})"],
                     [f"    {n['zs']}.append({n['z']})", f"    {n['act']} = sigmoid({n['z']})",
                      f"    {n['acts']}.append({n['act']})"]])
    return lines + upd


def zeros(rng, n) -> list[str]:
    form = pick(rng, ["[np.zeros(p.shape) for p in {L}]", "[np.zeros_like(p) for p in {L}]",
                      "[0 * p for p in {L}]", "[np.zeros(np.shape(p)) for p in {L}]"])
    return [f"{n['nw']} = " + form.format(L="weights"), f"{n['nb']} = " + form.format(L="biases")]


def backward_range(rng, n) -> str:
    return pick(rng, [f"for {n['l']} in range({n['L']} - 1, -1, -1):",
                      f"for {n['l']} in reversed(range({n['L']})):",
                      f"for {n['l']} in range({n['L']})[::-1]:"])


def indent(lines: list[str], by: int = 4) -> str:
    return "\n".join((" " * by + x) if x else "" for x in lines)


def comment(rng) -> list[str]:
    c = pick(rng, COMMENTS)
    return [c] if c else []


def backprop_loops_src(rng, n) -> str:
    """Forward pass neuron by neuron, then the scalar equations backwards."""
    a, zs, acts, d, L, l_ = n["act"], n["zs"], n["acts"], n["delta"], n["L"], n["l"]
    z, nw, nb = n["z"], n["nw"], n["nb"]
    j, k = pick(rng, [("j", "k"), ("i", "j"), ("r", "c"), ("o", "p")])
    lines = comment(rng)
    lines += [pick(rng, [f"{a} = [float(v) for v in x.ravel()]", f"{a} = list(x[:, 0])",
                         f"{a} = [x[q, 0] for q in range(x.shape[0])]",
                         f"{a} = x.flatten().tolist()"])]
    lines += pick(rng, [[f"{acts}, {zs} = [{a}], []"], [f"{acts} = [{a}]", f"{zs} = []"],
                        [f"{zs} = []", f"{acts} = []", f"{acts}.append({a})"]])
    if rng.random() < 0.5:
        lines += ["for W, b in zip(weights, biases):"]
        w, b = "W", "b"
    else:
        lines += [f"for {l_} in range(len(weights)):"]
        w, b = f"weights[{l_}]", f"biases[{l_}]"
    lines += pick(rng, [
        [f"    {z} = []", f"    for {j} in range({length(rng, b)}):", f"        acc = {b}[{j}, 0]",
         f"        for {k} in range(len({a})):", f"            acc += {w}[{j}, {k}] * {a}[{k}]",
         f"        {z}.append(acc)"],
        [f"    {z} = [sum({w}[{j}, {k}] * {a}[{k}] for {k} in range(len({a})))"
         f" + {b}[{j}, 0] for {j} in range({length(rng, w)})]"],
        [f"    {z} = []", f"    for {j} in range({length(rng, w)}):",
         f"        {z}.append(float(np.dot({w}[{j}, :], {a})) + float({b}[{j}][0]))"]])
    lines += pick(rng, [[f"    {a} = [sigmoid(t) for t in {z}]"],
                        [f"    {a} = []", f"    for t in {z}:", f"        {a}.append(sigmoid(t))"],
                        [f"    {a} = [1 / (1 + np.exp(-t)) for t in {z}]"]])
    lines += pick(rng, [[f"    {zs}.append({z})", f"    {acts}.append({a})"],
                        [f"    {acts}.append({a})", f"    {zs}.append({z})"]])
    ell = pick(rng, [L, "len(weights)", "len(biases)"])
    if ell == L:
        lines += [pick(rng, [f"{L} = len(weights)", f"{L} = len(biases)"])]
    lines += zeros(rng, n) + comment(rng)
    lines += pick(rng, [
        [f"{d} = [({acts}[-1][{j}] - y[{j}, 0]) * sigmoid_prime({zs}[-1][{j}]) "
         f"for {j} in range({length(rng, 'y')})]"],
        [f"{d} = []", f"for {j} in range({length(rng, 'y')}):",
         f"    {d}.append(({acts}[-1][{j}] - float(y[{j}][0])) * sigmoid_prime({zs}[-1][{j}]))"],
        [f"{d} = [(p - q) * sigmoid_prime(r) for p, q, r in zip({acts}[-1], y.ravel(), "
         f"{zs}[-1])]"]])
    lines += [pick(rng, [f"for {l_} in range({ell} - 1, -1, -1):",
                         f"for {l_} in reversed(range({ell})):",
                         f"for {l_} in range({ell})[::-1]:"])]
    grads = pick(rng, [
        [f"    for {j} in range(len({d})):", f"        {nb}[{l_}][{j}, 0] = {d}[{j}]",
         f"        for {k} in range(len({acts}[{l_}])):",
         f"            {nw}[{l_}][{j}, {k}] = {d}[{j}] * {acts}[{l_}][{k}]"],
        [f"    for {j}, dj in enumerate({d}):", f"        {nb}[{l_}][{j}][0] = dj",
         f"        for {k}, ak in enumerate({acts}[{l_}]):",
         f"            {nw}[{l_}][{j}][{k}] = dj * ak"],
        [f"    for {j} in range(len({d})):", f"        {nb}[{l_}][{j}, 0] = {d}[{j}]",
         f"        {nw}[{l_}][{j}, :] = {d}[{j}] * np.array({acts}[{l_}])"]])
    nxt = pick(rng, ["Wn", "W_next", "after", "nextW"])
    def z_at(at: str) -> str:  # the z of the layer the new error belongs to
        return f"{zs}[{l_}]" if at.endswith("+ 1") else f"{zs}[{l_} - 1]"

    hidden = pick(rng, [
        lambda at, cond: [f"    if {l_} {cond}:", f"        {nxt} = weights[{at}]",
                          f"        {d} = [sum({nxt}[{j}, {k}] * {d}[{j}] for {j} in range("
                          f"len({d}))) * sigmoid_prime({z_at(at)}[{k}])"
                          f" for {k} in range({width(rng, nxt)})]"],
        lambda at, cond: [f"    if {l_} {cond}:", "        new = []",
                          f"        for {k} in range({width(rng, f'weights[{at}]')}):",
                          "            tot = 0.0", f"            for {j} in range(len({d})):",
                          f"                tot += weights[{at}][{j}, {k}] * {d}[{j}]",
                          f"            new.append(tot * sigmoid_prime({z_at(at)}[{k}]))",
                          f"        {d} = new"]])
    if rng.random() < 0.5:  # the next error at the top of the loop, or at its end
        lines += hidden(f"{l_} + 1", pick(rng, [f"< {ell} - 1", f"!= {ell} - 1"])) + grads
    else:
        lines += grads + hidden(l_, pick(rng, ["> 0", "!= 0", ">= 1"]))
    lines += [f"return {nw}, {nb}"]
    return "def backprop_loops(x, y, weights, biases):\n" + indent(lines) + "\n"


def backprop_vectorized_src(rng, n) -> str:
    d, acts, zs, L, l_ = n["delta"], n["acts"], n["zs"], n["L"], n["l"]
    first = pick(rng, ["x", "np.asarray(x, dtype=float)", "x.astype(np.float64)", "x.copy()"])
    helper = ""
    if rng.random() < 0.4:
        name = pick(rng, ["forward_pass", "_forward", "run_forward", "fwd"])
        helper = (f"def {name}(x, weights, biases):\n" + indent(forward(rng, n, first)
                  + [f"return {zs}, {acts}"]) + "\n\n\n")
        lines = comment(rng) + [f"{zs}, {acts} = {name}(x, weights, biases)"]
    else:
        lines = comment(rng) + forward(rng, n, first)
    lines += comment(rng) + [pick(rng, [f"{L} = len(weights)", f"{L} = len({zs})"])]
    lines += pick(rng, [[f"{n['nw']} = [None] * {L}", f"{n['nb']} = [None] * {L}"],
                        [f"{n['nw']}, {n['nb']} = [None] * {L}, [None] * {L}"],
                        [f"{n['nw']} = [0] * {L}", f"{n['nb']} = [0] * {L}"], zeros(rng, n)])
    grads = pick(rng, [[f"{n['nb']}[{{i}}] = bp3_bias_gradient({d})",
                        f"{n['nw']}[{{i}}] = bp4_weight_gradient({d}, {acts}[{{p}}])"],
                       [f"{n['nw']}[{{i}}] = bp4_weight_gradient({d}, {acts}[{{p}}])",
                        f"{n['nb']}[{{i}}] = bp3_bias_gradient({d})"]])
    if rng.random() < 0.5:
        last, prev = pick(rng, [("-1", "-2"), (f"{L} - 1", f"{L} - 1")])
        out, zl = pick(rng, [("-1", "-1"), (L, f"{L} - 1"), ("-1", f"{L} - 1")])
        lines += [f"{d} = bp1_output_error({acts}[{out}], {zs}[{zl}], "
                  + pick(rng, ["y", "np.asarray(y)", "y.astype(float)"]) + ")"]
        lines += [g.format(i=last, p=prev) for g in grads] + comment(rng)
        lines += [pick(rng, [f"for {l_} in range({L} - 2, -1, -1):",
                             f"for {l_} in reversed(range({L} - 1)):"])]
        lines += [f"    {d} = bp2_hidden_error(weights[{l_} + 1], {d}, {zs}[{l_}])"]
    else:
        lines += [pick(rng, [f"for {l_} in range({L} - 1, -1, -1):",
                             f"for {l_} in reversed(range({L})):"])]
        lines += pick(rng, [
            [f"    if {l_} == {L} - 1:", f"        {d} = bp1_output_error({acts}[-1], {zs}[-1], y)"
             if rng.random() < 0.5 else
             f"        {d} = bp1_output_error({acts}[{l_} + 1], {zs}[{l_}], y)",
             "    else:", f"        {d} = bp2_hidden_error(weights[{l_} + 1], {d}, {zs}[{l_}])"],
            [f"    {d} = (bp1_output_error({acts}[{l_} + 1], {zs}[{l_}], y) if {l_} == {L} - 1 "
             f"else bp2_hidden_error(weights[{l_} + 1], {d}, {zs}[{l_}]))"]])
    lines += ["    " + g.format(i=l_, p=l_) for g in grads]
    lines += [f"return {n['nw']}, {n['nb']}"]
    return helper + "def backprop_vectorized(x, y, weights, biases):\n" + indent(lines) + "\n"


def backprop_batch_src(rng, n) -> str:
    d, acts, zs, L, l_ = n["delta"], n["acts"], n["zs"], n["L"], n["l"]
    prod = matmul(rng)
    lines = comment(rng) + forward(rng, n, pick(rng, ["X.T", "np.transpose(X)",
                                                      "np.asarray(X, dtype=float).T",
                                                      "X.T.copy()"]))
    lines += [pick(rng, [f"{L} = len(weights)", f"{L} = len(biases)"])] + zeros(rng, n)
    lines += comment(rng)
    target = pick(rng, ["Y.T", "np.transpose(Y)", "Y.T.astype(float)"])
    sp = pick(rng, [f"sigmoid_prime({zs}[{{i}}])",
                    f"{acts}[{{j}}] * (1 - {acts}[{{j}}])",
                    f"sigmoid({zs}[{{i}}]) * (1 - sigmoid({zs}[{{i}}]))"])
    lines += pick(rng, [[f"{d} = ({acts}[-1] - {target}) * " + sp.format(i="-1", j="-1")],
                        [f"{d} = bp1_output_error({acts}[-1], {zs}[-1], {target})"],
                        [f"diff = {acts}[-1] - {target}",
                         f"{d} = diff * " + sp.format(i="-1", j="-1")]])
    lines += [backward_range(rng, n)]
    step = pick(rng, [
        [f"    if {l_} < {L} - 1:",
         f"        {d} = " + mm(prod, T(rng, f"weights[{l_} + 1]"), d) + " * "
         + sp.format(i=l_, j=f"{l_} + 1")],
        [f"    if {l_} != {L} - 1:",
         f"        {d} = bp2_hidden_error(weights[{l_} + 1], {d}, {zs}[{l_}])"],
        [f"    if {l_} < {L} - 1:", "        back = " + mm(prod, T(rng, f"weights[{l_} + 1]"), d),
         f"        {d} = back * " + sp.format(i=l_, j=f"{l_} + 1")]])
    grads = pick(rng, [
        [f"    {n['nb']}[{l_}] = {d}.sum(axis=1, keepdims=True)",
         f"    {n['nw']}[{l_}] = " + mm(prod, d, T(rng, f"{acts}[{l_}]"))],
        [f"    {n['nb']}[{l_}] = np.sum({d}, axis=1).reshape(-1, 1)",
         f"    {n['nw']}[{l_}] = " + mm(prod, d, f"np.transpose({acts}[{l_}])")],
        [f"    {n['nw']}[{l_}] = bp4_weight_gradient({d}, {acts}[{l_}])",
         f"    {n['nb']}[{l_}] = bp3_bias_gradient({d})"],
        [f"    {n['nb']}[{l_}] = np.sum({d}, axis=1, keepdims=True)",
         f"    {n['nw']}[{l_}] = np.einsum('in,jn->ij', {d}, {acts}[{l_}])"]])
    lines += step + grads + [f"return {n['nw']}, {n['nb']}"]
    return "def backprop_batch(X, Y, weights, biases):\n" + indent(lines) + "\n"


def feedforward_src(rng, n) -> str:
    lines = forward(rng, n, pick(rng, ["X.T", "np.transpose(X)", "np.asarray(X, float).T"]))
    lines += [pick(rng, [f"return {n['zs']}, {n['acts']}", f"return ({n['zs']}, {n['acts']})"])]
    return "def feedforward(X, weights, biases):\n" + indent(lines) + "\n"


SMALL = {
    "bp1_output_error": ["return (a_L - y) * sigmoid_prime(z_L)",
                         "return np.multiply(a_L - y, sigmoid_prime(z_L))",
                         "return sigmoid_prime(z_L) * (a_L - y)"],
    "bp2_hidden_error": ["return (W_next.T @ delta_next) * sigmoid_prime(z)",
                         "return np.dot(W_next.T, delta_next) * sigmoid_prime(z)",
                         "return W_next.T.dot(delta_next) * sigmoid_prime(z)"],
    "bp3_bias_gradient": ["return delta.sum(axis=1, keepdims=True)",
                          "return np.sum(delta, axis=1, keepdims=True)",
                          "return np.sum(delta, axis=1).reshape(-1, 1)"],
    "bp4_weight_gradient": ["return delta @ a_prev.T", "return np.dot(delta, a_prev.T)",
                            "return delta.dot(a_prev.T)"],
}
ARGS = {"bp1_output_error": "a_L, z_L, y", "bp2_hidden_error": "W_next, delta_next, z",
        "bp3_bias_gradient": "delta", "bp4_weight_gradient": "delta, a_prev"}


def solution(seed: int) -> dict[str, str]:
    """One student's a2: stub name -> the source of its cell (a1's pasted ones included)."""
    rng = np.random.default_rng(seed)
    n = {key: pick(rng, pool) for key, pool in POOLS.items()}
    head = "import numpy as np\nfrom scipy.special import expit\n\n"
    out = {"sigmoid": head + sigmoid_src(rng), "sigmoid_prime": head + sigmoid_prime_src(rng),
           "feedforward": head + feedforward_src(rng, dict(n))}
    for stub, bodies in SMALL.items():
        out[stub] = f"def {stub}({ARGS[stub]}):\n    {pick(rng, bodies)}\n"
    out["backprop_loops"] = backprop_loops_src(rng, n)
    out["backprop_vectorized"] = backprop_vectorized_src(rng, n)
    out["backprop_batch"] = backprop_batch_src(rng, n)
    return out


def ring_copy(sources: dict[str, str], seed: int) -> dict[str, str]:
    """A copier's minute: every local name renamed, comments dropped or changed."""
    rng = np.random.default_rng(10_000 + seed)
    out = {}
    for stub, src in sources.items():
        head, _, body = src.partition(f"def {stub}(")
        for pool in POOLS.values():
            for name in pool:
                if rng.random() < 0.8:
                    body = re.sub(rf"\b{name}\b", f"{name}_{rng.integers(10, 99)}", body)
        body = re.sub(r"#[^\n]*", lambda m: pick(rng, ["# mine", "# my way", ""]), body)
        out[stub] = f"{head}def {stub}({body}"
    return out


def notebook(sources: dict[str, str]) -> dict:
    """The handed-out a2 notebook with these answers in its cells."""
    template = read(ROOT / "samples" / f"{ASSIGNMENT}-unfinished.ipynb")
    nb = filled(template, {s: v for s, v in sources.items() if s in stub_cells(template)})
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        found = re.match(r"# From assignment \d+: your (\w+)", text)
        if found and found[1] in sources:
            cell["source"] = f"{text.splitlines()[0]}\n{sources[found[1]]}"
    return json.loads(json.dumps(nb))


def check(sources: dict[str, str]) -> None:
    """Run every function against the reference engine; AssertionError if one is wrong."""
    from backprop_lab import engine

    env: dict = {}
    exec("import numpy as np\nfrom scipy.special import expit\n", env)  # noqa: S102
    for src in sources.values():
        exec(src, env)  # noqa: S102
    rng = np.random.default_rng(0)
    sizes = [3, 4, 2]
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=(o, 1)) for o in sizes[1:]]
    x, y = rng.normal(size=(3, 1)), rng.uniform(size=(2, 1))
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    for stub, args in [("backprop_loops", (x, y)), ("backprop_vectorized", (x, y)),
                       ("backprop_batch", (X, Y)), ("feedforward", (X,))]:
        try:
            got = env[stub](*args, weights, biases)
        except Exception as error:
            raise AssertionError(f"{stub}: {error}\n{sources[stub]}") from error
        want = getattr(engine, stub)(*args, weights, biases)
        for g, w in zip([*got[0], *got[1]], [*want[0], *want[1]]):
            g = np.asarray(g, float)
            assert g.shape == w.shape and np.allclose(g, w), f"{stub}: wrong\n{sources[stub]}"
