"""The a3 training animation (issue 12, item 4): offline controls, a legend, a small size.

The player is checked in headless Chromium with the network blocked: on its own (its
buttons are clicked by a script and the frame changes), and inside the HTML export of
the executed a3 solution notebook.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pytest
from browser import dump_dom, keep, screenshot

from backprop_lab.course.animation import draw_frame, render_frames, training_player
from backprop_lab.course.data import circles
from backprop_lab.course.training_views import make_grid

matplotlib.use("Agg")
EPOCHS = [0, 5, 10, 20, 40, 80]
BUTTONS = ["|< First", "< Step", "Play", "Step >", "Last >|"]
#: Matplotlib's to_jshtml made a3's solution 3.4 MB; the player must stay well below.
PLAYER_BYTES = 1_000_000


class Player(HTMLParser):
    """The players of a page: their buttons' text, images, sliders and epoch labels."""

    def __init__(self, text: str):
        super().__init__()
        self.buttons, self.images, self.ranges, self.outputs = [], [], 0, []
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "button" and a.get("data-act"):
            self.buttons.append("")
            self._in = "button"
        elif tag == "output":
            self.outputs.append("")
            self._in = "output"
        elif tag == "img" and (a.get("alt") or "").startswith("epoch"):
            self.images.append((a.get("src", ""), a.get("style", "")))
        elif tag == "input" and a.get("type") == "range":
            self.ranges += 1

    def handle_endtag(self, tag):
        if tag in ("button", "output"):
            self._in = None

    def handle_data(self, data):
        if self._in == "button":
            self.buttons[-1] += data
        elif self._in == "output":
            self.outputs[-1] += data

    def shown(self) -> list[int]:
        return [i for i, (_, style) in enumerate(self.images)
                if re.search(r"display:\s*block", style)]


@pytest.fixture(scope="module")
def player():
    X, Y = circles(120, rng=0)
    xx, yy, grid = make_grid(X, n=30)
    rng = np.random.default_rng(1)
    losses = list(np.geomspace(0.13, 0.01, 81))
    frames = [{"epoch": e, "hidden": rng.random((2, len(X))), "w_out": rng.normal(size=(1, 2)),
               "b_out": rng.normal(size=(1, 1)), "grid_out": rng.random(len(grid))}
              for e in EPOCHS]
    return training_player(frames, X, Y, xx, yy, losses), (frames, X, Y, xx, yy, losses)


@pytest.mark.task("animation")
def test_the_player_needs_no_network_and_stays_small(player):
    p, _ = player
    text = p.to_html()
    parsed = Player(text)
    assert parsed.buttons == BUTTONS and parsed.ranges == 1
    assert len(parsed.images) == len(EPOCHS)
    assert all(src.startswith("data:image/png;base64,") for src, _ in parsed.images)
    assert not re.search(r"(src|href)=\"?(https?:)?//", text)  # nothing to fetch
    assert p.nbytes() < len(EPOCHS) * 60_000


@pytest.mark.task("animation")
def test_every_frame_has_a_legend(player):
    import matplotlib.pyplot as plt

    from backprop_lab.course.animation import _legend

    _, (frames, X, Y, xx, yy, losses) = player
    fig, axes = plt.subplots(1, 3)
    draw_frame(fig, axes, frames[0], X, Y, xx, yy, losses)
    _legend(fig)
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    plt.close(fig)
    assert labels == ["outer ring (label 0)", "inner ring (label 1)", "output = 0.5",
                      "this epoch"]
    assert len(render_frames(frames[:2], X, Y, xx, yy, losses)) == 2


@pytest.mark.task("animation")
def test_the_controls_work_in_chromium_offline(player, tmp_path):
    p, _ = player
    click = ("<script>var r=document.querySelector('.bplab-player');"
             "r.querySelector('[data-act=next]').click();"
             "r.querySelector('[data-act=next]').click();</script>")
    page = tmp_path / "player.html"
    page.write_text(f"<!DOCTYPE html><html><body>{p.to_html()}{click}</body></html>")
    parsed = Player(dump_dom(page))
    assert parsed.buttons == BUTTONS
    assert parsed.shown() == [2] and parsed.outputs == [f"epoch {EPOCHS[2]}"]
    keep(screenshot(page, tmp_path / "player.png", 1100, 560), "animation-player.png")


@pytest.mark.slow
@pytest.mark.task("animation")
def test_the_a3_solution_animation_renders_its_controls_offline(dist, tmp_path):
    """Execute a3's solution (the animation cell included), export it, open it offline."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    solution = dist / "a3_training" / "autograder" / "a3_training.ipynb"
    nb = nbformat.read(solution, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(solution.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code"
               and "training_player(" in c.source for o in c.outputs]
    html_out = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "bplab-player" in html_out
    assert len(html_out.encode()) < PLAYER_BYTES, len(html_out.encode())
    body, _ = HTMLExporter().from_notebook_node(nb)
    page = tmp_path / "a3_training.html"
    page.write_text(body)
    shot = tmp_path / "a3_player.html"  # the same page showing only the player's cell
    shot.write_text(body.replace("</head>", "<style>.jp-Cell{display:none}"
                                 ".jp-Cell:has(.bplab-player){display:block}</style></head>"))
    parsed = Player(dump_dom(page))
    assert parsed.buttons == BUTTONS and parsed.ranges == 1
    assert parsed.shown() == [0] and len(parsed.images) > 10
    assert parsed.outputs == ["epoch 0"]
    png = screenshot(shot, tmp_path / "a3.png", 1280, 700)
    keep(png, "a3-solution-export.png")
    print(f"player output: {len(html_out.encode())} bytes; notebook HTML: {len(body)} bytes")
