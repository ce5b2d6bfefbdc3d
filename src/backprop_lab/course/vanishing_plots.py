"""Vanishing gradients: per-layer norms, sigma' values, layer ratios.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .style import axes_or_new


def plot_layer_norms(norms: Mapping[str, np.ndarray], ax=None,
                     ylabel: str = r"$\|\partial C/\partial b^l\| / N$", title: str = ""):
    """Per-layer gradient norms on a log axis, one line per experiment.

    Args:
        norms: label -> ``(L,)`` norms, first hidden layer first.
        ax: the axes to draw on.
        ylabel, title: axis label and title.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(6, 4))
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        ax.semilogy(np.arange(1, len(values) + 1), values, marker="o", label=label)
    L = max(len(np.asarray(v)) for v in norms.values())
    ax.set_xticks(range(1, L + 1), [f"layer {l}" for l in range(1, L + 1)])
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_sigmoid_prime_hist(values: Mapping[str, np.ndarray], ax=None):
    """Histograms of sigma'(z) values (one per experiment), with the ceiling 1/4 marked.

    Args:
        values: label -> an array of sigma'(z) values (any shape).
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(6, 3.8))
    bins = np.linspace(0, 0.26, 27)
    for label, v in values.items():
        v = np.asarray(v, dtype=float).ravel()
        ax.hist(v, bins=bins, histtype="step", lw=2, label=label,
                weights=np.full(v.size, 1 / v.size))
    ax.axvline(0.25, color="black", ls="--", lw=1)
    ax.text(0.249, ax.get_ylim()[1] * 0.95, r"$\sigma'(0)=1/4$", ha="right", va="top",
            fontsize=9)
    ax.set_xlabel(r"$\sigma'(z)$")
    ax.set_ylabel("fraction of values")
    ax.legend(fontsize=9)
    return ax


def plot_layer_ratios(ratios: Mapping[str, np.ndarray], ax=None):
    """How much of layer l+1's signal layer l gets: ||delta^l|| / ||delta^{l+1}|| per layer.

    Args:
        ratios: label -> ``(L - 1,)`` ratios, for layers 1 .. L-1.
        ax: the axes to draw on.

    Returns:
        The axes, with a dashed line at 1/4 (the most sigma' can pass on) and one at 1.
    """
    ax = axes_or_new(ax, figsize=(6, 3.8))
    for label, r in ratios.items():
        r = np.asarray(r, dtype=float)
        ax.plot(np.arange(1, len(r) + 1), r, marker="o", label=label)
    L = max(len(np.asarray(r)) for r in ratios.values())
    ax.axhline(1.0, color="0.5", lw=1)
    ax.axhline(0.25, color="black", ls="--", lw=1)
    ax.text(L, 0.26, "1/4", ha="right", va="bottom", fontsize=9)
    ax.set_xticks(range(1, L + 1), [f"{l} / {l + 1}" for l in range(1, L + 1)])
    ax.set_xlabel("layer l / layer l+1")
    ax.set_ylabel("ratio of bias-gradient norms")
    ax.set_ylim(0, 1.3)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    return ax
