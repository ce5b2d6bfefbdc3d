"""Network diagrams: a chain of single neurons and a layered network.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .style import BACKWARD, DATA, FORWARD, HIGHLIGHT, MUTED, figure_and_axes


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
    fig, ax = figure_and_axes(ax, (1.9 * (L + 2), 2.4))
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
    fig, ax = figure_and_axes(ax, (2.2 * len(sizes) + 1, 0.9 * max(sizes) + 1.6))
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
