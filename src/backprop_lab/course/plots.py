"""Pictures for assignments 1 and 2. Student-safe: ships beside the notebooks as ``bplab``.

Every helper draws what the notebook hands it (arrays, or callables the notebook
defines) and computes nothing of its own that a graded stub asks for: no sigmoid, no
forward pass, no gradient. Each returns its matplotlib ``Figure``; end a notebook cell
with ``plt.show()`` so the figure is drawn once.

Imports: numpy and matplotlib only, and sibling modules of this package, relatively.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

# One palette for the course: forward quantities blue, backward (errors, gradients)
# orange, data grey, highlights red.
FORWARD = "#1f77b4"
BACKWARD = "#ff7f0e"
DATA = "#555555"
HIGHLIGHT = "#d62728"
MUTED = "#bbbbbb"
CYCLE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

__all__ = [
    "draw_chain",
    "draw_network",
    "plot_activation",
    "plot_bars",
    "plot_cost_slice",
    "plot_cost_surface",
    "plot_history",
    "plot_layer_outputs",
    "plot_step_fit",
    "show_matrices",
]


def _figure(ax, figsize):
    """The figure and axes to draw on: ``ax``'s own, or a new pair."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _flat(values) -> np.ndarray:
    """Any array-like (a list of floats, an ``(n, 1)`` column, ...) as a 1-D float array."""
    return np.asarray(values, dtype=np.float64).ravel()


# --------------------------------------------------------------------------- 1-D plots


def plot_activation(
    f: Callable,
    fprime: Callable | None = None,
    zmin: float = -8.0,
    zmax: float = 8.0,
    ax=None,
):
    """Plot an activation function (and its derivative) against z.

    Args:
        f: the activation, called once on a 1-D array of z values, e.g. your ``sigmoid``.
        fprime: its derivative, e.g. your ``sigmoid_prime``; drawn in orange when given.
        zmin, zmax: the range of z.
        ax: an existing Axes to draw on (a new figure when ``None``).

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (7, 3.6))
    z = np.linspace(zmin, zmax, 401)
    ax.axhline(0, color=MUTED, lw=0.8)
    ax.axvline(0, color=MUTED, lw=0.8)
    ax.plot(z, _flat(f(z)), color=FORWARD, lw=2.2, label=r"$\sigma(z)$")
    f0 = float(_flat(f(np.zeros(1)))[0])
    ax.plot([0], [f0], "o", color=FORWARD)
    ax.annotate(rf"$\sigma(0) = {f0:.2f}$", (0, f0), xytext=(12, -4),
                textcoords="offset points", color=FORWARD)
    if fprime is not None:
        ax.plot(z, _flat(fprime(z)), color=BACKWARD, lw=2.2, label=r"$\sigma'(z)$")
        d0 = float(_flat(fprime(np.zeros(1)))[0])
        ax.plot([0], [d0], "o", color=BACKWARD)
        ax.annotate(rf"$\sigma'(0) = {d0:.2f}$ (its largest value)", (0, d0), xytext=(12, 6),
                    textcoords="offset points", color=BACKWARD)
    ax.set_xlabel("$z$")
    ax.set_ylim(-0.08, 1.1)
    ax.legend(loc="upper left")
    ax.grid(alpha=0.25)
    fig.tight_layout()
    return fig


def plot_step_fit(
    X: np.ndarray,
    Y: np.ndarray,
    curves: Mapping[str, np.ndarray] | None = None,
    title: str | None = None,
    ax=None,
):
    """The 1-D data as dots, and any number of model outputs as lines.

    Args:
        X: ``(N, 1)`` inputs (or ``(N,)``); Y: ``(N, 1)`` targets.
        curves: label -> outputs, each with N values in the order of ``X`` (any shape
            that ravels to N values, so an ``(1, N)`` activation row works).
        title: an optional title.
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (7, 3.6))
    x, y = _flat(X), _flat(Y)
    order = np.argsort(x, kind="stable")
    ax.scatter(x, y, s=16, color=DATA, zorder=3, label="data")
    for i, (label, values) in enumerate((curves or {}).items()):
        ax.plot(x[order], _flat(values)[order], lw=2, color=CYCLE[i % len(CYCLE)], label=label)
    ax.set_xlabel("$x$")
    ax.set_ylabel("output")
    ax.set_ylim(-0.1, 1.1)
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_layer_outputs(
    x: np.ndarray,
    activations: Sequence[np.ndarray],
    Y: np.ndarray | None = None,
    titles: Sequence[str] | None = None,
):
    """What every neuron computes, as a function of a 1-D input: one panel per layer.

    Args:
        x: the N inputs, ``(N, 1)`` or ``(N,)``.
        activations: ``activations[l]`` is ``(n_l, N)``, ``activations[0]`` the input
            itself (it is skipped), as returned by a forward pass over the batch.
        Y: the N targets, drawn as dots in the last panel when given.
        titles: one title per drawn layer.

    Returns:
        The Figure.
    """
    layers = list(activations[1:])
    fig, axes = plt.subplots(1, len(layers), figsize=(3.6 * len(layers), 3.2), squeeze=False)
    x = _flat(x)
    order = np.argsort(x, kind="stable")
    for l, (ax, A) in enumerate(zip(axes[0], layers, strict=True), start=1):
        A = np.atleast_2d(np.asarray(A, dtype=np.float64))
        for j, row in enumerate(A):
            ax.plot(x[order], row[order], lw=2, color=CYCLE[j % len(CYCLE)],
                    label=f"$a^{{{l}}}_{{{j + 1}}}$")
        if Y is not None and l == len(layers):
            ax.scatter(x, _flat(Y), s=10, color=DATA, zorder=3)
        ax.set_ylim(-0.1, 1.1)
        ax.set_xlabel("$x$")
        ax.grid(alpha=0.25)
        ax.legend(fontsize="small", loc="center left")
        kind = "output" if l == len(layers) else "hidden"
        count = f"{A.shape[0]} neuron" + ("s" if A.shape[0] > 1 else "")
        ax.set_title(titles[l - 1] if titles else f"layer {l} ({kind}): {count}")
    fig.tight_layout()
    return fig


def plot_cost_slice(
    w: np.ndarray,
    costs: np.ndarray,
    w0: float,
    c0: float,
    secants: Mapping[float, float] | None = None,
    tangent: float | None = None,
    name: str = "w_1",
    ax=None,
):
    """The cost along one parameter, with secant lines and, optionally, the tangent at w0.

    Args:
        w: values of the parameter (1-D); costs: the cost at each.
        w0, c0: the point the lines go through, and the cost there.
        secants: step h -> cost at ``w0 + h``; each secant joins (w0, c0) and (w0+h, C(w0+h)).
        tangent: a slope; drawn as the tangent line at w0.
        name: the parameter's name in LaTeX (without dollars), for the labels.
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (7, 4))
    w, costs = _flat(w), _flat(costs)
    ax.plot(w, costs, color=DATA, lw=2.2, label=f"cost $C({name})$")
    span = np.array([w.min(), w.max()])
    for i, (h, ch) in enumerate(sorted((secants or {}).items(), reverse=True)):
        slope = (ch - c0) / h
        color = plt.cm.Blues(0.45 + 0.5 * i / max(1, len(secants) - 1))
        ax.plot(span, c0 + slope * (span - w0), "--", color=color, lw=1.3,
                label=f"secant, $h = {h:g}$: slope {slope:.3f}")
        ax.plot([w0 + h], [ch], "o", color=color, ms=5)
    if tangent is not None:
        ax.plot(span, c0 + tangent * (span - w0), color=BACKWARD, lw=2,
                label=f"tangent: slope {tangent:.3f}")
    ax.plot([w0], [c0], "o", color=HIGHLIGHT, ms=8, zorder=4)
    ax.annotate(f"${name} = {w0:g}$", (w0, c0), xytext=(-70, -24), textcoords="offset points",
                color=HIGHLIGHT)
    pad = 0.15 * (costs.max() - costs.min() + 1e-12)
    ax.set_ylim(costs.min() - pad, costs.max() + pad)
    ax.set_xlim(*span)
    ax.set_xlabel(f"${name}$")
    ax.set_ylabel("cost $C$")
    ax.grid(alpha=0.25)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_cost_surface(
    w: np.ndarray,
    b: np.ndarray,
    C: np.ndarray,
    point: tuple[float, float] | None = None,
    step: tuple[float, float] | None = None,
    names: tuple[str, str] = ("w_1", "b_1"),
    ax=None,
):
    """Contours of the cost over two parameters, with an optional point and step arrow.

    Args:
        w: ``(n_w,)`` grid values of the first parameter; b: ``(n_b,)`` of the second.
        C: ``(n_b, n_w)`` costs, ``C[i, j]`` at ``(w[j], b[i])`` (``np.meshgrid`` order).
        point: ``(w, b)`` to mark.
        step: ``(dw, db)``, an arrow drawn from ``point`` (e.g. minus the gradient, scaled).
        names: the two parameters' names in LaTeX, for the axis labels.
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (6, 4.6))
    cs = ax.contourf(w, b, C, levels=25, cmap="viridis")
    ax.contour(w, b, C, levels=12, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(cs, ax=ax, label="cost $C$")
    if point is not None:
        ax.plot(*point, "o", color=HIGHLIGHT, ms=8)
        if step is not None:
            ax.annotate("", xy=(point[0] + step[0], point[1] + step[1]), xytext=point,
                        arrowprops=dict(arrowstyle="-|>", color=HIGHLIGHT, lw=2))
    ax.set_xlabel(f"${names[0]}$")
    ax.set_ylabel(f"${names[1]}$")
    fig.tight_layout()
    return fig


def plot_history(values: Sequence[float], ylabel: str = "cost", xlabel: str = "step",
                 logy: bool = False, ax=None):
    """A training curve: one value per step (or epoch).

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (6, 3.4))
    ax.plot(np.arange(len(values)), _flat(values), color=FORWARD, lw=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    return fig


def plot_bars(
    groups: Mapping[str, Sequence[float]],
    labels: Sequence[str],
    title: str | None = None,
    ylabel: str | None = None,
    log: bool = False,
    ax=None,
):
    """Grouped bars: one group per label, one bar per entry of ``groups``.

    Args:
        groups: series name -> one value per label (e.g. "backprop" and "finite
            differences" -> one gradient per weight).
        labels: the names under the groups (LaTeX allowed).
        title, ylabel: optional text.
        log: a logarithmic y axis (magnitudes are plotted then).
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (max(5.0, 0.6 * len(labels) + 2.5), 3.6))
    n = len(groups)
    width = 0.8 / max(n, 1)
    pos = np.arange(len(labels))
    smallest = np.inf
    for i, (name, values) in enumerate(groups.items()):
        values = _flat(values)
        if log:
            values = np.abs(values)
            smallest = min(smallest, np.min(values[values > 0], initial=np.inf))
        bars = ax.bar(pos + (i - (n - 1) / 2) * width, values, width, label=name,
                      color=CYCLE[i % len(CYCLE)])
        if log:  # on a log axis bar lengths mislead; write the values on the bars
            ax.bar_label(bars, labels=[f"{v:.2g}" for v in values], fontsize=8, padding=2)
    ax.set_xticks(pos, list(labels))
    if log:
        ax.set_yscale("log")
        if np.isfinite(smallest):
            ax.set_ylim(bottom=10.0 ** np.floor(np.log10(smallest) - 0.5))
        ax.set_ylim(top=ax.get_ylim()[1] * 3)
    else:
        ax.axhline(0, color=DATA, lw=0.8)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if n > 1:
        ax.legend(fontsize="small")
    ax.grid(alpha=0.25, axis="y")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------ diagrams


def _node(ax, xy, r, text, face="white", edge=DATA, lw=1.5, size=11):
    ax.add_patch(Circle(xy, r, facecolor=face, edgecolor=edge, lw=lw, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=size, zorder=4)


def _arrow(ax, start, end, color=DATA, lw=1.2, r=0.0, alpha=1.0):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, color=color,
                                 lw=lw, shrinkA=r, shrinkB=r, alpha=alpha, zorder=2))


def draw_chain(
    L: int,
    forward: Sequence[float] | None = None,
    backward: Sequence[float] | None = None,
    ax=None,
):
    """A chain of L single neurons: x -> neuron 1 -> ... -> neuron L -> cost.

    Args:
        L: the number of neurons, >= 1.
        forward: optional L + 1 numbers a_0 (= x), a_1, ..., a_L, written above the nodes.
        backward: optional L numbers delta_1, ..., delta_L, written below the neurons.
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    fig, ax = _figure(ax, (1.9 * (L + 2), 2.4))
    r = 0.28
    xs = np.arange(L + 2) * 1.8
    _node(ax, (xs[0], 0), r, "$x$", face="#eeeeee")
    for i in range(1, L + 1):
        _node(ax, (xs[i], 0), r, r"$\sigma$", face="#dbe9f6", edge=FORWARD)
        ax.text(xs[i], -0.5, f"$b_{{{i}}}$", ha="center", va="top", fontsize=11)
        _arrow(ax, (xs[i - 1] + r, 0), (xs[i] - r, 0), color=FORWARD)
        ax.text((xs[i - 1] + xs[i]) / 2, 0.1, f"$w_{{{i}}}$", ha="center", va="bottom",
                fontsize=11, color=FORWARD)
    ax.add_patch(plt.Rectangle((xs[-1] - r, -r), 2 * r, 2 * r, facecolor="#fde3c8",
                               edgecolor=BACKWARD, lw=1.5, zorder=3))
    ax.text(xs[-1], 0, "$C$", ha="center", va="center", fontsize=12, zorder=4)
    _arrow(ax, (xs[-2] + r, 0), (xs[-1] - r, 0), color=DATA)
    ax.text((xs[-2] + xs[-1]) / 2, 0.1, f"$a_{{{L}}}$", ha="center", va="bottom", fontsize=11)
    ax.text(xs[-1], -0.5, rf"$\frac{{1}}{{2}}(a_{{{L}}} - y)^2$", ha="center", va="top",
            fontsize=10)
    if forward is not None:
        for i, a in enumerate(forward):
            ax.text(xs[i], 0.55, f"$a_{{{i}}} = {float(a):.3g}$", ha="center", fontsize=10,
                    color=FORWARD)
    if backward is not None:
        for i, d in enumerate(backward, start=1):
            ax.text(xs[i], -0.95, rf"$\delta_{{{i}}} = {float(d):.3g}$", ha="center",
                    fontsize=10, color=BACKWARD)
        _arrow(ax, (xs[-1] - 0.2, -1.25), (xs[1] - 0.2, -1.25), color=BACKWARD, lw=1.5)
        ax.text((xs[1] + xs[-1]) / 2, -1.4, "errors flow backwards", ha="center", va="top",
                fontsize=9, color=BACKWARD)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    ax.set_ylim(-1.7 if backward is not None else -1.0, 0.95)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def draw_network(
    sizes: Sequence[int],
    fan_out: tuple[int, int] | None = None,
    fan_in: tuple[int, int] | None = None,
    ax=None,
):
    """A fully connected network, layer by layer, input on the left.

    Args:
        sizes: ``[n_0, n_1, ..., n_L]``, the width of every layer, input first.
        fan_out: ``(l, k)`` highlights every connection leaving neuron k (0-based) of
            layer l towards layer l + 1: all the paths along which it affects the cost.
        fan_in: ``(l, j)`` highlights every connection entering neuron j (0-based) of
            layer l >= 1: the weighted sum that makes its z.
        ax: an existing Axes to draw on.

    Returns:
        The Figure.
    """
    sizes = [int(n) for n in sizes]
    fig, ax = _figure(ax, (2.2 * len(sizes) + 1, 0.9 * max(sizes) + 1.6))
    r = 0.22
    pos = [[(1.9 * l, (n - 1) / 2 - j) for j in range(n)] for l, n in enumerate(sizes)]
    for l in range(len(sizes) - 1):
        for k, start in enumerate(pos[l]):
            for j, end in enumerate(pos[l + 1]):
                lit = (fan_out == (l, k)) or (fan_in == (l + 1, j))
                color = HIGHLIGHT if lit else MUTED
                _arrow(ax, start, end, color=color, lw=2.0 if lit else 0.9, r=r * 72 / 2.6)
                if lit:
                    mid = (0.62 * start[0] + 0.38 * end[0], 0.62 * start[1] + 0.38 * end[1])
                    ax.text(*mid, f"$w^{{{l + 1}}}_{{{j + 1}{k + 1}}}$", fontsize=9,
                            color=HIGHLIGHT, ha="center", va="bottom",
                            bbox=dict(fc="white", ec="none", alpha=0.8, pad=0.5))
    for l, layer in enumerate(pos):
        for j, xy in enumerate(layer):
            text = f"$x_{{{j + 1}}}$" if l == 0 else f"$a^{{{l}}}_{{{j + 1}}}$"
            lit = fan_out == (l, j) or fan_in == (l, j)
            face = "#eeeeee" if l == 0 else "#dbe9f6"
            _node(ax, xy, r, text, face=face, edge=HIGHLIGHT if lit else FORWARD,
                  lw=2.5 if lit else 1.5, size=9)
        name = "input" if l == 0 else ("output" if l == len(sizes) - 1 else "hidden")
        ax.text(layer[0][0], max(sizes) / 2 + 0.1, f"layer {l}\n({name})", ha="center",
                va="bottom", fontsize=9)
    ax.set_xlim(-0.6, 1.9 * (len(sizes) - 1) + 0.6)
    ax.set_ylim(-max(sizes) / 2 - 0.1, max(sizes) / 2 + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def show_matrices(
    mats: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ops: Sequence[str] | None = None,
    annotate: bool | None = None,
    cell: float = 0.42,
):
    """Matrices side by side as coloured grids, each captioned with its shape.

    Draw an equation such as ``W @ A + b = Z`` by passing the four arrays and
    ``ops=["@", "+", "="]``: every cell of every grid has the same size, so the
    shapes can be compared by eye.

    Args:
        mats: 2-D arrays (a 1-D array is drawn as a column).
        titles: a label per matrix, matplotlib mathtext allowed (its shape is appended).
        ops: ``len(mats) - 1`` strings drawn between neighbours ("@", "+", "=", "").
        annotate: write each value in its cell; by default only when every matrix
            has at most 64 entries.
        cell: the side of one cell, in inches.

    Returns:
        The Figure.
    """
    mats = [np.asarray(m, dtype=np.float64) for m in mats]
    mats = [m.reshape(-1, 1) if m.ndim == 1 else m for m in mats]
    titles = list(titles) if titles is not None else [""] * len(mats)
    ops = list(ops) if ops is not None else [""] * (len(mats) - 1)
    if annotate is None:
        annotate = all(m.size <= 64 for m in mats)
    rows = max(m.shape[0] for m in mats)
    gap = 1.2
    widths = []
    for i, m in enumerate(mats):
        widths.append(max(m.shape[1], 1.6))
        if i < len(mats) - 1:
            widths.append(gap)
    fig = plt.figure(figsize=(cell * sum(widths) + 0.6, cell * rows + 1.3))
    grid = fig.add_gridspec(1, len(widths), width_ratios=widths, wspace=0.05)
    for i, m in enumerate(mats):
        ax = fig.add_subplot(grid[0, 2 * i])
        vmax = float(np.max(np.abs(m))) if m.size else 1.0
        vmax = vmax if vmax > 0 else 1.0
        ax.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="equal",
                  extent=(-0.5, m.shape[1] - 0.5, m.shape[0] - 0.5, -0.5))
        ax.set_xlim(-0.5, max(m.shape[1], 1.6) - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.add_patch(plt.Rectangle((-0.5, -0.5), m.shape[1], m.shape[0], fill=False,
                                   ec=DATA, lw=1.2))
        if annotate:
            for (r, c), v in np.ndenumerate(m):
                ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if abs(v) > 0.6 * vmax else "black")
        ax.set_title(f"{titles[i]}\n{m.shape}".strip(), fontsize=9)
        if i < len(mats) - 1:
            op_ax = fig.add_subplot(grid[0, 2 * i + 1])
            op_ax.axis("off")
            op_ax.set_ylim(rows - 0.5, -0.5)
            op_ax.set_xlim(0, 1)
            op_ax.text(0.5, (rows - 1) / 2, ops[i], ha="center", va="center", fontsize=16)
    return fig
