"""backprop-lab: a ready-to-teach, autograded course package on backpropagation."""

__version__ = "0.1.0"
