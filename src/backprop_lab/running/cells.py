"""Which of a notebook's cells grading runs, and how to point a student at one of them."""

from __future__ import annotations


def code_cells(nb) -> list[str]:
    """The cells to run: code, not tagged otter_ignore, without Otter's own set-up."""
    return [source for _, source in numbered_code_cells(nb)]


def numbered_code_cells(nb) -> list[tuple[int, str]]:
    """The cells to run, each with its place among the notebook's code cells (1 for the
    first code cell from the top, as a student counts them in Jupyter)."""
    out = []
    code = [cell for cell in nb.cells if cell.get("cell_type") == "code"]
    for number, cell in enumerate(code, 1):
        if "otter_ignore" in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        if "otter.Notebook(" in source:
            continue
        out.append((number, source))
    return out


def cell_name(numbered: list[tuple[int, str]], index: int) -> str:
    """How a student finds cell ``index`` of a run (0 is the grader's own prelude): its
    place among the notebook's code cells, as Jupyter shows them from the top. Never the
    cell's text: what the grader says quotes no student code."""
    if not 0 < index <= len(numbered):
        return "a cell"
    return f"code cell {numbered[index - 1][0]}"
