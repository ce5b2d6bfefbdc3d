"""Whether a notebook defines a stub itself, decided from its source, never in the kernel.

Whatever the kernel says about where a function comes from can be rewritten by the
kernel (a patched checker, a relabelled code object), so the grader reads the code cells
it runs instead. A stub earns credit only when the last top-level binding of its name in
those cells is one of:

- a ``def`` (under any decorators): the student's own code;
- a ``lambda``, or an expression built only from the notebook's own functions and from
  NumPy, SciPy or ``math`` (``sigmoid = expit``, ``sigmoid_prime = np.vectorize(f)``);
- an import from NumPy, SciPy or ``math`` (``from scipy.special import expit as sigmoid``):
  a library function is graded like any answer (docs/contract.md, section 2).

Anything else (an import from any other module, a name the notebook never defines, a
binding through ``globals()`` or ``exec``) earns nothing, with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

LIBRARIES = ("numpy", "scipy", "math")


def parse_cell(source: str) -> ast.Module | None:
    """A code cell as Python (IPython's magics and shell escapes turned into calls), or
    None when it is not Python even then."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # no IPython, or a cell it cannot transform: parse it as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a cell that run at its top level (inside if, try, with, for too)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def _bound(target: ast.AST) -> list[str]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``; not ``a.b``, ``a[0]``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _bound(element)]
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    if isinstance(target, ast.Delete):
        return [name for t in target.targets for name in _bound(t)]
    return []


class Bindings:
    """The top-level bindings of a notebook's cells, in the order the cells run."""

    def __init__(self, sources: Iterable[str]):
        self.last: dict[str, str] = {}  # name -> "own", "library" or why it is neither
        self.libraries: set[str] = set()  # names that stand for a library module or object
        self.own: set[str] = set()  # names of functions the notebook defines itself
        for source in sources:
            tree = parse_cell(source)
            for node in _top_level(tree.body) if tree is not None else ():
                self._bind(node)

    def _bind(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.own.add(node.name)
            self.last[node.name] = "own"
        elif isinstance(node, ast.ClassDef):
            self.last[node.name] = "a class defined in the notebook"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                source = module or alias.name
                name = alias.asname or alias.name.split(".")[0]
                if source.split(".")[0] in LIBRARIES and getattr(node, "level", 0) == 0:
                    self.libraries.add(name)
                    self.last[name] = "library"
                else:
                    self.libraries.discard(name)
                    self.last[name] = f"imported from {source}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            verdict = self._expression(node.value)
            for target in targets:
                if isinstance(target, ast.Name):
                    self._set(target.id, verdict)
                else:  # a, b = ...: whatever lands in a name, it was not written here
                    self._unknown(target, "bound by unpacking")  # (x.y = ...: no name)
        elif isinstance(node, ast.AugAssign):
            self._unknown(node.target, "changed by an augmented assignment")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._unknown(node.target, "bound by a for loop")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._unknown(item.optional_vars, "bound by a with statement")
        elif isinstance(node, ast.Delete):
            self._unknown(node, "deleted")
        # a name bound inside an expression at the top level ((sigmoid := ...))
        for walrus in (n for n in ast.walk(node) if isinstance(n, ast.NamedExpr)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._unknown(walrus.target, "bound by an assignment expression")

    def _set(self, name: str, verdict: str) -> None:
        self.last[name] = verdict
        if verdict == "own":
            self.own.add(name)
        else:
            self.own.discard(name)
        self.libraries.discard(name)

    def _unknown(self, target: ast.AST, how: str) -> None:
        for name in _bound(target):
            self._set(name, how)

    def _expression(self, value: ast.expr) -> str:
        if isinstance(value, ast.Lambda):
            return "own"
        names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        foreign = sorted(n for n in names if n not in self.own and n not in self.libraries)
        if foreign:
            said = [f"{n} ({self.last[n]})" if n in self.last else n for n in foreign]
            return f"built from {', '.join(said)}, not from the notebook's own functions"
        return "own" if names & self.own else "library"

    def why_not(self, stub: str) -> str | None:
        """None when ``stub`` is the notebook's own (or a library function), else why not."""
        how = self.last.get(stub)
        if how in ("own", "library"):
            return None
        what = f"it is {how}" if how else "no cell defines it at its top level"
        return f"{stub} is not a function defined in the notebook: {what}"
