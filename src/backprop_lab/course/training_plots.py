"""What the notebooks of assignments 3 and 4 import as ``bplab.training_plots``.

The pictures live in modules of one concept each (``gradcheck_plots``,
``training_views``, ``animation``, ``matrices``, ``vanishing_plots``); this module only
gathers the names the notebooks use.
"""

from .animation import training_player
from .gradcheck_plots import (
    plot_param_layout,
    plot_relative_errors,
    plot_secants,
    plot_step_study,
)
from .matrices import plot_two_conventions, show_augmented
from .style import RING_COLOURS
from .training_views import (
    make_grid,
    plot_batches,
    plot_decision_boundary,
    plot_loss,
    plot_rings,
)
from .vanishing_plots import plot_layer_norms, plot_layer_ratios, plot_sigmoid_prime_hist

__all__ = [
    "RING_COLOURS", "make_grid", "plot_batches", "plot_decision_boundary",
    "plot_layer_norms", "plot_layer_ratios", "plot_loss", "plot_param_layout",
    "plot_relative_errors", "plot_rings", "plot_secants", "plot_sigmoid_prime_hist",
    "plot_step_study", "plot_two_conventions", "show_augmented", "training_player",
]
