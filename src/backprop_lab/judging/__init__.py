"""Judging: results compared with the reference and with finite differences, mistakes named,
points scored. Runs in the grading process; never calls student code."""
