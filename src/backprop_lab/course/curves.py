"""Line plots of functions and numbers: activations, fits, layer outputs, cost, bars.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .style import BACKWARD, CYCLE, DATA, FORWARD, HIGHLIGHT, MUTED, figure_and_axes, flat


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
    fig, ax = figure_and_axes(ax, (7, 3.6))
    z = np.linspace(zmin, zmax, 401)
    ax.axhline(0, color=MUTED, lw=0.8)
    ax.axvline(0, color=MUTED, lw=0.8)
    ax.plot(z, flat(f(z)), color=FORWARD, lw=2.2, label=r"$\sigma(z)$")
    f0 = float(flat(f(np.zeros(1)))[0])
    ax.plot([0], [f0], "o", color=FORWARD)
    ax.annotate(rf"$\sigma(0) = {f0:.2f}$", (0, f0), xytext=(12, -4),
                textcoords="offset points", color=FORWARD)
    if fprime is not None:
        ax.plot(z, flat(fprime(z)), color=BACKWARD, lw=2.2, label=r"$\sigma'(z)$")
        d0 = float(flat(fprime(np.zeros(1)))[0])
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
    fig, ax = figure_and_axes(ax, (7, 3.6))
    x, y = flat(X), flat(Y)
    order = np.argsort(x, kind="stable")
    ax.scatter(x, y, s=16, color=DATA, zorder=3, label="data")
    for i, (label, values) in enumerate((curves or {}).items()):
        ax.plot(x[order], flat(values)[order], lw=2, color=CYCLE[i % len(CYCLE)], label=label)
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
    x = flat(x)
    order = np.argsort(x, kind="stable")
    for l, (ax, A) in enumerate(zip(axes[0], layers, strict=True), start=1):
        A = np.atleast_2d(np.asarray(A, dtype=np.float64))
        for j, row in enumerate(A):
            ax.plot(x[order], row[order], lw=2, color=CYCLE[j % len(CYCLE)],
                    label=f"$a^{{{l}}}_{{{j + 1}}}$")
        if Y is not None and l == len(layers):
            ax.scatter(x, flat(Y), s=10, color=DATA, zorder=3)
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
    fig, ax = figure_and_axes(ax, (7, 4))
    w, costs = flat(w), flat(costs)
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
    fig, ax = figure_and_axes(ax, (6, 4.6))
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
    fig, ax = figure_and_axes(ax, (6, 3.4))
    ax.plot(np.arange(len(values)), flat(values), color=FORWARD, lw=2)
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
    fig, ax = figure_and_axes(ax, (max(5.0, 0.6 * len(labels) + 2.5), 3.6))
    n = len(groups)
    width = 0.8 / max(n, 1)
    pos = np.arange(len(labels))
    smallest = np.inf
    for i, (name, values) in enumerate(groups.items()):
        values = flat(values)
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
