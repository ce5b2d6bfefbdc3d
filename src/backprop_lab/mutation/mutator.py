"""An ``ast`` mutator: every one-site mutant of a stub's cell, with the operators of
:mod:`.operators`.

Each operator looks at one node of the stub's ``def`` and proposes replacements; a mutant
is the cell with exactly one node replaced, unparsed back to source. Docstrings,
annotations, f-strings, string constants and ``raise`` statements are never mutated (no
grade can see them), nor the keywords ``strict=``, ``dtype=``, ``out=`` and ``over=``.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from .contract_operators import contract_operators
from .operators import OPERATORS


@dataclass(frozen=True)
class Mutation:
    """One mutant of a stub's cell."""

    stub: str
    operator: str  # a key of operators.OPERATORS or of contract_operators
    line: int  # line of the mutated node in the cell (1-based)
    column: int  # its column (0-based), to tell two sites of one line apart
    before: str  # the node's source
    after: str  # what replaced it
    context: str  # the line of the cell it is on, as written
    source: str  # the whole mutated cell

    def describe(self) -> str:
        return (f"{self.stub} line {self.line}:{self.column} [{self.operator}]: "
                f"{self.before} -> {self.after}")


SKIPPED_KEYWORDS = {"strict", "dtype", "out", "over"}


def _sites(function: ast.FunctionDef) -> list[tuple[ast.AST, ast.AST, str, int]]:
    """(node, parent, field, index) for every node of the body that may be mutated, in a
    fixed order (the same for a deep copy of the tree)."""
    sites: list[tuple[ast.AST, ast.AST, str, int]] = []

    def visit(node: ast.AST, parent: ast.AST | None, name: str, index: int) -> None:
        if isinstance(node, ast.JoinedStr | ast.arguments) or (
                isinstance(node, ast.keyword) and node.arg in SKIPPED_KEYWORDS):
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return
        if isinstance(node, ast.Raise):
            return  # the message and type of an error the reference raises on bad input
        if parent is not None:
            sites.append((node, parent, name, index))
        for child_name, value in ast.iter_fields(node):
            if child_name in {"returns", "annotation", "decorator_list", "type_comment"}:
                continue
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        visit(child, node, child_name, i)
            elif isinstance(value, ast.AST):
                visit(value, node, child_name, -1)

    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for i, statement in enumerate(body, start=len(function.body) - len(body)):
        visit(statement, function, "body", i)
    return sites


def _function(tree: ast.Module, stub: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == stub:
            return node
    raise ValueError(f"the cell does not define {stub}")


def _replace(parent: ast.AST, name: str, index: int, new: ast.AST) -> None:
    if index < 0:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new


def mutations(stub: str, cell: str) -> list[Mutation]:
    """Every distinct one-site mutant of ``stub``'s ``def`` in ``cell`` (a notebook cell).

    Mutants whose source is the cell's own, or another mutant's, are left out.
    """
    tree = ast.parse(cell)
    lines = cell.splitlines()
    original = ast.unparse(tree)
    function = _function(tree, stub)
    sites = _sites(function)
    operators = {**OPERATORS, **contract_operators(function)}
    out, seen = [], {original}
    for position, (node, _, _, _) in enumerate(sites):
        for operator, propose in operators.items():
            for choice, proposal in enumerate(propose(node)):
                copied = copy.deepcopy(tree)
                target, parent, name, index = _sites(_function(copied, stub))[position]
                new = list(propose(target))[choice]
                _replace(parent, name, index, new)
                source = ast.unparse(ast.fix_missing_locations(copied))
                if source in seen:
                    continue
                seen.add(source)
                out.append(Mutation(stub, operator, node.lineno, node.col_offset,
                                    ast.unparse(node), ast.unparse(proposal),
                                    lines[node.lineno - 1].strip(), source))
    return out
