"""What the notebooks of assignments 1 and 2 import as ``bplab.plots``.

The pictures live in modules of one concept each (``curves``, ``diagrams``,
``matrices``); this module only gathers the names the notebooks use.
Each helper returns its matplotlib ``Figure``; end a cell with ``plt.show()``.
"""

from .curves import (
    plot_activation,
    plot_bars,
    plot_cost_slice,
    plot_cost_surface,
    plot_history,
    plot_layer_outputs,
    plot_step_fit,
)
from .diagrams import draw_chain, draw_network
from .matrices import show_matrices
from .style import BACKWARD, CYCLE, DATA, FORWARD, HIGHLIGHT, MUTED

__all__ = [
    "BACKWARD", "CYCLE", "DATA", "FORWARD", "HIGHLIGHT", "MUTED",
    "draw_chain", "draw_network", "plot_activation", "plot_bars", "plot_cost_slice",
    "plot_cost_surface", "plot_history", "plot_layer_outputs", "plot_step_fit",
    "show_matrices",
]
