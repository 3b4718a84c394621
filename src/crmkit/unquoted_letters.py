"""Friendly feedback for a choice letter typed without quotes (`answer = b`, not `answer = "b"`).

Without its quotes a letter is a name to Python, so `answer_q4 = b` raises a
NameError whose traceback means nothing to a learner who is not a programmer,
and stops "Run All". `install()` registers an IPython handler for NameError:
when the missing name is a single letter a to e (either case), the learner gets
one line saying how to write the answer, e.g.
`Put the letter in quotes and run the cell again: answer_q4 = "b"`; any other
NameError shows IPython's usual traceback.

In an answer cell (a plain assignment of the letter, in a cell that checks
nothing), the names it assigns become `...`, still unanswered, so the check
below says "Not answered yet" (and scores nothing under nbgrader and `crmkit
grade`), and the notebook goes on as it does after an unanswered question.
Anywhere else (a check cell, a function) the line is shown as the cell's error,
so a check still fails. crmkit.check installs the handler when it is imported
inside IPython, as every exercise's set-up cell does through crmkit.answer_keys.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import sys
from types import FrameType, TracebackType
from typing import Any

#: The letters of the multiple-choice options.
LETTERS = frozenset("abcdeABCDE")
_FLAG = "_crmkit_unquoted_letter"  # set on the shell once installed, on an error to go on


def install(shell: Any = None) -> bool:
    """Register the handler with `shell` (default: the running IPython); False outside IPython.

    Safe to call more than once; leaves alone a shell that already has another
    tool's custom exception handler.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")  # a kernel has imported it; never import it here
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, _FLAG, False) and NameError in shell.custom_exceptions:
        return True
    if shell.custom_exceptions:
        return False
    shell.set_custom_exc((NameError,), _handler)
    if _go_on not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _go_on)
    setattr(shell, _FLAG, True)
    return True


def _handler(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    """IPython's custom exception handler: the friendly line for a letter, else the traceback."""
    try:
        advice = advice_for(value, tb)
    except Exception:  # never let the advice hide the learner's error
        advice = None
    if advice is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return []
    line, unanswered = advice
    if unanswered is None:
        shell._showtraceback(etype, value, [line])  # the cell's error: a check still fails
        return [line]
    for name in unanswered:
        shell.user_ns[name] = ...
    print(line)
    setattr(value, _FLAG, True)  # `_go_on` lets the notebook continue after this cell
    return []


def _go_on(result: Any) -> None:
    """After a cell: an unquoted letter in an answer cell does not stop "Run All"."""
    error = getattr(result, "error_in_exec", None)
    if error is not None and getattr(error, _FLAG, False):
        result.error_in_exec = None


def advice_for(
    error: BaseException, tb: TracebackType | None
) -> tuple[str, list[str] | None] | None:
    """What to tell the learner about `error`, or None if it is not an unquoted letter.

    Returns the friendly line and, for an answer cell, the names it assigns
    (which stay unanswered); None in place of the names means: stop, as an error.
    """
    missing = getattr(error, "name", None)
    if type(error) is not NameError or missing not in LETTERS:
        return None
    frame, lineno = _innermost(tb)
    statement, source, tree = _statement(frame, lineno, missing) if frame else (None, "", None)
    if statement is None:
        return (
            f'Put the letter in quotes and run the cell again: write "{missing}", not {missing}.',
            None,
        )
    letters = [
        node
        for node in ast.walk(statement)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.id in LETTERS
        and not _defined(node.id, frame)
    ]
    fixed = _quoted(source, statement, letters)
    noun = "letters" if len({n.id for n in letters}) > 1 else "letter"
    if "\n" in fixed:
        fixed = "write " + ", ".join(
            f'"{n}", not {n}' for n in dict.fromkeys(x.id for x in letters)
        )
    line = f"Put the {noun} in quotes and run the cell again: {fixed}"
    return line, _answer_names(statement, tree, frame)


def _innermost(tb: TracebackType | None) -> tuple[FrameType | None, int]:
    """The frame where the name was looked up, and its line."""
    if tb is None:
        return None, 0
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame, tb.tb_lineno


def _statement(
    frame: FrameType, lineno: int, missing: str
) -> tuple[ast.stmt | None, str, ast.Module | None]:
    """The innermost statement at `lineno` of the frame's source that reads `missing`."""
    source = "".join(linecache.getlines(frame.f_code.co_filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None, source, None
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt)
        and node.lineno <= lineno <= (node.end_lineno or node.lineno)
        and any(
            isinstance(n, ast.Name) and n.id == missing and isinstance(n.ctx, ast.Load)
            for n in ast.walk(node)
        )
    ]
    if not found:
        return None, source, tree
    return min(found, key=lambda n: (n.end_lineno or n.lineno) - n.lineno), source, tree


def _defined(name: str, frame: FrameType | None) -> bool:
    if frame is None:
        return hasattr(builtins, name)
    return name in frame.f_locals or name in frame.f_globals or hasattr(builtins, name)


def _quoted(source: str, statement: ast.stmt, letters: list[ast.Name]) -> str:
    """The statement's text with each unquoted letter in quotes (offsets are UTF-8 bytes)."""
    data = source.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def at(line: int, col: int) -> int:
        return starts[line - 1] + col

    begin = at(statement.lineno, statement.col_offset)
    end = at(statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
    text = data[begin:end]
    for node in sorted(letters, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        a = at(node.lineno, node.col_offset) - begin
        b = at(node.end_lineno or node.lineno, node.end_col_offset or 0) - begin
        text = text[:a] + f'"{node.id}"'.encode() + text[b:]
    return text.decode("utf-8")


def _answer_names(
    statement: ast.stmt, tree: ast.Module | None, frame: FrameType | None
) -> list[str] | None:
    """The names an answer cell's top-level assignment sets; None if this is not one.

    Not an answer cell: the lookup was inside a function, the statement is not a
    plain assignment at the top of the cell, or the cell checks something (an
    assert or a check_... call), where the error must stay an error.
    """
    if tree is None or frame is None or frame.f_code.co_name != "<module>":
        return None
    if statement not in tree.body or not isinstance(statement, ast.Assign | ast.AnnAssign):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return None
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called.startswith("check"):
                return None
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    names: list[str] = []
    for target in targets:
        parts = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
        if not all(isinstance(p, ast.Name) for p in parts):
            return None
        names += [p.id for p in parts if isinstance(p, ast.Name)]
    return names
