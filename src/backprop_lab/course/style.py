"""The course's one palette and the small helpers every plotting module shares.

Student-safe: ships beside the notebooks in ``bplab``. Forward quantities are blue,
backward ones (errors, gradients) orange, data grey, highlights red.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

FORWARD = "#1f77b4"
BACKWARD = "#ff7f0e"
DATA = "#555555"
HIGHLIGHT = "#d62728"
MUTED = "#bbbbbb"
CYCLE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

#: Colours of the two classes: label 0 (outer ring) and label 1 (inner ring).
RING_COLOURS = ("#1f77b4", "#ff7f0e")
RING_CMAP = ListedColormap(RING_COLOURS)
#: A diverging background for network outputs in [0, 1]: blue near 0, orange near 1.
OUTPUT_CMAP = "RdBu_r"
LAYER_COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def figure_and_axes(ax, figsize):
    """The figure and axes to draw on: ``ax``'s own, or a new pair."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def axes_or_new(ax, figsize=(5, 4)):
    """``ax``, or the axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def flat(values) -> np.ndarray:
    """Any array-like (a list of floats, an ``(n, 1)`` column, ...) as a 1-D float array."""
    return np.asarray(values, dtype=np.float64).ravel()


def labels_of(Y) -> np.ndarray:
    """Class labels 0/1 from a target array of shape ``(N,)`` or ``(N, 1)``."""
    return (np.asarray(Y, dtype=float).reshape(-1) > 0.5).astype(int)
