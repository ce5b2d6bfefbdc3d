"""Code as the similarity check compares it: parsed, stripped and printed back.

A copier's cheapest edits change the text, not the program: semicolons, brackets,
comments, blank lines, names, the order of helpers or of independent assignments, a
docstring, type hints. None of them survives this normal form. Each code cell is made
Python as IPython makes it (``%magics`` and ``!shell`` lines become calls), parsed with
``ast`` and printed back with ``ast.unparse`` after:

- docstrings, annotations and ``from __future__`` imports are removed;
- runs of statements that can be swapped without changing the program are sorted by
  their shape: consecutive ``def``\\ s, consecutive imports, and consecutive
  assignments none of which reads or writes a name another one writes;
- every name that is not a builtin or a stub (contract names, kept for reading) is
  renamed ``v0, v1, ...`` in order of first appearance; attributes and keyword
  arguments (``np.exp``, ``axis=``) are kept.

A notebook falls into *parts*: each stub it defines is one part, together with every
helper function the stub calls (directly or not), so moving a body into a helper, or a
helper into another cell, changes nothing; everything else is the part ``OTHER``. A
cell that does not parse (a truncated cell, Python 2) goes to ``OTHER`` as it is.
"""

from __future__ import annotations

import ast
import copy
import functools
import warnings
from dataclasses import dataclass

from ..questions import registry
from .rewrite import KEEP, Rename, Strip

OTHER = "other cells"
SWAPPABLE_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MAX_DEPTH = 100  #: a cell nested deeper is compared as it is (no program needs it)


@functools.cache
def _ipython():
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter kernel
        return None
    return TransformerManager()


def as_python(source: str) -> str:
    """The cell as plain Python: IPython's own transformation of magics, when available."""
    manager = _ipython()
    if manager is None or not any(c in source for c in "%!?"):
        return source
    try:
        return manager.transform_cell(source)
    except Exception:  # a cell IPython cannot read is parsed (or kept) as it is
        return source


def depth(tree: ast.AST) -> int:
    """How deeply the tree nests (counted without recursion)."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        todo.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse(python: str) -> ast.Module | None:
    """The syntax tree of ``python`` (a cell after ``as_python``), or None: not Python,
    or nested deeper than ``MAX_DEPTH`` (``a+a+...+a`` 500 times), which the recursive
    steps below could not walk."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            tree = ast.parse(python)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree if depth(tree) <= MAX_DEPTH else None


def names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _swaps(a: ast.stmt, b: ast.stmt) -> bool:
    """True when ``a; b`` and ``b; a`` are the same program (for the kinds sorted here)."""
    if isinstance(a, SWAPPABLE_DEFS) and isinstance(b, SWAPPABLE_DEFS):
        return a.name != b.name
    if isinstance(a, (ast.Import, ast.ImportFrom)) and isinstance(b, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(a, (ast.Assign, ast.AugAssign)) and isinstance(b, (ast.Assign, ast.AugAssign)):
        def rw(s):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            written = set().union(*(names(t) for t in targets))
            read = names(s.value) | (written if isinstance(s, ast.AugAssign) else set())
            return written, read
        (wa, ra), (wb, rb) = rw(a), rw(b)
        return not (wa & (rb | wb)) and not (wb & ra)
    return False


def shape(node: ast.AST) -> str:
    """The statement with every name hidden: a sort key that renaming cannot change."""
    masked = copy.deepcopy(node)
    for n in ast.walk(masked):
        if isinstance(n, ast.Name) and n.id not in KEEP:
            n.id = "_"
        elif isinstance(n, ast.arg):
            n.arg = "_"
        elif isinstance(n, SWAPPABLE_DEFS) and n.name not in KEEP:
            n.name = "_"
    return ast.dump(masked, annotate_fields=False)


def _in_order(nodes: list[ast.stmt]):
    """Names in source order (depth first, fields in order)."""
    for node in nodes:
        if isinstance(node, ast.Name):
            yield node.id
        yield from _in_order(list(ast.iter_child_nodes(node)))


def _written(stmt: ast.stmt) -> set[str]:
    targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", stmt)]
    named = set().union(*(names(t) for t in targets))
    return named | ({stmt.name} if isinstance(stmt, SWAPPABLE_DEFS) else set())


def sort_body(body: list[ast.stmt]) -> list[ast.stmt]:
    """Runs of pairwise swappable statements sorted by shape, ties by where what they
    write is first used after the run; everything else in order."""
    out: list[ast.stmt] = []
    run: list[ast.stmt] = []

    def flush(after: list[ast.stmt]):
        if len(run) < 2:
            out.extend(run)
            return
        later = list(_in_order(after))
        first = {n: i for i, n in reversed(list(enumerate(later)))}

        def key(stmt):
            return shape(stmt), min((first.get(n, len(later)) for n in _written(stmt)),
                                    default=len(later))
        out.extend(sorted(run, key=key))

    for index, stmt in enumerate(body):
        if run and not all(_swaps(s, stmt) for s in run):
            flush(body[index:])
            run = []
        run.append(stmt)
    flush([])
    return out


class _Sort(ast.NodeTransformer):
    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, field, sort_body(value))
        return node


def normal_form(statements: list[ast.stmt]) -> str:
    """The statements stripped, sorted where safe, renamed and printed back."""
    tree = ast.Module(body=copy.deepcopy(statements), type_ignores=[])
    try:
        tree = Rename().visit(_Sort().visit(Strip().visit(tree)))
        return ast.unparse(ast.fix_missing_locations(tree))
    except (RecursionError, ValueError, TypeError, AttributeError):
        return "\n".join(ast.dump(s) for s in statements)


@dataclass
class Part:
    """One part of a notebook: its normal form and the student's own text."""
    normal: str
    original: str


def _calls(node: ast.AST) -> set[str]:
    return names(node) | {n.func.attr for n in ast.walk(node)
                          if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}


def notebook_parts(cells: list[str]) -> dict[str, Part]:
    """The notebook's parts by name: a stub with the helpers it calls, or OTHER (all of
    it, as it is, should the normal form fail: a report is never lost to one notebook)."""
    try:
        return _parts(cells)
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError):
        text = "\n\n".join(cells)
        return {OTHER: Part(text, text)} if text.strip() else {}


def _parts(cells: list[str]) -> dict[str, Part]:
    defs: dict[str, tuple[ast.stmt, str]] = {}  # the last definition of a name wins
    rest: list[ast.stmt] = []
    raw: list[str] = []
    texts: list[str] = []
    for source in cells:
        python = as_python(source)
        tree = parse(python)
        if tree is None:
            raw.append(source)
            continue
        for stmt in tree.body:
            text = ast.get_source_segment(python, stmt) or ""
            if isinstance(stmt, SWAPPABLE_DEFS):
                if stmt.name in defs:
                    rest.append(defs[stmt.name][0])
                defs[stmt.name] = (stmt, text)
            else:
                rest.append(stmt)
                texts.append(text)
    helpers = {n: d for n, d in defs.items() if n not in registry.names()}
    used: set[str] = set()
    parts: dict[str, Part] = {}
    for stub in (s for s in registry.names() if s in defs):
        group, todo = [stub], [stub]
        while todo:
            for callee in sorted(_calls(defs[todo.pop()][0]) & set(helpers)):
                if callee not in group:
                    group.append(callee)
                    todo.append(callee)
        used.update(group)
        statements = sorted((defs[n][0] for n in group[1:]), key=shape)
        parts[stub] = Part(normal_form([defs[stub][0], *statements]),
                           "\n\n".join(defs[n][1] for n in group))
    leftover = [d for n, d in helpers.items() if n not in used]
    other = [*rest, *(stmt for stmt, _ in leftover)]
    if other or raw:
        normal = "\n".join(filter(None, [normal_form(other) if other else "", *raw]))
        parts[OTHER] = Part(normal, "\n\n".join(filter(None, [*texts, *(t for _, t in leftover),
                                                              *raw])))
    return parts
