"""The report's pictures, drawn with Matplotlib as inline SVG (text kept as text).

Each function returns an ``<svg>`` element as a string, ready to be put in the page.
Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot, so building a
report leaves no global state behind and needs no display.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
from matplotlib.figure import Figure

_salt = itertools.count()


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element, ids unique within the page."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none",
                                "svg.hashsalt": f"bplab-{next(_salt)}"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def score_histogram(scores: list[float], max_score: float) -> str:
    """How many submissions got each score, from 0 to ``max_score`` (one bar per point)."""
    fig = Figure(figsize=(5.2, 2.4))
    ax = fig.add_subplot()
    top = max(max_score, max(scores, default=0.0), 1.0)
    bins = np.arange(0, np.ceil(top) + 2) - 0.5
    ax.hist(scores, bins=bins, color="#1f77b4", edgecolor="white")
    ax.set_xlim(-0.5, np.ceil(top) + 0.5)
    ax.set_xlabel(f"score (out of {max_score:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return to_svg(fig)


def mistakes_heat_map(questions: list[str], codes: list[str], grid: list[list[int]]) -> str:
    """Submissions per question (rows, course order) and named mistake (columns)."""
    counts = np.asarray(grid, dtype=float).reshape(len(questions), len(codes))
    fig = Figure(figsize=(1.6 + 0.55 * len(codes), 0.8 + 0.28 * len(questions)))
    ax = fig.add_subplot()
    shown = np.where(counts > 0, counts, np.nan)
    image = ax.imshow(shown, cmap="Oranges", aspect="auto", vmin=0,
                      vmax=max(1.0, np.nanmax(shown) if counts.any() else 1.0) * 1.15)
    ax.set_xticks(range(len(codes)), codes, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(questions)), questions, fontsize=8)
    top = np.nanmax(shown) if counts.any() else 1.0
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, f"{n:g}", ha="center", va="center", fontsize=7,
                    color="white" if n > top / 2 else "black")
    ax.set_xticks(np.arange(len(codes) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(questions) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=1)
    ax.tick_params(which="minor", length=0)
    fig.colorbar(image, ax=ax, label="submissions", shrink=0.8)
    return to_svg(fig)
