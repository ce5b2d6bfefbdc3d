"""Mutation operators for mistakes at the edges of the contract (issue 19): each makes
the mistake a student makes about what a stub promises beyond its values.

- ``default_argument``: a parameter with a default replaced, in the body, by that default
  (``numerical_gradient`` stepping by 1e-5 whatever ``eps`` it is given).
- ``float32``: a returned value (not a tuple) cast to float32.
- ``dtype_dropped``: the ``dtype=`` of a call dropped (``np.asarray(z, dtype=float)`` ->
  ``np.asarray(z)``: integer input, integer result).
- ``copy_dropped``: ``x.copy()``, ``np.copy(x)`` and ``np.array(x)`` -> ``x``: a result
  that shares memory with an argument.
- ``zero_guard``: ``a / b`` -> ``(a / b if b else 0.0)``: 0.0 returned where the
  denominator is zero (``relative_error`` of one zero vector).

Unlike :mod:`.operators`, these need the function (its parameters' defaults):
:func:`contract_operators` makes them for one ``def``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator


def _np(attr: str) -> ast.Attribute:
    return ast.Attribute(ast.Name("np", ast.Load()), attr, ast.Load())


def _defaults(function: ast.FunctionDef) -> dict[str, ast.Constant]:
    args = function.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                     strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return {a.arg: d for a, d in pairs if isinstance(d, ast.Constant)}


def _float32(node):
    if isinstance(node, ast.Return) and node.value is not None and not isinstance(
            node.value, ast.Tuple | ast.List):
        yield ast.Return(ast.Call(_np("asarray"), [node.value],
                                  [ast.keyword("dtype", _np("float32"))]))


def _dtype_dropped(node):
    if isinstance(node, ast.Call) and any(k.arg == "dtype" for k in node.keywords):
        yield ast.Call(node.func, node.args, [k for k in node.keywords if k.arg != "dtype"])


def _copy_dropped(node):
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args
            and not (isinstance(func.value, ast.Name) and func.value.id in ("np", "copy"))):
        yield func.value
    elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
          and func.value.id == "np" and func.attr in ("copy", "array") and len(node.args) == 1
          and not node.keywords):
        yield node.args[0]


def _zero_guard(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        yield ast.IfExp(node.right, node, ast.Constant(0.0))


def contract_operators(function: ast.FunctionDef
                       ) -> dict[str, Callable[[ast.AST], Iterator[ast.AST]]]:
    """The operators of this module for the stub ``function``."""
    defaults = _defaults(function)

    def default_argument(node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in defaults:
            yield ast.Constant(defaults[node.id].value)

    return {"default_argument": default_argument, "float32": _float32,
            "dtype_dropped": _dtype_dropped, "copy_dropped": _copy_dropped,
            "zero_guard": _zero_guard}
