"""Pictures for assignments 3 and 4: gradient checking, training, conventions, vanishing gradients.

Student-safe: ships beside the notebooks as ``bplab.training_plots``. Every helper only
draws what the notebook hands it (arrays, or a plain function to plot); none of them
computes a forward pass, a gradient, a finite difference or a training step, so nothing
here answers an assignment question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

#: Colours of the two classes: label 0 (outer ring) and label 1 (inner ring).
RING_COLOURS = ("#1f77b4", "#ff7f0e")
_RING_CMAP = ListedColormap(RING_COLOURS)
#: A diverging background for network outputs in [0, 1]: blue near 0, orange near 1.
_OUTPUT_CMAP = "RdBu_r"
_LAYER_COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _labels(Y) -> np.ndarray:
    """Class labels 0/1 from a target array of shape (N,) or (N, 1)."""
    return (np.asarray(Y, dtype=float).reshape(-1) > 0.5).astype(int)


# ---------------------------------------------------------------------------
# Assignment 3, part 6: gradient checking
# ---------------------------------------------------------------------------


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
    ax = _axes(ax, figsize=(10, 1.9))
    start = 0
    for k, (label, shape, kind) in enumerate(blocks):
        size = int(np.prod(shape))
        colour = _LAYER_COLOURS[k % len(_LAYER_COLOURS)]
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
    ax = _axes(ax, figsize=(6, 4))
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
    ax = _axes(ax, figsize=(7, 4.5))
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
    ax = _axes(ax, figsize=(7, 0.5 + 0.45 * len(errors)))
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


# ---------------------------------------------------------------------------
# Assignment 3, part 7: training on the two rings
# ---------------------------------------------------------------------------


def plot_rings(X: np.ndarray, Y: np.ndarray, ax=None, title: str = "The two rings"):
    """Scatter the points of ``circles``, coloured by label.

    Args:
        X: ``(N, 2)``; Y: ``(N, 1)`` with 1.0 on the inner ring.
        ax: the axes to draw on.

    Returns:
        The axes.
    """
    ax = _axes(ax, figsize=(6.5, 4.5))
    labels = _labels(Y)
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
    ax = _axes(ax, figsize=(min(12, 0.45 * N + 1), 1.4))
    starts = list(range(0, N, batch_size))
    for k, start in enumerate(starts):
        stop = min(start + batch_size, N)
        colour = _LAYER_COLOURS[k % len(_LAYER_COLOURS)]
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
    ax = _axes(ax, figsize=(6, 3.5))
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
    ax = _axes(ax, figsize=(4.8, 4.5))
    out = np.asarray(out, dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, out, levels=np.linspace(0, 1, 11), cmap=_OUTPUT_CMAP, alpha=0.45)
    ax.contour(xx, yy, out, levels=[0.5], colors="black", linewidths=1.5)
    labels = _labels(Y)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap=_RING_CMAP, vmin=0, vmax=1, s=12,
               edgecolor="white", linewidth=0.4)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def _hidden_line(ax, w, b):
    """Draw the line w[0] h1 + w[1] h2 + b = 0 (the output's 0.5 level) inside [0, 1]^2."""
    w = np.asarray(w, dtype=float).reshape(-1)
    b = float(np.asarray(b, dtype=float).reshape(-1)[0])
    t = np.linspace(-0.05, 1.05, 2)
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        return ax.plot(t, -(b + w[0] * t) / w[1], color="black", lw=1.5)[0]
    if w[0] != 0:
        return ax.plot(-(b + w[1] * t) / w[0], t, color="black", lw=1.5)[0]
    return ax.plot([], [], color="black", lw=1.5)[0]


def animate_training(frames: Sequence[Mapping], X: np.ndarray, Y: np.ndarray, xx, yy,
                     losses: Sequence[float], interval: int = 400):
    """Animate training: input space, the 2-unit hidden layer, and the loss curve.

    Args:
        frames: one dict per frame, with keys
            ``"epoch"`` (int),
            ``"hidden"``: ``(2, N)``, the activations of the last hidden layer (2 units),
            ``"w_out"``: ``(1, 2)`` and ``"b_out"``: ``(1, 1)``, the output layer's parameters,
            ``"grid_out"``: the network's output at the points of :func:`make_grid`.
        X: ``(N, 2)``; Y: ``(N, 1)``.
        xx, yy: the grid of :func:`make_grid`.
        losses: the loss after each epoch (``losses[e]`` for epoch ``e``).
        interval: milliseconds between frames.

    Returns:
        A ``matplotlib.animation.FuncAnimation``; show it with
        ``IPython.display.HTML(anim.to_jshtml())``.
    """
    labels = _labels(Y)
    fig, (ax_in, ax_hid, ax_loss) = plt.subplots(1, 3, figsize=(12, 4),
                                                 gridspec_kw={"width_ratios": [1, 1, 1.15]})
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.85, wspace=0.32)

    def draw(k):
        frame = frames[k]
        for ax in (ax_in, ax_hid, ax_loss):
            ax.clear()
        plot_decision_boundary(xx, yy, frame["grid_out"], X, Y, ax=ax_in,
                               title="input space")
        h = np.asarray(frame["hidden"], dtype=float)
        ax_hid.scatter(h[0], h[1], c=labels, cmap=_RING_CMAP, vmin=0, vmax=1, s=12,
                       edgecolor="white", linewidth=0.4)
        _hidden_line(ax_hid, frame["w_out"], frame["b_out"])
        ax_hid.set_xlim(-0.05, 1.05)
        ax_hid.set_ylim(-0.05, 1.05)
        ax_hid.set_aspect("equal")
        ax_hid.set_xlabel("hidden unit 1")
        ax_hid.set_ylabel("hidden unit 2")
        ax_hid.set_title("last hidden layer (line: output = 0.5)")
        ax_loss.plot(np.arange(len(losses)), losses, color="0.7", lw=1)
        e = int(frame["epoch"])
        ax_loss.plot(np.arange(e + 1), losses[: e + 1], color="black", lw=1.5)
        ax_loss.plot([e], [losses[e]], "o", color="red")
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("mean cost per example")
        ax_loss.set_title("loss")
        ax_loss.grid(True, alpha=0.3)
        fig.suptitle(f"epoch {e}", fontsize=13)
        return []

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), interval=interval,
                                   blit=False)
    plt.close(fig)
    return anim


# ---------------------------------------------------------------------------
# Assignment 4, part 8: conventions
# ---------------------------------------------------------------------------


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
    ax = _axes(ax, figsize=(6, 4))
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
    ax = _axes(ax, figsize=(6, 3.8))
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
    ax = _axes(ax, figsize=(6, 3.8))
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
