"""The standard mutation operators: each looks at one node and proposes replacements.

:mod:`.mutator` applies them, one node at a time, to a stub's cell.

Operators (the names the kill-rate table and the test print):

- ``arithmetic``: ``+ - * / @ **`` swapped (``a + b`` -> ``a - b``, ``*`` <-> ``/``,
  ``@`` <-> ``*``), in-place operators too (``+=`` -> ``-=``).
- ``unary``: a unary minus dropped.
- ``comparison``: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``<`` <-> ``>``, ``==`` <-> ``!=``.
- ``constant``: numbers n -> n + 1, n - 1 (so 0 <-> 1), floats x -> x / 2, x * 2;
  ``True`` <-> ``False``.
- ``subscript``: an index ``x[i]`` -> ``x[i - 1]``, ``x[i + 1]`` (each index of a tuple),
  slice bounds +-1.
- ``range``: each argument of ``range(...)`` +-1.
- ``transpose``: ``.T`` dropped, or added to an operand of ``@``.
- ``axis`` / ``keepdims``: the keyword changed (axis 0 <-> 1, keepdims negated) or dropped.
- ``reduction``: ``np.sum(x, ...)`` / ``x.sum(...)`` (and mean, max, prod) -> ``x``;
  sum <-> mean.
- ``return_operand``: ``return a op b`` -> ``return a``, ``return b``.
- ``argument_swap``: two neighbouring positional arguments of a call swapped.
- ``regroup``: the parentheses of two operations moved, ``(a @ b) * c`` <-> ``a @ (b * c)``.
- ``order_swap``: two neighbouring elements of a list or tuple swapped (``np.hstack([W,
  b])``, ``[*weights, *biases]``, an index ``W[j, k]``, the pair a stub returns).
- ``statement``: a statement that works in place (``np.negative(out, out=out)``,
  ``x += 1``) removed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

REDUCTIONS = ("sum", "mean", "max", "prod")
ARITHMETIC: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div, ast.MatMult),
    ast.Div: (ast.Mult,), ast.MatMult: (ast.Mult,), ast.Pow: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
}
COMPARISON: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt,), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
}



def _plus(node: ast.expr, k: int) -> ast.expr:
    """``node + k`` (or ``node - |k|``), folding a constant."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return ast.Constant(node.value + k)
    return ast.BinOp(node, ast.Add() if k > 0 else ast.Sub(), ast.Constant(abs(k)))


def _call_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
        node.func, "id", "")


def _arithmetic(node):
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        for op in ARITHMETIC[type(node.op)]:
            yield ast.BinOp(node.left, op(), node.right)
    if isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC:
        for op in ARITHMETIC[type(node.op)]:
            yield ast.AugAssign(node.target, op(), node.value)


def _unary(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield node.operand


def _comparison(node):
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in COMPARISON.get(type(node.ops[0]), ()):
            yield ast.Compare(node.left, [op()], node.comparators)


def _constant(node):
    if not isinstance(node, ast.Constant):
        return
    value = node.value
    if isinstance(value, bool):
        yield ast.Constant(not value)
    elif isinstance(value, int):
        yield ast.Constant(value + 1)
        yield ast.Constant(value - 1)
    elif isinstance(value, float):
        for new in (value + 1, value - 1, value / 2, value * 2):
            if new != value:
                yield ast.Constant(new)


def _index(node: ast.expr):
    if isinstance(node, ast.Slice):
        for part in ("lower", "upper"):
            bound = getattr(node, part)
            if bound is not None:
                for k in (-1, 1):
                    yield ast.Slice(**{**_fields(node), part: _plus(bound, k)})
    elif isinstance(node, ast.Tuple):
        for i, element in enumerate(node.elts):
            for new in _index(element):
                yield ast.Tuple([*node.elts[:i], new, *node.elts[i + 1:]], ast.Load())
    elif not isinstance(node, ast.Constant | ast.UnaryOp):  # constants: the constant operator
        yield _plus(node, -1)
        yield _plus(node, 1)


def _fields(node: ast.AST) -> dict:
    return {name: getattr(node, name, None) for name in node._fields}


def _subscript(node):
    if isinstance(node, ast.Subscript):
        for index in _index(node.slice):
            yield ast.Subscript(node.value, index, node.ctx)


def _range(node):
    if isinstance(node, ast.Call) and _call_name(node) == "range":
        for i, arg in enumerate(node.args):
            for k in (-1, 1):
                yield ast.Call(node.func, [*node.args[:i], _plus(arg, k), *node.args[i + 1:]],
                               node.keywords)


def _transpose(node):
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
                yield ast.BinOp(**{**_fields(node), side: ast.Attribute(operand, "T", ast.Load())})


def _keyword(name: str, changes: Callable[[ast.expr], Iterator[ast.expr]]):
    def operator(node):
        if not isinstance(node, ast.Call):
            return
        for i, kw in enumerate(node.keywords):
            if kw.arg == name:
                rest = node.keywords[:i] + node.keywords[i + 1:]
                yield ast.Call(node.func, node.args, rest)
                for value in changes(kw.value):
                    yield ast.Call(node.func, node.args, [*rest[:i], ast.keyword(name, value),
                                                         *rest[i:]])
    return operator


def _other_axes(value):
    if isinstance(value, ast.Constant) and isinstance(value.value, int):
        yield ast.Constant(1 - value.value if value.value in (0, 1) else 0)


def _negated(value):
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        yield ast.Constant(not value.value)


def _reduction(node):
    if not isinstance(node, ast.Call) or _call_name(node) not in REDUCTIONS:
        return
    method = isinstance(node.func, ast.Attribute) and not (
        isinstance(node.func.value, ast.Name) and node.func.value.id in {"np", "numpy"})
    if method:
        yield node.func.value
    elif isinstance(node.func, ast.Attribute) and node.args:
        yield node.args[0]
    else:
        return  # the builtin sum(...) of a generator has no operand to keep
    swap = {"sum": "mean", "mean": "sum"}.get(_call_name(node))
    if swap:
        yield ast.Call(ast.Attribute(node.func.value, swap, ast.Load()), node.args, node.keywords)


def _return_operand(node):
    if isinstance(node, ast.Return) and isinstance(node.value, ast.BinOp):
        yield ast.Return(node.value.left)
        yield ast.Return(node.value.right)


def _argument_swap(node):
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        for i in range(len(node.args) - 1):
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield ast.Call(node.func, args, node.keywords)


def _regroup(node):
    """``(a op b) op2 c`` <-> ``a op (b op2 c)``: the parentheses moved (precedence slips)."""
    if not isinstance(node, ast.BinOp):
        return
    if isinstance(node.left, ast.BinOp):
        inner = node.left
        yield ast.BinOp(inner.left, inner.op, ast.BinOp(inner.right, node.op, node.right))
    if isinstance(node.right, ast.BinOp):
        inner = node.right
        yield ast.BinOp(ast.BinOp(node.left, node.op, inner.left), inner.op, inner.right)


def _order_swap(node):
    if isinstance(node, ast.List | ast.Tuple) and isinstance(node.ctx, ast.Load):
        for i in range(len(node.elts) - 1):
            elts = list(node.elts)
            elts[i], elts[i + 1] = elts[i + 1], elts[i]
            yield type(node)(elts, ast.Load())


def _statement(node):
    in_place = isinstance(node, ast.AugAssign) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and any(kw.arg == "out" for kw in node.value.keywords))
    if in_place:
        yield ast.Pass()


OPERATORS: dict[str, Callable[[ast.AST], Iterator[ast.AST]]] = {
    "arithmetic": _arithmetic,
    "unary": _unary,
    "comparison": _comparison,
    "constant": _constant,
    "subscript": _subscript,
    "range": _range,
    "transpose": _transpose,
    "axis": _keyword("axis", _other_axes),
    "keepdims": _keyword("keepdims", _negated),
    "reduction": _reduction,
    "return_operand": _return_operand,
    "argument_swap": _argument_swap,
    "regroup": _regroup,
    "order_swap": _order_swap,
    "statement": _statement,
}
