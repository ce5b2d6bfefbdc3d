"""The reference solution engine: every stub of docs/contract.md, the answer key.

This package ships in the autograder only, never beside a student notebook.
"""

from .activations import sigmoid, sigmoid_prime
from .backprop import (
    backprop_1D,
    backprop_batch,
    backprop_loops,
    backprop_vectorized,
    bp1_output_error,
    bp2_hidden_error,
    bp3_bias_gradient,
    bp4_weight_gradient,
)
from .conventions import add_bias_column, backprop_row_major, feedforward_augmented
from .gradcheck import (
    get_params,
    gradient_check,
    network_numerical_gradient,
    numerical_gradient,
    relative_error,
    set_params,
)
from .network import cost, feedforward, init_network
from .training import sgd_epoch, train
from .vanishing import layer_gradient_norms

__all__ = [
    # The stubs of docs/contract.md, section 2, in the order the course teaches them.
    "sigmoid",
    "sigmoid_prime",
    "feedforward",
    "backprop_1D",
    "backprop_loops",
    "bp1_output_error",
    "bp2_hidden_error",
    "bp3_bias_gradient",
    "bp4_weight_gradient",
    "backprop_vectorized",
    "backprop_batch",
    "get_params",
    "set_params",
    "numerical_gradient",
    "relative_error",
    "sgd_epoch",
    "add_bias_column",
    "feedforward_augmented",
    "backprop_row_major",
    # The engine's own tools.
    "cost",
    "gradient_check",
    "init_network",
    "layer_gradient_norms",
    "network_numerical_gradient",
    "train",
]

