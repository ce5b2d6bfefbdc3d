"""Grading: draw hidden cases, run stubs (harness), judge results, build and grade."""
