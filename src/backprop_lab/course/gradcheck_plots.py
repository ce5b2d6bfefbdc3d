"""Gradient checking pictures: theta's layout, secants, step sizes, errors.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle

from .style import LAYER_COLOURS, axes_or_new


def plot_param_layout(weight_shapes: Sequence[tuple], bias_shapes: Sequence[tuple], ax=None):
    """Draw where each weight matrix and bias vector sits inside the flat vector theta.

    Args:
        weight_shapes: the shapes of ``weights[0], weights[1], ...``.
        bias_shapes: the shapes of ``biases[0], biases[1], ...``.
        ax: the axes to draw on (a new figure when ``None``).

    Returns:
        The axes.
    """
    blocks = [(f"$W^{{{l + 1}}}$", s, "w") for l, s in enumerate(weight_shapes)]
    blocks += [(f"$b^{{{l + 1}}}$", s, "b") for l, s in enumerate(bias_shapes)]
    total = sum(int(np.prod(s)) for _, s, _ in blocks)
    ax = axes_or_new(ax, figsize=(10, 1.9))
    start = 0
    for k, (label, shape, kind) in enumerate(blocks):
        size = int(np.prod(shape))
        colour = LAYER_COLOURS[k % len(LAYER_COLOURS)]
        ax.add_patch(Rectangle((start, 0), size, 1, facecolor=colour,
                               alpha=0.35 if kind == "w" else 0.7, edgecolor="black"))
        for i in range(1, size):
            ax.plot([start + i, start + i], [0, 1], color="black", lw=0.3, alpha=0.5)
        shape_text = "\u00d7".join(str(n) for n in shape)
        ax.text(start + size / 2, 0.5, f"{label}\n{shape_text}", ha="center", va="center",
                fontsize=10)
        span = f"{start}" if size == 1 else f"{start}\u2013{start + size - 1}"
        ax.text(start + size / 2, -0.28, span, ha="center", va="center", fontsize=8,
                color="0.3")
        start += size
    ax.set_xlim(-0.5, total + 0.5)
    ax.set_ylim(-0.55, 1.15)
    ax.axis("off")
    ax.set_title(f"theta: {total} numbers, weights first (each raveled row by row), then biases",
                 fontsize=10)
    return ax


def plot_secants(f: Callable[[np.ndarray], np.ndarray], x0: float, h: float, slope: float,
                 ax=None):
    """Compare the tangent of f at x0 with a one-sided and a centered secant of half-width h.

    The lines are drawn through points of the curve (``axline``), so this helper never
    forms a difference quotient itself.

    Args:
        f: a function of one variable that accepts numpy arrays.
        x0: the point where the derivative is wanted.
        h: the step.
        slope: the exact derivative f'(x0), for the tangent.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(6, 4))
    xs = np.linspace(x0 - 2.5 * h, x0 + 2.5 * h, 200)
    ax.plot(xs, f(xs), color="black", lw=2, label="$f$")
    p0, pr, pl = (x0, float(f(x0))), (x0 + h, float(f(x0 + h))), (x0 - h, float(f(x0 - h)))
    ax.axline(p0, slope=slope, color="green", lw=1.5, label="tangent (the derivative)")
    ax.axline(p0, pr, color="red", ls="--", lw=1.5, label="one-sided secant")
    ax.axline(pl, pr, color="blue", ls="-.", lw=1.5, label="centered secant")
    for p, c in ((p0, "black"), (pr, "red"), (pl, "blue")):
        ax.plot(*p, "o", color=c, ms=6)
    ax.set_xlim(xs[0], xs[-1])
    ys = f(xs)
    pad = 0.25 * (ys.max() - ys.min())
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_xticks([x0 - h, x0, x0 + h], [r"$x-\varepsilon$", "$x$", r"$x+\varepsilon$"])
    ax.legend(loc="best", fontsize=9)
    ax.set_title("Which secant has (nearly) the slope of the tangent?")
    return ax


def plot_step_study(eps: np.ndarray, errors: Mapping[str, np.ndarray], ax=None):
    """Error of derivative estimates against the step, on log-log axes.

    Args:
        eps: the steps, ``(S,)``.
        errors: label -> ``(S,)`` relative errors of an estimate made with each step.
        ax: the axes to draw on.

    Returns:
        The axes. Dotted guide lines have slopes 1, 2 and -1: in log-log axes an error
        proportional to eps^p is a straight line of slope p.
    """
    ax = axes_or_new(ax, figsize=(7, 4.5))
    eps = np.asarray(eps, dtype=float)
    floor = 1e-17
    for (label, err), marker in zip(errors.items(), "osd^v", strict=False):
        ax.loglog(eps, np.maximum(np.asarray(err, dtype=float), floor), marker=marker, ms=4,
                  lw=1.2, label=label)
    # Guides anchored at the right end (truncation) and the left end (round-off).
    big, small = eps.max(), eps.min()
    for p, style in ((1, (0, (1, 2))), (2, (0, (1, 4)))):
        xs = np.array([big * 1e-4, big])
        ax.loglog(xs, 1e-1 * (xs / big) ** p, color="0.4", ls=style, lw=1)
        ax.text(xs[0], 1e-1 * (xs[0] / big) ** p, f"  slope {p}", fontsize=8, color="0.3",
                va="top")
    xs = np.array([small, small * 1e4])
    ax.loglog(xs, 1e-3 * (xs / small) ** -1, color="0.4", ls=(0, (1, 2)), lw=1)
    ax.text(xs[1], 1e-3 * (xs[1] / small) ** -1, "  slope \u22121", fontsize=8, color="0.3")
    ax.set_xlabel(r"step $\varepsilon$")
    ax.set_ylabel("relative error of the estimate")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title("Truncation error (right) against round-off error (left)")
    return ax


def plot_relative_errors(errors: Mapping[str, float], ax=None):
    """A horizontal bar chart of relative errors on a log axis, with the usual bands.

    Args:
        errors: label -> relative error.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(7, 0.5 + 0.45 * len(errors)))
    labels = list(errors)
    values = np.maximum([float(errors[k]) for k in labels], 1e-18)
    ax.axvspan(1e-18, 1e-7, color="green", alpha=0.12)
    ax.axvspan(1e-7, 1e-2, color="gold", alpha=0.15)
    ax.axvspan(1e-2, 10, color="red", alpha=0.12)
    ax.barh(range(len(labels)), values, color="0.35", height=0.5)
    for i, v in enumerate(values):
        ax.text(v * 1.5, i, f"{v:.1e}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(1e-18, 10)
    ax.set_xlabel("relative error   (green: agreement, yellow: look closer, red: a bug)")
    return ax
