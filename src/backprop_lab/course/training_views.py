"""Training on the two rings: the data, mini-batches, the loss, decision boundaries.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.patches import Rectangle

from .style import LAYER_COLOURS, OUTPUT_CMAP, RING_CMAP, RING_COLOURS, axes_or_new, labels_of


def plot_rings(X: np.ndarray, Y: np.ndarray, ax=None, title: str = "The two rings"):
    """Scatter the points of ``circles``, coloured by label.

    Args:
        X: ``(N, 2)``; Y: ``(N, 1)`` with 1.0 on the inner ring.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(6.5, 4.5))
    labels = labels_of(Y)
    for value, name in ((0, "label 0 (outer ring)"), (1, "label 1 (inner ring)")):
        pts = np.asarray(X)[labels == value]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, color=RING_COLOURS[value], edgecolor="white",
                   linewidth=0.4, label=name)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    ax.set_title(title)
    return ax


def plot_batches(N: int, batch_size: int, ax=None):
    """Show how ``N`` rows are cut into consecutive mini-batches of ``batch_size`` rows.

    Args:
        N: number of rows.
        batch_size: rows per batch; the last batch holds what is left.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(min(12, 0.45 * N + 1), 1.4))
    starts = list(range(0, N, batch_size))
    for k, start in enumerate(starts):
        stop = min(start + batch_size, N)
        colour = LAYER_COLOURS[k % len(LAYER_COLOURS)]
        for row in range(start, stop):
            ax.add_patch(Rectangle((row, 0), 1, 1, facecolor=colour, alpha=0.55,
                                   edgecolor="black"))
            ax.text(row + 0.5, 0.5, str(row), ha="center", va="center", fontsize=8)
        ax.text((start + stop) / 2, -0.35, f"step {k + 1}: {stop - start} rows", ha="center",
                va="center", fontsize=8)
    ax.set_xlim(-0.2, N + 0.2)
    ax.set_ylim(-0.7, 1.1)
    ax.axis("off")
    ax.set_title(f"One epoch over N = {N} rows with batch_size = {batch_size}: "
                 f"{len(starts)} steps", fontsize=10)
    return ax


def plot_loss(losses: Sequence[float], ax=None, log: bool = True):
    """The loss curve: mean cost per example after each epoch.

    Args:
        losses: ``losses[e]`` after epoch ``e + 1`` (or, with a starting value, ``losses[0]``
            before training).
        ax: the axes to draw on.
        log: a logarithmic y axis.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(6, 3.5))
    ax.plot(np.arange(len(losses)), losses, color="black", lw=1.5)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cost per example")
    ax.grid(True, alpha=0.3)
    ax.set_title("Loss curve")
    return ax


def make_grid(X: np.ndarray, n: int = 80, margin: float = 0.25):
    """A square grid of points covering the data, for drawing decision boundaries.

    Args:
        X: ``(N, 2)``.
        n: points per side.
        margin: extra room around the data.

    Returns:
        ``(xx, yy, points)``: ``xx`` and ``yy`` are ``(n, n)`` (as from ``meshgrid``) and
        ``points`` is ``(n * n, 2)``, one grid point per row, ready for a forward pass.
    """
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(xx, yy, out, X, Y, ax=None, title: str = "Decision boundary"):
    """The network's output over the plane, its 0.5 contour, and the data.

    Args:
        xx, yy: ``(n, n)`` from :func:`make_grid`.
        out: the network's output at the grid points, any shape with ``n * n`` entries.
        X: ``(N, 2)``; Y: ``(N, 1)``.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = axes_or_new(ax, figsize=(4.8, 4.5))
    out = np.asarray(out, dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, out, levels=np.linspace(0, 1, 11), cmap=OUTPUT_CMAP, alpha=0.45)
    ax.contour(xx, yy, out, levels=[0.5], colors="black", linewidths=1.5)
    labels = labels_of(Y)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap=RING_CMAP, vmin=0, vmax=1, s=12,
               edgecolor="white", linewidth=0.4)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax
