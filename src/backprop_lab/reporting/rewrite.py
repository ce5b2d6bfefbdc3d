"""Two rewrites of a syntax tree for :mod:`.normalise`: what does not change the program
goes (``Strip``), and names are numbered (``Rename``)."""

from __future__ import annotations

import ast
import builtins

from ..questions.registry import names

KEEP = frozenset(dir(builtins)) | frozenset(names()) | {"self", "cls"}


class Strip(ast.NodeTransformer):
    """Docstrings, annotations and ``from __future__`` imports out."""

    def _body(self, node):
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_FunctionDef(self, node):
        node.returns = None
        self.generic_visit(node)
        return self._body(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 (ast's names)

    def visit_ClassDef(self, node):
        self.generic_visit(node)
        return self._body(node)

    def visit_arg(self, node):
        node.annotation = None
        return node

    def visit_AnnAssign(self, node):
        if node.value is None:
            return None
        self.generic_visit(node)
        return ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)

    def visit_ImportFrom(self, node):
        return None if node.module == "__future__" else node


class Rename(ast.NodeTransformer):
    """Every name but builtins and stubs becomes ``v<i>``, in order of first appearance."""

    def __init__(self):
        self.new: dict[str, str] = {}

    def name(self, old: str) -> str:
        if old in KEEP:
            return old
        return self.new.setdefault(old, f"v{len(self.new)}")

    def visit_Name(self, node):
        node.id = self.name(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.name(node.arg)
        return node

    def visit_FunctionDef(self, node):
        node.name = self.name(node.name)
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef  # noqa: N815

    def visit_alias(self, node):
        if node.asname:
            node.asname = self.name(node.asname)
        return node

    def visit_Global(self, node):
        node.names = [self.name(n) for n in node.names]
        return node

    visit_Nonlocal = visit_Global  # noqa: N815
