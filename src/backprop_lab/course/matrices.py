"""Matrices drawn as shaded grids: products, the two conventions, biases folded in.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .style import DATA


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


def _matrix_box(ax, x, rows, cols, label, colour, unit=0.32):
    """A rectangle of rows x cols cells with its name and shape; returns its right edge."""
    w, h = cols * unit, rows * unit
    ax.add_patch(Rectangle((x, -h / 2), w, h, facecolor=colour, alpha=0.45, edgecolor="black"))
    for i in range(1, rows):
        ax.plot([x, x + w], [-h / 2 + i * unit] * 2, color="black", lw=0.3)
    for j in range(1, cols):
        ax.plot([x + j * unit] * 2, [-h / 2, h / 2], color="black", lw=0.3)
    ax.text(x + w / 2, h / 2 + 0.18, label, ha="center", va="bottom", fontsize=11)
    ax.text(x + w / 2, -h / 2 - 0.15, f"({rows}, {cols})", ha="center", va="top", fontsize=9)
    return x + w


def plot_two_conventions(n_in: int = 3, n_out: int = 2, N: int = 5):
    """Draw one layer's product in both conventions, as rectangles of the right shapes.

    Column convention: Z = W A, with W ``(n_out, n_in)`` and A ``(n_in, N)``.
    Row convention:    Z = A W, with A ``(N, n_in)`` and W ``(n_in, n_out)``.

    Returns:
        The figure.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 2.8))
    colours = {"W": "#9467bd", "A": "#2ca02c", "Z": "#d62728"}
    rows = [
        ("column convention (this course)",
         [("$W$", n_out, n_in, "W"), ("$A$", n_in, N, "A"), ("$Z$", n_out, N, "Z")]),
        ("row convention (most libraries)",
         [("$A$", N, n_in, "A"), ("$W$", n_in, n_out, "W"), ("$Z$", N, n_out, "Z")]),
    ]
    for ax, (title, items) in zip(axes, rows, strict=True):
        x = 0.0
        for k, (label, r, c, key) in enumerate(items):
            x = _matrix_box(ax, x, r, c, label, colours[key])
            if k < len(items) - 1:
                ax.text(x + 0.25, 0, "@" if k == 0 else "=", ha="center", va="center",
                        fontsize=14)
                x += 0.5
        ax.set_xlim(-0.3, x + 0.3)
        ax.set_ylim(-1.3, 1.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=11)
    fig.suptitle(f"One layer, n_in = {n_in}, n_out = {n_out}, a batch of N = {N} samples "
                 "(bias left out)", fontsize=10)
    fig.tight_layout()
    return fig


def show_augmented(W: np.ndarray, b: np.ndarray, a: np.ndarray, z: np.ndarray):
    """Print-style picture of [W | b] [a; 1] = z with numbers, the bias parts highlighted.

    Args:
        W: ``(n_out, n_in)``; b: ``(n_out, 1)``; a: ``(n_in, 1)``; z: ``(n_out, 1)``,
        all computed by the notebook.

    Returns:
        The figure.
    """
    W, b, a, z = (np.asarray(v, dtype=float) for v in (W, b, a, z))
    n_rows, n_cols = np.shape(W)
    fig, ax = plt.subplots(figsize=(2.2 + 0.9 * (n_cols + 4),
                                    0.9 + 0.55 * max(n_rows, n_cols + 1)))
    unit = 0.55

    def table(x0, values, highlight_col=None, highlight_row=None, label=""):
        rows, cols = values.shape
        top = rows * unit / 2
        for i in range(rows):
            for j in range(cols):
                hot = (j == highlight_col) or (i == highlight_row)
                ax.add_patch(Rectangle((x0 + j * 0.9, top - (i + 1) * unit), 0.9, unit,
                                       facecolor="#ffbb78" if hot else "white",
                                       edgecolor="black", lw=0.6))
                ax.text(x0 + j * 0.9 + 0.45, top - (i + 0.5) * unit, f"{values[i, j]:.2f}",
                        ha="center", va="center", fontsize=9)
        ax.text(x0 + cols * 0.45, top + 0.1, label, ha="center", va="bottom", fontsize=11)
        return x0 + cols * 0.9

    x = table(0, np.hstack([W, b]), highlight_col=n_cols, label=r"$[\,W \mid b\,]$")
    ax.text(x + 0.3, 0, "@", ha="center", va="center", fontsize=13)
    x = table(x + 0.6, np.vstack([a, [[1.0]]]), highlight_row=n_cols, label=r"$[\,a\,;\,1\,]$")
    ax.text(x + 0.3, 0, "=", ha="center", va="center", fontsize=13)
    x = table(x + 0.6, z, label=r"$Wa + b$")
    half = max(n_rows, n_cols + 1) * unit / 2
    ax.set_xlim(-0.2, x + 0.2)
    ax.set_ylim(-half - 0.2, half + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# ---------------------------------------------------------------------------
# Assignment 4, part 9: vanishing gradients
# ---------------------------------------------------------------------------
