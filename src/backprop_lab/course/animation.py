"""The training animation of assignment 3: a self-contained player that works offline.

Each snapshot is drawn once with Matplotlib, saved as a small palette PNG and inlined
(base64) in one HTML block with plain text buttons, a slider and about twenty lines of
inline JavaScript: no icon, font or script is loaded from anywhere, so the controls draw
the same with no network. Without JavaScript the first frame shows, with the controls.

Student-safe: ships beside the notebooks in ``bplab``. It only draws what the notebook
hands it and computes no forward pass, gradient, difference or training step.
"""

from __future__ import annotations

import base64
import html
import io
import uuid
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .style import RING_CMAP, RING_COLOURS, labels_of
from .training_views import plot_decision_boundary

#: Colours kept per frame: 64 keep the plots' shading smooth and a frame near 20 KB.
PALETTE_COLOURS = 64


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


def _legend(fig) -> None:
    """One legend for the three panels: the two rings, the output's 0.5 line, the epoch."""
    marker = {"marker": "o", "linestyle": "", "markeredgecolor": "white", "markersize": 7}
    handles = [Line2D([], [], color=RING_COLOURS[0], label="outer ring (label 0)", **marker),
               Line2D([], [], color=RING_COLOURS[1], label="inner ring (label 1)", **marker),
               Line2D([], [], color="black", lw=1.5, label="output = 0.5"),
               Line2D([], [], color="red", marker="o", linestyle="", label="this epoch")]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10)


def draw_frame(fig, axes, frame: Mapping, X: np.ndarray, Y: np.ndarray, xx, yy,
               losses: Sequence[float]) -> None:
    """Draw one snapshot on the three axes (input space, hidden layer, loss).

    Args:
        frame: ``"epoch"`` (int); ``"hidden"``: ``(2, N)``, the last hidden layer;
            ``"w_out"``: ``(1, 2)`` and ``"b_out"``: ``(1, 1)``, the output layer;
            ``"grid_out"``: the output at the points of ``make_grid``.
        X: ``(N, 2)``; Y: ``(N, 1)``; xx, yy: ``(n, n)`` from ``make_grid``.
        losses: ``losses[e]`` is the loss after epoch ``e``.
    """
    ax_in, ax_hid, ax_loss = axes
    for ax in axes:
        ax.clear()
    plot_decision_boundary(xx, yy, frame["grid_out"], X, Y, ax=ax_in, title="input space")
    h = np.asarray(frame["hidden"], dtype=float)
    ax_hid.scatter(h[0], h[1], c=labels_of(Y), cmap=RING_CMAP, vmin=0, vmax=1, s=12,
                   edgecolor="white", linewidth=0.4)
    _hidden_line(ax_hid, frame["w_out"], frame["b_out"])
    ax_hid.set_xlim(-0.05, 1.05)
    ax_hid.set_ylim(-0.05, 1.05)
    ax_hid.set_aspect("equal")
    ax_hid.set_xlabel("hidden unit 1")
    ax_hid.set_ylabel("hidden unit 2")
    ax_hid.set_title("last hidden layer")
    e = int(frame["epoch"])
    ax_loss.plot(np.arange(len(losses)), losses, color="0.7", lw=1)
    ax_loss.plot(np.arange(e + 1), losses[: e + 1], color="black", lw=1.5)
    ax_loss.plot([e], [losses[e]], "o", color="red")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean cost per example")
    ax_loss.set_title("loss")
    ax_loss.grid(True, alpha=0.3)
    fig.suptitle(f"epoch {e}", fontsize=13)


def _png(fig, dpi: int) -> bytes:
    """The figure as a palette PNG (a few tens of KB instead of a few hundred)."""
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=dpi)
    image = Image.open(raw).convert("RGB").quantize(PALETTE_COLOURS,
                                                    method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_frames(frames: Sequence[Mapping], X, Y, xx, yy, losses: Sequence[float],
                  dpi: int = 72) -> list[bytes]:
    """Every snapshot drawn and encoded as PNG bytes (shapes as in :func:`draw_frame`)."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.4),
                             gridspec_kw={"width_ratios": [1, 1, 1.15]})
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.22, top=0.86, wspace=0.32)
    pngs = []
    for frame in frames:
        draw_frame(fig, axes, frame, X, Y, xx, yy, losses)
        _legend(fig)
        pngs.append(_png(fig, dpi))
        fig.legends.clear()
    plt.close(fig)
    return pngs


_PLAYER_JS = """(function(){var r=document.getElementById('%(id)s');if(!r)return;
var f=r.querySelectorAll('img'),s=r.querySelector('input'),o=r.querySelector('output'),
p=r.querySelector('[data-act=play]'),k=0,t=null;
function show(i){k=(i+f.length)%%f.length;for(var j=0;j<f.length;j++)
f[j].style.display=j==k?'block':'none';s.value=k;o.textContent=f[k].alt;}
function stop(){if(t){clearInterval(t);t=null;}p.textContent='Play';}
r.querySelector('[data-act=prev]').onclick=function(){stop();show(k-1);};
r.querySelector('[data-act=next]').onclick=function(){stop();show(k+1);};
r.querySelector('[data-act=first]').onclick=function(){stop();show(0);};
r.querySelector('[data-act=last]').onclick=function(){stop();show(f.length-1);};
p.onclick=function(){if(t){stop();return;}p.textContent='Pause';
t=setInterval(function(){show(k+1);},%(interval)d);};
s.oninput=function(){stop();show(+s.value);};})();"""

_PLAYER_CSS = (".bplab-player{font-family:sans-serif;max-width:100%%}"
               ".bplab-player img{max-width:100%%;height:auto}"
               ".bplab-player .controls{display:flex;gap:6px;align-items:center;margin:4px 0}"
               ".bplab-player button{font-size:14px;padding:3px 10px;border:1px solid #888;"
               "border-radius:4px;background:#f4f4f4;color:#111;cursor:pointer}"
               ".bplab-player input{flex:1}")


class TrainingPlayer:
    """The animation as one self-contained HTML block; a notebook cell ending with it shows it."""

    def __init__(self, pngs: Sequence[bytes], epochs: Sequence[int], interval: int = 400):
        self.pngs, self.epochs, self.interval = list(pngs), list(epochs), interval

    def to_html(self) -> str:
        """The player: ``<img>`` frames, buttons, a slider and a few lines of inline JS."""
        id_ = f"bplab-player-{uuid.uuid4().hex[:8]}"
        images = "".join(
            f'<img alt="epoch {e}" src="data:image/png;base64,{base64.b64encode(p).decode()}"'
            f' style="display:{"block" if i == 0 else "none"}">'
            for i, (p, e) in enumerate(zip(self.pngs, self.epochs, strict=True)))
        buttons = "".join(f'<button type="button" data-act="{act}">{html.escape(text)}</button>'
                          for act, text in (("first", "|< First"), ("prev", "< Step"),
                                            ("play", "Play"), ("next", "Step >"),
                                            ("last", "Last >|")))
        slider = (f'<input type="range" min="0" max="{len(self.pngs) - 1}" value="0" '
                  f'aria-label="frame"><output>epoch {self.epochs[0]}</output>')
        script = _PLAYER_JS % {"id": id_, "interval": self.interval}
        return (f'<div class="bplab-player" id="{id_}"><style>{_PLAYER_CSS % ()}</style>'
                f'{images}<div class="controls">{buttons}{slider}</div>'
                f"<script>{script}</script></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def nbytes(self) -> int:
        return len(self.to_html().encode())


def training_player(frames: Sequence[Mapping], X: np.ndarray, Y: np.ndarray, xx, yy,
                    losses: Sequence[float], interval: int = 400) -> TrainingPlayer:
    """Animate training: input space, the 2-unit hidden layer and the loss, with controls.

    Args:
        frames: one dict per snapshot, keys as in :func:`draw_frame`.
        X: ``(N, 2)``; Y: ``(N, 1)``; xx, yy: ``(n, n)``, the grid of ``make_grid``.
        losses: the loss after each epoch (``losses[e]`` for epoch ``e``).
        interval: milliseconds between frames when playing.

    Returns:
        A :class:`TrainingPlayer`; end a notebook cell with it to show it.
    """
    pngs = render_frames(frames, X, Y, xx, yy, losses)
    return TrainingPlayer(pngs, [int(f["epoch"]) for f in frames], interval)
