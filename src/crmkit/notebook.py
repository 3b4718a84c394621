"""How a lesson shows a part its data cannot support: one sentence, not a traceback.

A trainer's own data may leave out margins, contacts or a second year. The topic
functions then raise `MissingData` with a sentence saying what is missing. In a
notebook, that sentence is shown in place of the cell's output, and every later cell
that uses a name the skipped cell would have made is skipped with the same sentence,
so a lesson runs to its end on any data and says what it could not show.

It works on the cell's code before it runs (an IPython AST transformer), so a skipped
cell ends normally: the kernel reports no error, and "Run All" goes on. Any other
error, including a NameError that no skip explains, is raised as before.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from crmkit.errors import MissingData

#: The names a skipped cell would have made, with the reason it was skipped.
SKIPPED: dict[str, str] = {}
_OUT = "_crmkit_out"
_ERR = "_crmkit_err"


def assigned_names(tree: ast.AST) -> set[str]:
    """The names a cell's code would bind: assignments, loops, imports, defs, classes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names - {_OUT, _ERR}


def skip_sentence(reason: str) -> str:
    """The line a skipped cell shows."""
    return f"Skipped for this data: {reason}"


def skipped(error: BaseException, names: Iterable[str]) -> None:
    """Called by a cell whose code raised: show the sentence and remember what it would
    have made, or raise the error again when no missing data explains it."""
    if isinstance(error, MissingData):
        reason = str(error)
    elif isinstance(error, NameError) and getattr(error, "name", None) in SKIPPED:
        reason = SKIPPED[error.name]
    else:
        raise error
    for name in names:
        SKIPPED[name] = reason
    print(skip_sentence(reason))


class SkipMissingData(ast.NodeTransformer):
    """Wraps a cell as `try: <cell> except (MissingData, NameError): skipped(...)`, keeping
    the value of its last expression as the cell's output."""

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if not node.body:
            return node
        body = list(node.body)
        names = sorted(assigned_names(node))
        last = body[-1]
        if isinstance(last, ast.Expr):
            body[-1] = ast.Assign(targets=[ast.Name(_OUT, ast.Store())], value=last.value)
        else:
            body.append(ast.Assign(targets=[ast.Name(_OUT, ast.Store())], value=ast.Constant(None)))
        # __import__, not import: the cell's namespace gets no new names from the guard
        module = "__import__('crmkit.notebook', fromlist=['skipped'])"
        handler = ast.parse(f"{_OUT} = {module}.skipped({_ERR}, {names!r})").body
        caught = ast.parse(f"({module}.MissingData, NameError)", mode="eval").body
        guard = ast.Try(
            body=body,
            handlers=[ast.ExceptHandler(type=caught, name=_ERR, body=handler)],
            orelse=[],
            finalbody=[],
        )
        node.body = [guard, ast.Expr(ast.Name(_OUT, ast.Load()))]
        return ast.fix_missing_locations(node)


def install(shell: Any) -> None:
    """Add the transformer to this IPython shell (once)."""
    if not any(isinstance(t, SkipMissingData) for t in shell.ast_transformers):
        shell.ast_transformers.append(SkipMissingData())


def install_if_in_notebook() -> None:
    """`install` into the running IPython kernel, if there is one (no-op in plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        install(shell)
