"""The normal form the similarity check compares (issue 20, §6): each edit a copier makes
in a minute leaves it unchanged, and a different program changes it."""

from __future__ import annotations

import pytest

from backprop_lab.reporting.normalise import OTHER, as_python, normal_form, notebook_parts, parse

ORIGINAL = '''
def backprop_vectorized(x, y, weights, biases):
    """My docstring."""
    zs, acts = [], [x]  # forward
    for W, b in zip(weights, biases):
        z = W @ acts[-1] + b
        zs.append(z)
        acts.append(sigmoid(z))
    n_w = [None] * len(weights)
    n_b = [None] * len(weights)
    return helper(n_w, n_b)


def helper(p, q):
    return p, q
'''

EDITS = {
    "semicolons": ORIGINAL.replace("zs.append(z)", "zs.append(z);").replace(
        "return p, q", "return p, q;"),
    "brackets": ORIGINAL.replace("z = W @ acts[-1] + b", "z = ((W @ acts[-1]) + b)"),
    "names": ORIGINAL.replace("acts", "activations_list").replace("n_w", "gw").replace(
        "helper", "pack_up"),
    "comments and docstring": ORIGINAL.replace('"""My docstring."""', "# mine").replace(
        "# forward", ""),
    "annotations": ORIGINAL.replace("def helper(p, q):", "def helper(p: list, q: list) -> tuple:"),
    "independent assignments swapped": ORIGINAL.replace(
        "    n_w = [None] * len(weights)\n    n_b = [None] * len(weights)\n",
        "    n_b = [None] * len(weights)\n    n_w = [None] * len(weights)\n"),
}


def part(source: str, name: str = "backprop_vectorized") -> str:
    return notebook_parts([source])[name].normal


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_that_keeps_the_program_keeps_the_normal_form(edit):
    assert EDITS[edit] != ORIGINAL
    assert part(EDITS[edit]) == part(ORIGINAL)


def test_a_helper_in_another_cell_belongs_to_the_stub_that_calls_it():
    stub, helper = ORIGINAL.split("\n\n\ndef helper")
    cells = ["import numpy as np", "def helper" + helper, stub]
    assert notebook_parts(cells)["backprop_vectorized"].normal == part(ORIGINAL)
    assert "def helper" in notebook_parts(cells)["backprop_vectorized"].original


def test_a_different_program_has_a_different_normal_form():
    """Control: the normal form is not blind: dependent statements keep their order."""
    changed = ORIGINAL.replace("z = W @ acts[-1] + b", "z = W @ acts[-1] - b")
    assert part(changed) != part(ORIGINAL)
    swapped = ORIGINAL.replace("        zs.append(z)\n        acts.append(sigmoid(z))\n",
                               "        acts.append(sigmoid(z))\n        zs.append(z)\n")
    # Two calls are not assignments: their order is kept (a call may depend on the other).
    assert part(swapped) != part(ORIGINAL)


def test_ipython_magics_are_python_before_parsing():
    cell = "%time x = 1\n!ls\ny = x + 1\n"
    assert parse(cell) is None  # control: not Python as it stands
    assert parse(as_python(cell)) is not None
    assert "other cells" in notebook_parts([cell])


def test_a_cell_that_does_not_parse_is_kept_as_it_is_in_other_cells():
    parts = notebook_parts(["def bp1_output_error(a, z, y):\n    return (a - y", ORIGINAL])
    assert "return (a - y" in parts[OTHER].normal
    assert "backprop_vectorized" in parts


def test_names_are_numbered_in_order_of_first_use_and_builtins_kept():
    import ast

    text = normal_form(ast.parse("total = len(items)\nfor item in items:\n    total += item").body)
    assert text == "v0 = len(v1)\nfor v2 in v1:\n    v0 += v2"


def test_a_deeply_nested_cell_is_compared_as_it_is_and_breaks_nothing():
    """`a+a+...+a` 500 times parses, but is too deep for the recursive steps (and for
    Python's own deepcopy and unparse): that cell is kept as text, the rest normalised."""
    import ast
    import copy

    from backprop_lab.reporting.normalise import MAX_DEPTH, depth

    deep = "def bp1_output_error(a, z, y):\n    return " + "+".join(["a"] * 500) + "\n"
    tree = ast.parse(deep)
    assert depth(tree) > MAX_DEPTH
    with pytest.raises(RecursionError):  # control: what the normal form would meet
        copy.deepcopy(tree)
    parts = notebook_parts([deep, ORIGINAL])
    assert set(parts) == {"backprop_vectorized", OTHER}
    assert "a+a+a" in parts[OTHER].normal
    assert parts["backprop_vectorized"].normal == part(ORIGINAL)
