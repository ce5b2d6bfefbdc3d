"""Smaller versions of a failing hidden case, smallest first: the ladder a counterexample
is picked from (:mod:`.counterexample`).

Runs in the grading process and calls no student code: it only cuts arguments down.

- A network (``weights``, ``biases``, and the batch where the stub takes one): windows of
  one, two or three consecutive layers (with a layer whose result differed, where that
  is known), every width cut to its first 1, 2 or 3 units, batches of 1, 2 or 3 rows.
- Arrays whose axes are named (BP1-BP4, ``sigmoid``, ``sigmoid_prime``,
  ``relative_error``, ``add_bias_column``): each axis cut to the index where the result
  first differed, or to its first 1, 2 or 3 indices; a lone number for an activation.
- A chain of scalar neurons (``backprop_1D``): one or two consecutive neurons, or all.

Every number is rounded to one decimal (to two significant digits below 0.1, so a
gradient of 1e-9 stays one); integer arrays stay integers; an argument the stub's
contract computes from another (BP1's ``a_L`` is sigma(``z_L``)) is computed again, and
shown as that formula (:data:`DERIVED`). ``numerical_gradient``'s smooth function keeps its
formula, on its first 1, 2 or 3 variables. The ladder holds at most :data:`MOST`
candidates, the smallest of at most two layers and at most :data:`DEEP` deeper ones, in
order of :func:`size`: fewest layers, then fewest numbers. Any other function argument
has no ladder.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .. import engine
from ..course.smooth import SmoothFunction
from ..questions.registry import question
from .differing import differing_layers, first_difference

#: Candidates sent for one failing stub: one call each, all in one harness run.
MOST = 40
DEEP = 4  #: of those, the most of three layers or more (shown only if none of two fails)
MOST_NUMBERS = 200  #: a candidate of more numbers is not worth showing


@dataclass
class Net:
    """A network as a stub's arguments hold it: column-convention (weights, biases) of one
    shape (``set_params``: also ``theta``'s), the batch ``X`` (N, d), ``Y`` (N, k)."""

    params: list
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    rest: tuple = ()


def _pair(W, B):  # one parameter set
    return [list(W), list(B)]


#: Each network stub: its arguments as a :class:`Net`, and back.
NETS = {
    "feedforward": (lambda a: Net([_pair(a[1], a[2])], a[0]),
                    lambda n: (n.X, *n.params[0])),
    "backprop_vectorized": (lambda a: Net([_pair(a[2], a[3])], a[0].T, a[1].T),
                            lambda n: (n.X.T.copy(), n.Y.T.copy(), *n.params[0])),
    "backprop_batch": (lambda a: Net([_pair(a[2], a[3])], a[0], a[1]),
                       lambda n: (n.X, n.Y, *n.params[0])),
    "sgd_epoch": (lambda a: Net([_pair(a[2], a[3])], a[0], a[1], tuple(a[4:])),
                  lambda n: (n.X, n.Y, *n.params[0], *n.rest)),
    "get_params": (lambda a: Net([_pair(a[0], a[1])]), lambda n: tuple(n.params[0])),
    "set_params": (lambda a: Net([_pair(a[1], a[2]), _pair(*engine.set_params(*a))]),
                   lambda n: (engine.get_params(*n.params[1]), *n.params[0])),
    "backprop_row_major": (
        lambda a: Net([_pair([w.T for w in a[2]], [b.T for b in a[3]])], a[0], a[1]),
        lambda n: (n.X, n.Y, [w.T.copy() for w in n.params[0][0]],
                   [b.T.copy() for b in n.params[0][1]])),
    "feedforward_augmented": (
        lambda a: Net([_pair([w[:, :-1] for w in a[1]], [w[:, -1:] for w in a[1]])], a[0]),
        lambda n: (n.X, [np.hstack([w, b]) for w, b in zip(*n.params[0], strict=True)])),
}
NETS["backprop_loops"] = NETS["backprop_vectorized"]

#: Stubs of named axes: each argument's axis names (None: an axis kept whole), then the
#: result's, which say where it first differed.
AXES = {
    "bp1_output_error": ([("k", "N")] * 3, ("k", "N")),
    "bp2_hidden_error": ([("m", "n"), ("m", "N"), ("n", "N")], ("n", "N")),
    "bp3_bias_gradient": ([("n", "N")], ("n", None)),
    "bp4_weight_gradient": ([("n", "N"), ("p", "N")], ("n", "p")),
    "add_bias_column": ([("o", "i"), ("o", None)], ("o", None)),
}
ELEMENTWISE = ("sigmoid", "sigmoid_prime", "relative_error")
#: Arguments computed from the others, as Python over the stub's parameter names.
DERIVED = {"bp1_output_error": {0: "1 / (1 + np.exp(-z_L))"}}


def ladder(stub: str, args: tuple, expected=None, got=None) -> list[tuple]:
    """Smaller argument tuples for ``stub`` than ``args``, smallest first by :func:`size`
    (at most :data:`MOST`, each of at most :data:`MOST_NUMBERS` numbers); ``expected`` and ``got``
    (the reference's and the stub's result on ``args``, as float trees) say where the
    result differed, to keep that place. Empty for a stub with no ladder."""
    if stub == "numerical_gradient" and isinstance(args[0], SmoothFunction):
        made = _function_ladder(args)
    elif any(callable(a) for a in args):
        return []
    elif stub in NETS:
        made = _net_ladder(stub, args, differing_layers(expected, got))
    elif stub in AXES or stub in ELEMENTWISE:
        made = _axes_ladder(stub, args, first_difference(expected, got))
    elif stub == "backprop_1D":
        made = _chain_ladder(args, differing_layers(expected, got))
    elif _elementwise_shaped(args, expected):  # a question with no ladder of its own
        made = _axes_ladder(stub, args, first_difference(expected, got))
    else:
        return []
    seen, shallow, deep = set(), [], []
    for candidate in sorted((_derived(stub, c) for c in made), key=numbers):
        key = _key(candidate)
        if key not in seen and numbers(candidate) <= MOST_NUMBERS:
            seen.add(key)
            (shallow if size(stub, candidate)[0] <= 2 else deep).append(candidate)
    deep = deep[:DEEP]
    return sorted(shallow[:MOST - len(deep)] + deep, key=lambda c: size(stub, c))


def _elementwise_shaped(args: tuple, expected) -> bool:
    """Arrays of one shape, and a result of that shape (``tanh_prime(z)``, say): cut
    entry by entry like sigma's."""
    return (bool(args) and all(isinstance(a, np.ndarray) for a in args)
            and len({a.shape for a in args}) == 1 and np.shape(expected) == args[0].shape)


def size(stub: str, args: tuple) -> tuple[int, int]:
    """How large a candidate is: its layers (neurons of a chain; 0 for other stubs),
    then its numbers."""
    if stub in NETS:
        depth = len(NETS[stub][0](args).params[0][0])
    else:
        depth = len(args[2]) if stub == "backprop_1D" else 0
    return depth, numbers(args)


def numbers(tree) -> int:
    """How many numbers a candidate holds."""
    if isinstance(tree, SmoothFunction):
        return int(tree.A.size)
    if isinstance(tree, (list, tuple)):
        return sum(numbers(t) for t in tree)
    return int(np.size(tree))


def rounded(tree):
    """Every float rounded to one decimal (two significant digits below 0.1); integers
    and integer arrays as they are; ``-0.0`` written ``0.0``."""
    if isinstance(tree, (list, tuple)):
        return type(tree)(rounded(t) for t in tree)
    if isinstance(tree, (bool, int, np.integer)) or (
            isinstance(tree, np.ndarray) and tree.dtype.kind in "biu"):
        return tree
    array = np.asarray(tree, dtype=np.float64)
    finite = np.abs(array[np.isfinite(array)])
    top = float(finite.max()) if finite.size else 0.0
    digits = 1 if top >= 0.1 or top == 0.0 else math.ceil(-math.log10(top)) + 1
    out = np.round(array, digits) + 0.0
    return float(out) if not isinstance(tree, np.ndarray) else out


def _key(tree):
    if isinstance(tree, SmoothFunction):
        return _key(tree.A)
    if isinstance(tree, (list, tuple)):
        return (len(tree), *(_key(t) for t in tree))
    array = np.asarray(tree)
    return (type(tree).__name__, array.dtype.str, array.shape, array.tobytes())


def _net_ladder(stub: str, args: tuple, focus: set[int]) -> list[tuple]:
    to_net, from_net = NETS[stub]
    net = to_net(args)
    W = net.params[0][0]
    L, sizes = len(W), [W[0].shape[1]] + [w.shape[0] for w in W]
    windows = _windows(L, focus, (1, 2, 3))
    rows_options = [None] if net.X is None else sorted({min(r, len(net.X)) for r in (1, 2, 3)})
    made = []
    for (i, j), width, rows in itertools.product(windows, (1, 2, 3, None), rows_options):
        for rest in _rests(stub, net, rows):
            made.append(rounded(from_net(_window(net, sizes, i, j, width, rows, rest))))
    whole = Net(net.params, net.X, net.Y, tuple(_rests(stub, net, None)[-1]))
    made.append(rounded(from_net(whole)))
    return made


def _rests(stub: str, net: Net, rows: int | None) -> list[tuple]:
    """``sgd_epoch``'s batch_size and eta for a batch of ``rows``: mini-batches of one,
    of two with a short last one, and of the whole batch; eta rounded."""
    if stub != "sgd_epoch":
        return [net.rest]
    batch_size, eta = net.rest
    eta = float(np.round(eta, 1)) or 0.1
    if rows is None:
        return [(batch_size, eta)]
    return [(b, eta) for b in sorted({1, min(2, rows), rows})]


def _window(net: Net, sizes: list[int], i: int, j: int, width: int | None,
            rows: int | None, rest: tuple) -> Net:
    """Layers i..j-1 of ``net``, each width cut to its first ``width`` units (None: all),
    the batch cut to its first ``rows`` rows; a new first or last width gets columns
    from the original batch or targets."""
    keep = [s if width is None else min(s, width) for s in sizes[i:j + 1]]
    params = [[[w[l][:keep[l - i + 1], :keep[l - i]] for l in range(i, j)],
               [b[l][:keep[l - i + 1]] for l in range(i, j)]] for w, b in net.params]
    X = Y = None
    if net.X is not None:
        X = np.resize(net.X[:rows], (len(net.X[:rows]), sizes[i]))[:, :keep[0]]
    if net.Y is not None:
        Y = np.resize(net.Y[:rows], (len(net.Y[:rows]), sizes[j]))[:, :keep[-1]]
    return Net(params, X, Y, rest)


def _axes_ladder(stub: str, args: tuple, focus: tuple[int, ...] | None) -> list[tuple]:
    if stub in AXES:
        names, out_names = AXES[stub]
    else:
        shape = np.shape(args[0])
        names = [tuple(f"a{k}" for k in range(len(shape)))] * len(args)
        out_names = names[0] if stub != "relative_error" else ()
    if not all(isinstance(a, np.ndarray) for a in args):  # a lone number
        return [rounded(args)]
    sizes = {n: a.shape[k] for a, axes in zip(args, names, strict=True)
             for k, n in enumerate(axes) if n is not None}
    where = {n: focus[k] for k, n in enumerate(out_names)
             if n is not None and focus is not None and k < len(focus)}
    options = {n: _indices(s, where.get(n)) for n, s in sizes.items()}
    made = []
    if stub in ELEMENTWISE[:2]:  # sigma and sigma' of one number
        made.append((rounded(float(args[0][focus or (0,) * args[0].ndim])),))
    for choice in itertools.product(*options.values()):
        pick = dict(zip(options, choice, strict=True))
        made.append(rounded(tuple(_take(a, axes, pick) for a, axes in zip(args, names,
                                                                         strict=True))))
    made.append(rounded(tuple(args)))
    return made


def _indices(size: int, focus: int | None) -> list[list[int]]:
    firsts = [list(range(min(k, size))) for k in (1, 2, 3)] + [list(range(size))]
    return ([[focus]] if focus is not None else []) + firsts


def _take(array: np.ndarray, axes: tuple, pick: dict) -> np.ndarray:
    for k, name in enumerate(axes):
        if name is not None:
            array = np.take(array, pick[name], axis=k)
    return array


def _windows(L: int, focus: set[int], lengths=(1, 2)) -> list[tuple[int, int]]:
    """Runs of consecutive layers i..j-1 of each length, with a layer of ``focus`` if any."""
    return [(i, i + k) for k in lengths for i in range(L - k + 1)
            if not focus or focus & set(range(i, i + k))]


def _chain_ladder(args: tuple, focus: set[int]) -> list[tuple]:
    x, y, w, b = args
    made = [rounded((x, y, list(w[i:j]), list(b[i:j]))) for i, j in _windows(len(w), focus)]
    return made + [rounded((x, y, list(w), list(b)))]


def _derived(stub: str, args: tuple) -> tuple:
    """``args`` with each argument of :data:`DERIVED` computed from the others."""
    formulas = DERIVED.get(stub)
    if not formulas:
        return args
    args, names = list(args), question(stub).parameters
    with np.errstate(all="ignore"):
        for position, formula in formulas.items():
            args[position] = eval(formula, {"np": np}, dict(zip(names, args, strict=False)))
    return tuple(args)


def _function_ladder(args: tuple) -> list[tuple]:
    """The smooth function on its first 1, 2 or 3 variables (and all), rounded; ``eps``
    as it is, rounded."""
    f, theta, *rest = args
    made = []
    for k in sorted({min(k, theta.size) for k in (1, 2, 3)} | {theta.size}):
        A = rounded(f.A[:k, :k])
        made.append((SmoothFunction((A + A.T) / 2), rounded(theta[:k]), *rounded(rest)))
    return made
