"""Run a test cell's checks in the grader's process, on answers sent out of the student's kernel.

The student's kernel runs the answer cells; where a test cell stood, it runs an
*export cell* instead, which only sends the answers that cell's checks name
(`transfer.emit`). The checks themselves, visible and hidden tests alike, run
here, with the set-up and given cells of `solutions/` computed once per set
(`Givens`) and the student's answers rebuilt from data. Redefining
`check_answer`, builtins or pandas in the kernel therefore changes nothing.

Answer functions stay in the kernel. A check calls a stand-in (`_Remote`);
the calls it needs are collected and sent to the kernel in one batch, and the
check is run again with the results, until one run needs no call it has not
seen (each earlier, exploratory run is thrown away; only a run on real results
counts). Points then follow nbgrader's own rule, `determine_grade`, applied to
the outputs this run produced, so honest work gets the same marks as under
`nbgrader autograde`.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import nbformat
from IPython.display import display
from nbgrader.utils import determine_grade

from crmkit.grading import transfer
from crmkit.grading.restore import ExerciseSet, grade_id, is_answer

#: Rounds of collecting calls a check may take before it is scored as failed.
MAX_ROUNDS = 60
_KEY_NAME = re.compile(r"check_answer\(\s*[\"'](ex\d+\.q\d+)[\"']")
#: Checks run one at a time: they silence warnings, which Python does process-wide.
_CHECK_LOCK = threading.Lock()

CallBatch = Callable[[str, str, list], list]


# --- the given state of a set, computed once --------------------------------------------


class Givens:
    """The namespace after the set-up and given cells of an exercise set's source notebook."""

    def __init__(self, exercise: ExerciseSet) -> None:
        self.exercise = exercise
        self._namespace: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def namespace(self) -> dict[str, Any]:
        """A fresh copy of the given names (computed on first use, from solutions/ only)."""
        with self._lock:
            if self._namespace is None:
                # `display` is a builtin in a notebook's kernel; given cells may call it.
                ns: dict[str, Any] = {"__name__": "__crmkit_check__", "display": display}
                with _captured():  # set-up cells display tables; nobody reads them here
                    for cell in self.exercise.source.cells:
                        if _is_given(cell):
                            exec(compile(cell.source, f"<{grade_id(cell)}>", "exec"), ns)  # noqa: S102
                self._namespace = ns
            return dict(self._namespace)

    def names(self) -> set[str]:
        """The names the set-up and given cells define."""
        self.namespace()
        assert self._namespace is not None
        return set(self._namespace)


def _is_given(cell: nbformat.NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and not is_answer(cell) and not meta.get("grade")


# --- what a check needs from the kernel ---------------------------------------------------


def needed_names(source: str, given: set[str]) -> list[str]:
    """Names a check reads that neither it, the givens nor builtins define: the answers."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    loaded, stored = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loaded.append(node.id)
            else:
                stored.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    names = []
    for name in loaded:
        if name in stored or name in given or hasattr(builtins, name) or name in names:
            continue
        names.append(name)
    return names


def export_source(question: str, names: list[str]) -> str:
    """The cell that replaces a test cell in the kernel: it only sends the named answers out."""
    wanted = json.dumps(names)
    return (
        "from crmkit.grading import transfer as _crmkit_transfer\n"
        f"_crmkit_transfer.emit({question!r}, {{_n: globals().get(_n, _crmkit_transfer.MISSING)"
        f" for _n in {wanted}}})"
    )


def call_source(question: str, name: str, calls: list) -> str:
    """The cell that calls a kept answer function on a batch of arguments."""
    return (
        "from crmkit.grading import transfer as _crmkit_transfer\n"
        f"_crmkit_transfer.call_batch({question!r}, {name!r}, {json.dumps(calls)!r})"
    )


# --- stand-ins for answer functions -------------------------------------------------------


class _Unknown:
    """A result not fetched yet: agrees with everything, so an exploratory run goes on."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __hash__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __float__(self) -> float:
        return 0.0

    def __int__(self) -> int:
        return 0

    def __str__(self) -> str:
        return ""

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __call__(self, *args: Any, **kwargs: Any) -> _Unknown:
        return self

    def __getattr__(self, name: str) -> _Unknown:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def _same(self, *args: Any) -> _Unknown:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __pow__ = _same
    __neg__ = __pos__ = __abs__ = __round__ = _same


class _Remote:
    """Stands in for a student's function: answers from fetched results, records the rest."""

    def __init__(self, question: str, name: str, signature: str, cache: dict) -> None:
        self.question, self.__name__, self.signature = question, name, signature
        self._cache = cache
        self.misses: list[str] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = json.dumps([transfer.encode(list(args)), transfer.encode(dict(kwargs))])
        if key not in self._cache:
            if key not in self.misses:
                self.misses.append(key)
            return _Unknown()
        outcome = self._cache[key]
        if isinstance(outcome, transfer.Raised):
            raise _rebuild(outcome)
        return outcome

    def __repr__(self) -> str:
        return f"<function {self.__name__}{self.signature}>"


def _rebuild(raised: transfer.Raised) -> BaseException:
    """The student's exception as an instance of the same built-in type, else a RuntimeError."""
    kind = getattr(builtins, raised.type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(raised.message)
        except Exception:  # a built-in exception that wants other arguments
            pass
    return RuntimeError(f"{raised.type_name}: {raised.message}")


# --- running one check --------------------------------------------------------------------


@dataclass
class Outcome:
    """What a check produced here: the outputs nbgrader's rule scores, and the points."""

    outputs: list
    points: float
    rounds: int


class _PerThread(io.TextIOBase):
    """sys.stdout / sys.stderr that write to the current thread's buffer while a check runs."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.local = threading.local()

    def write(self, text: str) -> int:
        target = getattr(self.local, "buffer", None)
        return (target if target is not None else self.real).write(text)

    def flush(self) -> None:
        target = getattr(self.local, "buffer", None)
        (target if target is not None else self.real).flush()

    def isatty(self) -> bool:
        return False


_INSTALL = threading.Lock()


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """This thread's prints go to two buffers (stdout, stderr); other threads' are untouched."""
    with _INSTALL:
        if not isinstance(sys.stdout, _PerThread):
            sys.stdout = _PerThread(sys.stdout)
        if not isinstance(sys.stderr, _PerThread):
            sys.stderr = _PerThread(sys.stderr)
        out, err = sys.stdout, sys.stderr
    buffers = io.StringIO(), io.StringIO()
    out.local.buffer, err.local.buffer = buffers
    try:
        yield buffers
    finally:
        out.local.buffer = err.local.buffer = None


def _execute(source: str, namespace: dict[str, Any], label: str) -> tuple[Any, Exception | None]:
    """Run a cell's code as IPython would: the value of a final expression is returned."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return None, err
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    try:
        exec(compile(tree, label, "exec"), namespace)  # noqa: S102  (solutions' own test code)
        value = eval(compile(last, label, "eval"), namespace) if last is not None else None  # noqa: S307
    except Exception as err:  # a failing check is an outcome, never a crash of the grader
        return None, err
    return value, None


def _outputs(stdout: str, stderr: str, value: Any, error: Exception | None) -> list:
    outs = []
    if stdout:
        outs.append(nbformat.v4.new_output("stream", name="stdout", text=stdout))
    if stderr:
        outs.append(nbformat.v4.new_output("stream", name="stderr", text=stderr))
    if error is not None:
        outs.append(
            nbformat.v4.new_output(
                "error", ename=type(error).__name__, evalue=str(error), traceback=[]
            )
        )
    elif value is not None and not hasattr(value, "_ipython_display_"):
        outs.append(
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(value)},
                                   execution_count=None)
        )  # fmt: skip
    return outs


def run_check(
    cell: nbformat.NotebookNode,
    givens: Givens,
    bundle: dict | None,
    call_batch: CallBatch,
) -> Outcome:
    """Score one test cell here: its code on the student's exported answers, nbgrader's rule."""
    question = grade_id(cell) or "?"
    values = dict((bundle or {}).get("values", {})) if isinstance(bundle, dict) else {}
    if bundle is None or bundle.get("question") != question:
        values = {}
    cache: dict[str, Any] = {}
    prefetch = _declared_cases(cell.source)
    for rounds in range(1, MAX_ROUNDS + 1):
        namespace = givens.namespace()
        remotes: list[_Remote] = []
        for name, data in values.items():
            if isinstance(data, dict) and data.get("~") == "function":
                remote = _Remote(question, name, str(data.get("signature", "")), cache)
                remotes.append(remote)
                namespace[name] = remote
                continue
            value = transfer.decode(data)  # afresh each round: a check may change its answer
            if value is not transfer.MISSING:
                namespace[name] = value
        with _CHECK_LOCK, _captured() as (out, err):
            value, error = _execute(cell.source, namespace, f"<{question}>")
        if rounds == 1 and prefetch:
            for remote in remotes:
                remote.misses += [k for k in _case_keys(prefetch) if k not in remote.misses]
        pending = [r for r in remotes if r.misses]
        if not pending:
            outs = _outputs(out.getvalue(), err.getvalue(), value, error)
            scored = nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)
            scored.outputs = outs
            earned, _ = determine_grade(scored)
            return Outcome(outs, float(earned or 0.0), rounds)
        for remote in pending:
            _fetch(remote, cache, call_batch)
    error = RuntimeError("the check needed more calls of your function than the grader allows")
    outs = _outputs("", "", None, error)
    return Outcome(outs, 0.0, MAX_ROUNDS)


def _fetch(remote: _Remote, cache: dict, call_batch: CallBatch) -> None:
    calls = [json.loads(k) for k in remote.misses]
    results = call_batch(remote.question, remote.__name__, calls)
    for key, result in zip(remote.misses, _padded(results, len(calls)), strict=True):
        if isinstance(result, dict) and "ok" in result:
            cache[key] = transfer.decode(result["ok"])
        elif isinstance(result, dict) and "raised" in result:
            cache[key] = transfer.Raised(str(result["raised"]), str(result.get("message", "")))
        else:
            cache[key] = transfer.Raised("RuntimeError", "the kernel sent no result")
    remote.misses = []


def _padded(results: list, n: int) -> list:
    results = list(results)[:n] if isinstance(results, list) else []
    return results + [None] * (n - len(results))


def _declared_cases(source: str) -> tuple[tuple, ...]:
    """The test cases of the function key a check names, fetched in the first batch."""
    from crmkit.answer_keys import KEYS

    cases: tuple[tuple, ...] = ()
    for key in _KEY_NAME.findall(source):
        spec = KEYS.get(key)
        if spec is not None and spec.kind == "function":
            cases += tuple(spec.cases)
    return cases


def _case_keys(cases: tuple[tuple, ...]) -> list[str]:
    return [json.dumps([transfer.encode(list(case)), transfer.encode({})]) for case in cases]
