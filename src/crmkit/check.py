"""Friendly answer checks for the test cells of the exercise notebooks.

A test cell calls one of these helpers with the learner's answer and the
expected one. Three outcomes, each in plain words for a learner who is not a
programmer:

- right: one line "✓ Correct: <question>." on stdout, and the helper returns True
  (`Passed`, equal to True, which a notebook does not display as "True");
- not answered (the answer is still `...`, `None`, or a function that still
  raises NotImplementedError): `NotAnswered`, one line "Not answered yet: ...";
- wrong: `WrongAnswer`, one or two sentences saying what is wrong (too high,
  wrong type, missing ids, which column differs) and the exercise's hint,
  without giving the expected answer away unless `reveal=True`.

Both errors are AssertionErrors, so nbgrader scores the cell as failed, and
they define `_render_traceback_()`, so IPython shows their lines instead of a
stack trace. Warnings and pandas errors raised while comparing are swallowed
or turned into a WrongAnswer: nbgrader counts anything on stderr as a failure,
and a pandas traceback would only confuse.
"""

from __future__ import annotations

import contextlib
import decimal
import math
import numbers
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from crmkit import unquoted_letters
from crmkit.errors import CrmkitError

__all__ = [
    "NotAnswered",
    "Passed",
    "WrongAnswer",
    "answered",
    "call",
    "check_choice",
    "check_frame",
    "check_number",
    "check_series",
    "check_set",
    "check_true",
]

MAX_EXAMPLES = 3


class NotAnswered(AssertionError, CrmkitError):
    """The learner has not answered yet: the answer is still `...` (or None)."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(
            f"Not answered yet: {_sentence(label)} Replace the ... with your answer "
            "and run the cell again."
        )

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


class WrongAnswer(AssertionError, CrmkitError):
    """The answer is wrong; the message says how, with a hint, in a sentence or two."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


# --- wording -----------------------------------------------------------------------------


def _sentence(label: str) -> str:
    label = str(label).strip()
    return label if label.endswith((".", "?", "!")) else f"{label}."


def _fmt(x: Any) -> str:
    """A number as a learner would write it: 0.35, 1,234.50, 12."""
    if isinstance(x, bool | np.bool_):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    f = float(x)
    if math.isnan(f):
        return "NaN (a missing value)"
    if math.isinf(f):
        return "infinity" if f > 0 else "minus infinity"
    if f.is_integer() and abs(f) < 1e15:
        return f"{int(f):,}"
    if abs(f) >= 1000:
        return f"{f:,.2f}"
    return f"{f:.6g}"


def _show(x: Any) -> str:
    """A value for a message: numbers formatted, text quoted and cut short."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT or x is pd.NA:
        return "a missing value"
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool | numbers.Number) and not isinstance(x, complex):
        return _fmt(x)
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d") if x == x.normalize() else x.strftime("%Y-%m-%d %H:%M")
    text = str(x)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text) if isinstance(x, str) else text


def _n(count: int, word: str, plural: str | None = None) -> str:
    """'1 row', '3 rows': a count with its noun."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _examples(values: Iterable[Any]) -> str:
    items = sorted(values, key=lambda v: (v is None, str(v)))
    shown = ", ".join(_show(v) for v in items[:MAX_EXAMPLES])
    return shown + (", ..." if len(items) > MAX_EXAMPLES else "")


def _describe(value: Any) -> str:
    """What kind of thing the learner gave, in words."""
    if isinstance(value, bool | np.bool_):
        return f"{bool(value)} (a yes/no value)"
    if isinstance(value, numbers.Number | decimal.Decimal) and not isinstance(value, complex):
        return f"the number {_fmt(value)}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    if isinstance(value, pd.DataFrame):
        rows, cols = value.shape
        return f"a table (DataFrame) with {_n(rows, 'row')} and {_n(cols, 'column')}"
    if isinstance(value, pd.Series):
        return f"a Series with {_n(len(value), 'value')}"
    if isinstance(value, pd.Index):
        return f"an Index with {_n(len(value), 'value')}"
    if isinstance(value, np.ndarray):
        return f"an array with {_n(value.size, 'value')}"
    if isinstance(value, list | tuple | set | frozenset | dict):
        return f"a {type(value).__name__} with {_n(len(value), 'item')}"
    if callable(value):
        return "a function (call it, with ( ) after its name, to get its answer)"
    return f"a {type(value).__name__}"


def _wrong(label: str, problem: str, hint: str | None, reveal: str | None = None) -> WrongAnswer:
    """The WrongAnswer: the problem, then the hint, then (only if asked) the answer."""
    lines = [f"Not quite ({str(label).strip().rstrip('.')}): {problem}"]
    if hint:
        lines.append(f"Hint: {hint.strip()}")
    if reveal is not None:
        lines.append(reveal)
    return WrongAnswer("\n".join(lines))


class Passed(int):
    """What a check returns for a right answer: equal to True, and shown as nothing.

    A test cell's last line is the check, so a plain True would be displayed
    under the "✓ Correct" line as `True`; this value compares, adds and tests
    like True (`== True`, `if`, `sum`) but IPython displays nothing for it.
    """

    def __new__(cls) -> Passed:
        return super().__new__(cls, 1)

    def __repr__(self) -> str:
        return "True"

    __str__ = __repr__

    def _ipython_display_(self) -> None:
        """Nothing to show: the check already printed its "✓ Correct" line."""


def _correct(label: str) -> Passed:
    line = f"✓ Correct: {_sentence(label)}"
    try:
        print(line)
    except UnicodeEncodeError:  # a console that cannot print the tick
        print("OK" + line[1:])
    return Passed()


class _Problem(Exception):
    """Raised inside a check to stop with one sentence; turned into WrongAnswer."""


@contextlib.contextmanager
def _guard(label: str, hint: str | None, expecting: str) -> Iterator[None]:
    """Silence warnings; turn any unexpected error while comparing into a WrongAnswer."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            yield
        except (NotAnswered, WrongAnswer):
            raise
        except _Problem as problem:
            raise _wrong(label, str(problem), hint) from None
        except Exception:
            raise _wrong(
                label,
                f"your answer has the wrong type: it could not be compared with {expecting}.",
                hint,
            ) from None


# --- not answered ------------------------------------------------------------------------


def _is_stub(value: Any) -> bool:
    return value is Ellipsis or value is None or value is NotImplemented


def answered(value: Any, label: str) -> Any:
    """Raise NotAnswered if `value` is still the stub (`...`, None); else return it unchanged."""
    if _is_stub(value):
        raise NotAnswered(label)
    return value


def call(func: Callable[..., Any], *args: Any, label: str, **kwargs: Any) -> Any:
    """Call the learner's function `func(*args, **kwargs)` and return its result.

    A function that is still a stub (it raises NotImplementedError, or returns
    `...` or None because its body is only `...`) raises NotAnswered instead of
    a stack trace. Any other error in the learner's code is theirs to see.
    """
    if _is_stub(func):
        raise NotAnswered(label)
    if not callable(func):
        raise _wrong(label, f"you gave {_describe(func)}, but a function was expected.", None)
    try:
        result = func(*args, **kwargs)
    except NotImplementedError:
        raise NotAnswered(label) from None
    return answered(result, label)


# --- numbers -----------------------------------------------------------------------------


def _as_number(answer: Any) -> float:
    if isinstance(answer, bool | np.bool_):
        raise _Problem(f"you gave {_describe(answer)}, but the answer is a number.")
    if isinstance(answer, numbers.Real | decimal.Decimal):
        return float(answer)
    if isinstance(answer, str):
        text = answer.strip().replace(",", "").rstrip("%").strip()
        try:
            float(text)
        except ValueError:
            raise _Problem(f"you gave {_describe(answer)}, but the answer is a number.") from None
        raise _Problem(
            f"your answer {_show(answer)} looks like text, because of the quotes. "
            "Give the number itself, without quotes."
        )
    if isinstance(answer, pd.DataFrame | pd.Series | pd.Index | np.ndarray | list | tuple):
        flat = np.asarray(answer, dtype=object).ravel()
        if flat.size == 1:
            return _as_number(flat[0].item() if isinstance(flat[0], np.generic) else flat[0])
        raise _Problem(f"you gave {_describe(answer)}, but the answer is a single number.")
    raise _Problem(f"you gave {_describe(answer)}, but the answer is a number.")


def _direction(given: float, expected: float) -> str:
    """'too high' / 'a little too low' without giving the expected number."""
    side = "high" if given > expected else "low"
    near = expected != 0 and abs(given - expected) <= 0.05 * abs(expected)
    return f"close, but a little too {side}" if near else f"too {side}"


def check_number(
    answer: Any,
    expected: float,
    *,
    label: str,
    rel_tol: float = 1e-3,
    abs_tol: float | None = None,
    hint: str | None = None,
    reveal: bool = False,
) -> Passed:
    """Check a single number (int, float, numpy scalar, or a one-value Series).

    Right within rel_tol (relative) or abs_tol (absolute). A wrong answer is
    told too high / too low, a percentage given for a fraction or the other
    way round, or the wrong sign; never the expected number unless reveal.
    """
    answered(answer, label)
    exp = float(expected)
    atol = 1e-12 if abs_tol is None else abs_tol

    def close(x: float) -> bool:
        return math.isclose(x, exp, rel_tol=rel_tol, abs_tol=atol)

    with _guard(label, hint, "a number"):
        given = _as_number(answer)
        if math.isnan(given):
            raise _Problem("you gave NaN (a missing value), but the answer is a number.")
        if close(given):
            return _correct(label)
        if exp != 0 and close(given / 100):
            problem = (
                f"you gave {_fmt(given)}, which looks like a percentage; give it as a "
                "fraction between 0 and 1 (for example 25% is 0.25)."
            )
        elif exp != 0 and close(given * 100):
            problem = (
                f"you gave {_fmt(given)}, which looks like a fraction; give it as a "
                "percentage (for example 0.25 is 25)."
            )
        elif exp != 0 and close(-given):
            problem = f"you gave {_fmt(given)}, which has the wrong sign."
        else:
            problem = f"you gave {_fmt(given)}, which is {_direction(given, exp)}."
    raise _wrong(label, problem, hint, f"The expected answer is {_fmt(exp)}." if reveal else None)


# --- choices -----------------------------------------------------------------------------


def _norm_choice(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, str):
        return " ".join(x.split()).rstrip(".。").casefold()
    return x


def _same_choice(a: Any, b: Any) -> bool:
    na, nb = _norm_choice(a), _norm_choice(b)
    if isinstance(na, str) != isinstance(nb, str):
        return _norm_choice(str(na if not isinstance(na, str) else nb)) == (
            na if isinstance(na, str) else nb
        )
    return bool(na == nb)


def check_choice(
    answer: Any,
    expected: Any,
    *,
    label: str,
    options: Iterable[Any] | None = None,
    hint: str | None = None,
    reveal: bool = False,
) -> Passed:
    """Check one choice, e.g. a stage name or a letter; text ignores case and spacing.

    expected may be a set of equally right answers. With options, an answer that
    is none of them is told which options are allowed.
    """
    answered(answer, label)
    accepted = list(expected) if isinstance(expected, set | frozenset) else [expected]
    allowed = list(options) if options is not None else None
    with _guard(label, hint, "a single choice"):
        if isinstance(answer, list | tuple | set | frozenset | pd.Series | pd.Index | np.ndarray):
            many = list(answer)
            if len(many) != 1:
                raise _Problem(f"you gave {_describe(answer)}; give just one answer.")
            answer = answer[0] if isinstance(answer, list | tuple) else many[0]
        if allowed is not None and not any(_same_choice(answer, o) for o in allowed):
            raise _Problem(
                f"you gave {_show(answer)}, which is not one of the options: "
                f"{', '.join(_show(o) for o in allowed)}."
            )
        if any(_same_choice(answer, e) for e in accepted):
            return _correct(label)
        problem = f"you chose {_show(answer)}, which is not the right answer."
    shown = " or ".join(_show(e) for e in accepted)
    raise _wrong(label, problem, hint, f"The expected answer is {shown}." if reveal else None)


# --- sets of ids -------------------------------------------------------------------------


def _norm_item(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or x is pd.NaT or x is pd.NA:
        return None
    if isinstance(x, float):
        if math.isnan(x):
            return None
        if x.is_integer():
            return int(x)
    if isinstance(x, str):
        return x.strip()
    return x


def _harmonise(given: list[Any], expected: list[Any]) -> list[Any]:
    """Make the learner's items comparable with the expected: ids as text vs as numbers."""
    if expected and all(isinstance(e, str) for e in expected):
        return [g if g is None or isinstance(g, str) else str(g) for g in given]
    if expected and all(isinstance(e, numbers.Number) for e in expected):
        out = []
        for g in given:
            if isinstance(g, str):
                with contextlib.suppress(ValueError):
                    g = _norm_item(float(g))
            out.append(g)
        return out
    return given


def _items(value: Any) -> list[Any]:
    if isinstance(value, pd.DataFrame):
        raise _Problem(
            f"you gave {_describe(value)}; give only the ids, for example one column: "
            "table['customer_id']."
        )
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise _Problem(f"you gave {_describe(value)}, but the answer is a list of several values.")
    return [_norm_item(v) for v in value]


def check_set(
    answer: Any,
    expected: Iterable[Any],
    *,
    label: str,
    noun: str = "ids",
    hint: str | None = None,
    reveal: bool = False,
) -> Passed:
    """Check a collection of ids (list, set, Series, Index, ...); order and repeats don't count.

    A wrong answer is told how many expected ids are missing and how many are
    extra, with at most three examples of each.
    """
    answered(answer, label)
    exp_items = [_norm_item(v) for v in expected]
    e_set = set(exp_items)
    with _guard(label, hint, f"a list of {noun}"):
        given = _harmonise(_items(answer), exp_items)
        a_set = set(given)
        if a_set == e_set:
            return _correct(label)
        if isinstance(answer, pd.Series) and (
            set(_harmonise([_norm_item(v) for v in answer.index], exp_items)) == e_set
        ):
            raise _Problem(
                f"the {noun} are in the index of your Series, not in its values: "
                "give your_series.index instead."
            )
        missing, extra = e_set - a_set, a_set - e_set
        parts = []
        if missing:
            parts.append(
                f"{len(missing)} of the expected {noun} {_are(len(missing))} missing "
                f"(for example {_examples(missing)})"
            )
        if extra:
            parts.append(
                f"{len(extra)} of yours {_are(len(extra))} not expected "
                f"(for example {_examples(extra)})"
            )
        problem = f"{' and '.join(parts)}."
    everything = ", ".join(_show(v) for v in sorted(e_set, key=lambda v: (v is None, str(v))))
    raise _wrong(label, problem, hint, f"The expected {noun} are {everything}." if reveal else None)


# --- series and tables -------------------------------------------------------------------


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    return "text"


def _holds_text(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return not pd.api.types.is_numeric_dtype(s.cat.categories)
    return pd.api.types.is_string_dtype(s) and any(isinstance(v, str) for v in s.dropna())


def _mismatch(given: pd.Series, expected: pd.Series, rel_tol: float, where: str) -> np.ndarray:
    """A boolean mask of the positions where the values differ (aligned by position)."""
    kind = _kind(expected)
    if kind == "number":
        if _holds_text(given):
            raise _Problem(f"{where} holds text, but it should hold numbers.")
        g = pd.to_numeric(given.reset_index(drop=True)).to_numpy(dtype="float64", na_value=np.nan)
        e = pd.to_numeric(expected.reset_index(drop=True)).to_numpy(
            dtype="float64", na_value=np.nan
        )
        both_missing = np.isnan(g) & np.isnan(e)
        return ~(np.isclose(g, e, rtol=rel_tol, atol=1e-9) | both_missing)
    if kind == "date":
        g = pd.to_datetime(given.reset_index(drop=True))
        e = expected.reset_index(drop=True)
        both_missing = (g.isna() & e.isna()).to_numpy()
        return ~((g == e).to_numpy() | both_missing)
    g_text = [_norm_text(v) for v in given]
    e_text = [_norm_text(v) for v in expected]
    return np.array([a != b for a, b in zip(g_text, e_text, strict=True)], dtype=bool)


def _norm_text(x: Any) -> Any:
    x = _norm_item(x)
    return None if x is None else str(x).strip()


def _value_problem(
    given: pd.Series, expected: pd.Series, pos: int, kind: str, reveal: bool
) -> tuple[str, str | None]:
    """'you gave 12.5, which is too high' for one differing value, and its reveal text."""
    g, e = given.iloc[pos], expected.iloc[pos]
    g_missing, e_missing = bool(pd.isna(g)), bool(pd.isna(e))
    if g_missing:
        text = "your value is missing (empty)"
    elif e_missing:
        text = f"you gave {_show(g)}, but it should be missing (empty)"
    elif kind == "number":
        gf, ef = float(g), float(e)
        text = f"you gave {_show(g)}, which is {_direction(gf, ef)}"
    else:
        text = f"you gave {_show(g)}, which is not right"
    return text, (f"The expected value there is {_show(e)}." if reveal else None)


def _as_series(answer: Any, check_index: bool) -> pd.Series:
    if isinstance(answer, pd.Series):
        return answer
    if isinstance(answer, pd.DataFrame):
        raise _Problem(
            f"you gave {_describe(answer)}, but the answer is a single column (a Series); "
            "pick one column, for example table['profit']."
        )
    if not check_index and isinstance(answer, list | tuple | np.ndarray | pd.Index):
        return pd.Series(list(answer))
    raise _Problem(f"you gave {_describe(answer)}, but the answer is a pandas Series.")


def _norm_label(x: Any) -> Any:
    if isinstance(x, tuple):
        return tuple(_norm_item(v) for v in x)
    return _norm_item(x)


def check_series(
    answer: Any,
    expected: pd.Series,
    *,
    label: str,
    rel_tol: float = 1e-3,
    check_index: bool = True,
    check_order: bool = False,
    hint: str | None = None,
    reveal: bool = False,
) -> Passed:
    """Check a Series: same index labels (any order unless check_order) and same values.

    Numbers match within rel_tol; int vs float and category vs text don't count.
    With check_index=False values are compared by position and a list is accepted.
    """
    answered(answer, label)
    exp = expected if isinstance(expected, pd.Series) else pd.Series(expected)
    with _guard(label, hint, "a Series"):
        given = _as_series(answer, check_index)
        if check_index:
            e_keys = [_norm_label(k) for k in exp.index]
            g_keys = _harmonise([_norm_label(k) for k in given.index], e_keys)
            repeated = {k for k, n in Counter(g_keys).items() if n > 1}
            if repeated:
                raise _Problem(
                    f"the index of your Series repeats some labels ({_examples(repeated)}); "
                    "each should appear once."
                )
            missing, extra = set(e_keys) - set(g_keys), set(g_keys) - set(e_keys)
            if missing or extra:
                parts = []
                if missing:
                    parts.append(
                        f"lacks {_n(len(missing), 'label')} (for example {_examples(missing)})"
                    )
                if extra:
                    parts.append(
                        f"has {_n(len(extra), 'label')} it should not have "
                        f"(for example {_examples(extra)})"
                    )
                raise _Problem(f"the index of your Series {' and '.join(parts)}.")
            if check_order and g_keys != e_keys:
                raise _Problem("your Series has the right labels, but in the wrong order.")
            position = {k: i for i, k in enumerate(g_keys)}
            given = given.iloc[[position[k] for k in e_keys]]
        elif len(given) != len(exp):
            raise _Problem(
                f"your Series has {_n(len(given), 'value')}, but it should have "
                f"{'more' if len(given) < len(exp) else 'fewer'}."
            )
        bad = _mismatch(given, exp, rel_tol, "your Series")
        if not bad.any():
            return _correct(label)
        pos = int(np.flatnonzero(bad)[0])
        text, shown = _value_problem(given, exp, pos, _kind(exp), reveal)
        where = f"for {_show(exp.index[pos])}" if check_index else f"at position {pos + 1}"
        wrong = int(bad.sum())
        count = f"{wrong} of {len(exp)} values {_are(wrong)} wrong"
        problem = f"{count}; the first is the one {where}: {text}."
    raise _wrong(label, problem, hint, shown)


def _as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Named index levels become columns (a groupby result compares like its reset_index)."""
    if any(name is not None for name in frame.index.names):
        try:
            return frame.reset_index()
        except ValueError:  # an index level named like a column
            pass
    return frame.reset_index(drop=True)


def _sort_key(s: pd.Series) -> pd.Series:
    kind = _kind(s)
    if kind == "number":
        return pd.to_numeric(s).astype("float64")
    if kind == "date":
        return s
    return s.astype(object).map(lambda v: "" if _norm_text(v) is None else _norm_text(v))


def _sorted(frame: pd.DataFrame, columns: list[str], expected: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order: by the non-float columns first, then the float ones."""
    floats = [c for c in columns if pd.api.types.is_float_dtype(expected[c])]
    order = [c for c in columns if c not in floats] + floats
    keys = pd.DataFrame({f"k{i}": _sort_key(frame[c]) for i, c in enumerate(order)})
    index = keys.sort_values(list(keys.columns), kind="mergesort", na_position="last").index
    return frame.loc[index]


def _column_list(names: Iterable[Any]) -> str:
    return ", ".join(repr(str(n)) for n in names)


def check_frame(
    answer: Any,
    expected: pd.DataFrame,
    *,
    label: str,
    columns: Iterable[str] | None = None,
    rel_tol: float = 1e-3,
    sort: bool = True,
    hint: str | None = None,
    reveal: bool = False,
) -> Passed:
    """Check a table: its columns, its number of rows, then its values column by column.

    columns: only these must be present and right (others are allowed); by
    default all of the expected columns, and no others. Named index levels count
    as columns. sort=True ignores row order. int vs float and category vs text
    don't count. A wrong value is told by column and row.
    """
    answered(answer, label)
    if not isinstance(expected, pd.DataFrame):
        raise TypeError("check_frame: expected must be a pandas DataFrame")
    exp = _as_columns(expected)
    cols = list(exp.columns) if columns is None else list(columns)
    unknown = [c for c in cols if c not in exp.columns]
    if unknown:
        raise ValueError(f"check_frame: columns {unknown} are not in the expected table")
    with _guard(label, hint, "a table"):
        if isinstance(answer, pd.Series):
            raise _Problem(
                f"you gave a single column (a Series), but the answer is a table (DataFrame) "
                f"with the columns {_column_list(cols)}."
            )
        if not isinstance(answer, pd.DataFrame):
            raise _Problem(f"you gave {_describe(answer)}, but the answer is a table (DataFrame).")
        given = _as_columns(answer)
        dupes = list(dict.fromkeys(given.columns[given.columns.duplicated()]))
        if dupes:
            raise _Problem(f"your table has more than one column named {_column_list(dupes)}.")
        missing = [c for c in cols if c not in given.columns]
        extra = [c for c in given.columns if c not in exp.columns] if columns is None else []
        if missing or extra:
            raise _Problem(_columns_problem(missing, extra))
        if len(given) != len(exp):
            raise _Problem(
                f"your table has {_n(len(given), 'row')}, but it should have "
                f"{'more' if len(given) < len(exp) else 'fewer'}."
            )
        given, exp = given[cols], exp[cols]
        if sort:
            given, exp = _sorted(given, cols, exp), _sorted(exp, cols, exp)
        bad = {c: _mismatch(given[c], exp[c], rel_tol, f"column '{c}'") for c in cols}
        wrong_cols = [c for c in cols if bad[c].any()]
        if not wrong_cols:
            return _correct(label)
        col = wrong_cols[0]
        pos = int(np.flatnonzero(bad[col])[0])
        text, shown = _value_problem(given[col], exp[col], pos, _kind(exp[col]), reveal)
        wrong = int(bad[col].sum())
        problem = (
            f"in column '{col}', {wrong} of {len(exp)} values {_are(wrong)} wrong; "
            f"the first is {_row_name(given, exp, cols, bad, pos)}: {text}."
        )
    raise _wrong(label, problem, hint, shown)


def _columns_problem(missing: list[Any], extra: list[Any]) -> str:
    """Which columns are missing or extra; a column named in the wrong case is a rename."""
    parts = []
    for m in list(missing):
        twin = next((x for x in extra if str(x).strip().casefold() == str(m).casefold()), None)
        if twin is not None:
            parts.append(f"the column {str(twin)!r} should be named {str(m)!r}")
            missing.remove(m)
            extra.remove(twin)
    if missing:
        parts.append(f"your table lacks {_n(len(missing), 'column')} {_column_list(missing)}")
    if extra:
        columns = _n(len(extra), "column")
        parts.append(f"your table has {columns} that should not be there: {_column_list(extra)}")
    return "; ".join(parts) + "."


def _row_name(
    given: pd.DataFrame, exp: pd.DataFrame, cols: list[str], bad: dict[str, np.ndarray], pos: int
) -> str:
    """'in the row where customer_id is 'C0004'' or 'in row 5 of your table'."""
    for c in cols:
        is_id = _kind(exp[c]) != "number" or pd.api.types.is_integer_dtype(exp[c])
        if is_id and not bad[c].any() and exp[c].is_unique:
            return f"in the row where {c} is {_show(exp[c].iloc[pos])}"
    return f"in row {int(given.index[pos]) + 1} of your table"


# --- custom checks -----------------------------------------------------------------------


def check_true(condition: Any, *, label: str, message: str, hint: str | None = None) -> Passed:
    """A custom check: right if condition holds (for a Series or array: every value holds).

    message says, in the exercise's words, what is wrong when it does not hold.
    """
    answered(condition, label)
    with _guard(label, hint, "a yes/no condition"):
        if isinstance(condition, pd.Series | pd.DataFrame | pd.Index | np.ndarray):
            holds = bool(np.asarray(condition, dtype=bool).all())
        else:
            holds = bool(condition)
        if holds:
            return _correct(label)
    raise _wrong(label, message, hint)


# A letter typed without quotes (`answer = b`) gets one friendly line instead of a NameError's
# traceback. Installed here because every exercise's set-up cell imports the checks.
unquoted_letters.install()
