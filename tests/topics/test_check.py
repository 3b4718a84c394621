"""crmkit.check: right answers pass with one line, stubs say "not answered yet", wrong ones explain.

Every helper is tried with a right, a wrong, an unanswered and a wrong-type
answer. Messages must not give the expected answer away unless reveal=True,
nothing may go to stderr or raise a warning, and IPython (and a real kernel,
as nbgrader runs it) must show the friendly lines without a stack trace.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest

from crmkit import check
from crmkit.check import NotAnswered, WrongAnswer
from crmkit.errors import CrmkitError

LABEL = "share of customers giving 80% of profit"
NOT_ANSWERED = (
    f"Not answered yet: {LABEL}. Replace the ... with your answer and run the cell again."
)


@pytest.fixture(autouse=True)
def _no_warnings_no_stderr(capsys):
    """Every check in this file runs with warnings as errors and must leave stderr empty."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert capsys.readouterr().err == ""


def wrong(func, *args, **kwargs) -> str:
    """The message of the WrongAnswer the call raises (and check it renders as just that)."""
    with pytest.raises(WrongAnswer) as info:
        func(*args, **kwargs)
    err = info.value
    assert isinstance(err, AssertionError) and isinstance(err, CrmkitError)
    message = str(err)
    assert err._render_traceback_() == message.splitlines()
    assert message.startswith("Not quite (")
    assert "Traceback" not in message and "Error" not in message
    return message


def right(func, *args, capsys, label=LABEL, **kwargs) -> None:
    result = func(*args, label=label, **kwargs)
    assert isinstance(result, check.Passed) and result == True  # noqa: E712
    assert capsys.readouterr().out == f"✓ Correct: {label}.\n"


def test_passed_is_true_but_displays_nothing(capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    passed = check.check_number(1, 1, label="q")
    assert capsys.readouterr().out == "✓ Correct: q.\n"
    assert passed and passed == True and repr(passed) == "True"  # noqa: E712
    assert sum([passed, passed]) == 2
    shell = InteractiveShell.instance()
    # What a cell ending in the check shows (the display hook's formats) and what display() sends.
    assert shell.display_formatter.format(passed) == ({}, {})
    assert shell.display_formatter.format(True)[0] == {"text/plain": "True"}  # a plain True shows
    with capture_output() as shown:
        display(passed)
    assert shown.outputs == [] and shown.stdout == "" and shown.stderr == ""
    with capture_output() as shown:
        display(True)
    assert [o.data for o in shown.outputs] == [{"text/plain": "True"}]


# --- not answered ------------------------------------------------------------------------


@pytest.mark.parametrize("stub", [..., None, NotImplemented])
def test_answered_raises_not_answered_for_stubs(stub):
    with pytest.raises(NotAnswered) as info:
        check.answered(stub, LABEL)
    err = info.value
    assert isinstance(err, AssertionError) and isinstance(err, CrmkitError)
    assert str(err) == NOT_ANSWERED
    assert err._render_traceback_() == [NOT_ANSWERED]


def test_answered_returns_a_real_answer():
    assert check.answered(0, LABEL) == 0
    assert check.answered("", LABEL) == ""


def test_label_with_its_own_question_mark():
    with pytest.raises(NotAnswered, match=r"^Not answered yet: Which tier\? Replace"):
        check.answered(..., "Which tier?")


@pytest.mark.parametrize(
    ("helper", "expected"),
    [
        (check.check_number, 0.2),
        (check.check_choice, "B"),
        (check.check_set, ["C1"]),
        (check.check_series, pd.Series([1.0])),
        (check.check_frame, pd.DataFrame({"a": [1]})),
    ],
)
def test_every_helper_says_not_answered(helper, expected):
    with pytest.raises(NotAnswered, match="^Not answered yet"):
        helper(..., expected, label=LABEL)
    with pytest.raises(NotAnswered):
        helper(None, expected, label=LABEL)


def test_check_true_not_answered():
    with pytest.raises(NotAnswered):
        check.check_true(..., label=LABEL, message="x")


def test_call_turns_a_stub_function_into_not_answered(capsys):
    def raises(df):
        raise NotImplementedError()

    def only_dots(df): ...

    for stub in (raises, only_dots, ...):
        with pytest.raises(NotAnswered) as info:
            check.call(stub, 1, label=LABEL)
        assert str(info.value) == NOT_ANSWERED
    assert check.call(lambda x, y=0: x + y, 1, y=2, label=LABEL) == 3
    assert "function was expected" in wrong(check.call, 5, label=LABEL)
    with pytest.raises(ZeroDivisionError):  # the learner's own bug is theirs to see
        check.call(lambda: 1 / 0, label=LABEL)


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [0.2, 0.20001, np.float64(0.2), np.float32(0.2), pd.Series([0.2]), pd.DataFrame({"x": [0.2]})],
)
def test_number_right(answer, capsys):
    right(check.check_number, answer, 0.2, capsys=capsys)


def test_number_right_integers(capsys):
    right(check.check_number, 120, 120.0, capsys=capsys)
    right(check.check_number, np.int64(120), 120, capsys=capsys)
    right(check.check_number, 0.0, 0, capsys=capsys)
    right(check.check_number, 104, 100, capsys=capsys, abs_tol=5)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (0.35, "you gave 0.35, which is too high."),
        (0.05, "you gave 0.05, which is too low."),
        (0.1240, "close, but a little too high"),
        (12.34, "looks like a percentage; give it as a fraction between 0 and 1"),
        (-0.1234, "you gave -0.1234, which has the wrong sign."),
    ],
)
def test_number_wrong_gives_direction(answer, words):
    message = wrong(check.check_number, answer, 0.1234, label=LABEL, hint="rank customers first")
    assert words in message
    assert message.splitlines()[-1] == "Hint: rank customers first"
    assert "0.1234" not in message.replace(words, "")  # only as the learner's own -0.1234


def test_number_fraction_given_for_percentage():
    message = wrong(check.check_number, 0.4321, 43.21, label="percent of churned customers")
    assert "looks like a fraction; give it as a percentage" in message
    assert "43.21" not in message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("0.2", "looks like text, because of the quotes"),
        ("20%", "looks like text"),
        ("about a fifth", "you gave the text 'about a fifth', but the answer is a number"),
        (True, "True (a yes/no value)"),
        ([0.2, 0.3], "a list with 2 items, but the answer is a single number"),
        (pd.Series([0.1, 0.2]), "a Series with 2 values"),
        ({"a": 1}, "a dict with 1 item,"),
        (float("nan"), "NaN (a missing value)"),
        (print, "a function"),
        (object(), "you gave a object"),
    ],
)
def test_number_wrong_type(answer, words):
    message = wrong(check.check_number, answer, 0.2, label=LABEL)
    assert words in message


def test_number_reveal_only_when_asked():
    assert "987.65" not in wrong(check.check_number, 1000, 987.65, label=LABEL)
    message = wrong(check.check_number, 1000, 987.65, label=LABEL, reveal=True)
    assert message.splitlines()[-1] == "The expected answer is 987.65."


def test_number_big_values_are_readable():
    message = wrong(check.check_number, 1234567.891, 2_000_000, label="revenue")
    assert "1,234,567.89" in message and "2,000,000" not in message


# --- choices -----------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["stability", " Stability ", "STABILITY.", np.str_("stability")])
def test_choice_right_ignores_case_and_spaces(answer, capsys):
    right(check.check_choice, answer, "stability", capsys=capsys)


def test_choice_right_variants(capsys):
    right(check.check_choice, "stability  stage", "Stability stage", capsys=capsys)
    right(check.check_choice, "B", {"b", "c"}, capsys=capsys)
    right(check.check_choice, 3, "3", capsys=capsys)
    right(check.check_choice, ["B"], "B", capsys=capsys)
    right(check.check_choice, np.int64(2), 2, capsys=capsys)


def test_choice_wrong_does_not_reveal():
    message = wrong(check.check_choice, "decline", "formation", label=LABEL, hint="volume rises")
    assert "you chose 'decline', which is not the right answer" in message
    assert "formation" not in message
    revealed = wrong(check.check_choice, "decline", "formation", label=LABEL, reveal=True)
    assert revealed.splitlines()[-1] == "The expected answer is 'formation'."


def test_choice_outside_the_options():
    message = wrong(check.check_choice, "E", "B", label=LABEL, options=["A", "B", "C", "D"])
    assert "'E', which is not one of the options: 'A', 'B', 'C', 'D'" in message
    assert "not the right answer" in wrong(
        check.check_choice, "c", "B", label=LABEL, options=["A", "B", "C", "D"]
    )


def test_choice_wrong_type():
    assert "give just one answer" in wrong(check.check_choice, ["A", "B"], "B", label=LABEL)
    assert "not the right answer" in wrong(check.check_choice, 2.5, "B", label=LABEL)


# --- sets --------------------------------------------------------------------------------

IDS = ["C0001", "C0002", "C0003", "C0004", "C0005"]


@pytest.mark.parametrize(
    "answer",
    [
        IDS,
        set(IDS),
        tuple(reversed(IDS)),
        pd.Series(IDS),
        pd.Index(IDS),
        np.array(IDS),
        pd.Series(IDS, dtype="category"),
        (x for x in IDS),
        [*IDS, "C0001"],
    ],
)
def test_set_right(answer, capsys):
    right(check.check_set, answer, IDS, capsys=capsys)


def test_set_numbers_and_text_ids(capsys):
    right(check.check_set, [1, 2, 3], ["1", "2", "3"], capsys=capsys)
    right(check.check_set, ["1", "2"], [1, 2], capsys=capsys)
    right(check.check_set, pd.Series([1.0, 2.0]), [1, 2], capsys=capsys)


def test_set_wrong_counts_and_at_most_three_examples():
    answer = ["C0001", "C0009", "C0010", "C0011", "C0012"]
    message = wrong(check.check_set, answer, IDS, label="top customers", hint="sort first")
    assert "4 of the expected ids are missing (for example 'C0002', 'C0003', 'C0004', ...)" in (
        message
    )
    assert "4 of yours are not expected (for example 'C0009', 'C0010', 'C0011', ...)" in message
    assert "C0005" not in message and "C0012" not in message
    assert message.splitlines()[1] == "Hint: sort first"
    one = wrong(check.check_set, IDS[:-1], IDS, label="top customers")
    assert "1 of the expected ids is missing (for example 'C0005')." in one
    assert "C0005" in wrong(check.check_set, [], IDS, label="x", reveal=True).splitlines()[-1]


def test_set_wrong_type():
    assert "you gave the text 'C0001'" in wrong(check.check_set, "C0001", IDS, label=LABEL)
    assert "you gave the number 5" in wrong(check.check_set, 5, IDS, label=LABEL)
    table = pd.DataFrame({"customer_id": IDS})
    assert "give only the ids" in wrong(check.check_set, table, IDS, label=LABEL)
    by_index = pd.Series(range(5), index=IDS)
    assert "in the index of your Series" in wrong(check.check_set, by_index, IDS, label=LABEL)
    assert "wrong type" in wrong(check.check_set, [[1], {2: 3}], [1, 2], label=LABEL)


# --- series ------------------------------------------------------------------------------

PROFIT = pd.Series(
    [120.5, 80.25, -15.0, 3.0],
    index=pd.Index(["C0001", "C0002", "C0003", "C0004"], name="customer_id"),
    name="profit",
)


def test_series_right(capsys):
    right(check.check_series, PROFIT.sample(frac=1, random_state=3), PROFIT, capsys=capsys)
    right(check.check_series, PROFIT.rename("other"), PROFIT, capsys=capsys)
    counts = pd.Series([3, 1], index=["a", "b"])
    right(check.check_series, counts.astype(float), counts, capsys=capsys)
    right(check.check_series, counts.astype("Int64"), counts, capsys=capsys)
    tiers = pd.Series(["gold", "iron"], index=["C1", "C2"], dtype="category")
    right(check.check_series, tiers.astype(str), tiers, capsys=capsys)
    right(check.check_series, [3, 1], counts, capsys=capsys, check_index=False)
    with_nan = pd.Series([1.0, np.nan])
    right(check.check_series, with_nan.copy(), with_nan, capsys=capsys)


def test_series_wrong_value_names_the_label_not_the_answer():
    answer = PROFIT.copy()
    answer["C0002"] = 95.0
    message = wrong(check.check_series, answer, PROFIT, label="profit per customer")
    assert "1 of 4 values is wrong; the first is the one for 'C0002': you gave 95" in message
    assert "too high" in message and "80.25" not in message
    revealed = wrong(check.check_series, answer, PROFIT, label="x", reveal=True)
    assert revealed.splitlines()[-1] == "The expected value there is 80.25."


def test_series_wrong_index_and_length():
    message = wrong(check.check_series, PROFIT.iloc[:2], PROFIT, label=LABEL)
    assert "the index of your Series lacks 2 labels (for example 'C0003', 'C0004')" in message
    renamed = PROFIT.rename(index={"C0004": "C9999"})
    message = wrong(check.check_series, renamed, PROFIT, label=LABEL)
    assert "lacks 1 label" in message and "has 1 label it should not have" in message
    repeated = pd.concat([PROFIT, PROFIT.iloc[:1]])
    assert "repeats some labels ('C0001')" in wrong(check.check_series, repeated, PROFIT, label="x")
    message = wrong(check.check_series, [1, 2], PROFIT, label=LABEL, check_index=False)
    assert "has 2 values, but it should have more" in message
    shuffled = PROFIT.iloc[::-1]
    assert "wrong order" in wrong(check.check_series, shuffled, PROFIT, label="x", check_order=True)


def test_series_missing_value():
    answer = PROFIT.copy()
    answer["C0001"] = np.nan
    assert "your value is missing (empty)" in wrong(check.check_series, answer, PROFIT, label="x")


def test_series_wrong_type():
    table = PROFIT.to_frame()
    assert "a table (DataFrame) with 4 rows and 1 column," in wrong(
        check.check_series, table, PROFIT, label=LABEL
    )
    assert "but the answer is a pandas Series" in wrong(
        check.check_series, [1, 2, 3, 4], PROFIT, label=LABEL
    )
    as_text = PROFIT.astype(str)
    assert "holds text, but it should hold numbers" in wrong(
        check.check_series, as_text, PROFIT, label=LABEL
    )
    weird = pd.Series([{"a": 1}, [2], object(), None], index=PROFIT.index)
    assert "wrong type" in wrong(check.check_series, weird, PROFIT, label=LABEL)


# --- frames ------------------------------------------------------------------------------

TABLE = pd.DataFrame(
    {
        "customer_id": ["C0001", "C0002", "C0003", "C0004"],
        "tier": pd.Categorical(["gold", "iron", "iron", "lead"], ["gold", "iron", "lead"]),
        "orders": [12, 5, 5, 1],
        "profit": [120.5, 80.25, 40.0, -15.0],
    }
)


def test_frame_right_ignores_row_order_and_dtypes(capsys):
    answer = TABLE.iloc[[2, 0, 3, 1]].assign(
        tier=lambda d: d["tier"].astype(str), orders=lambda d: d["orders"].astype(float)
    )
    right(check.check_frame, answer, TABLE, capsys=capsys)
    right(check.check_frame, answer.set_index("customer_id"), TABLE, capsys=capsys)
    right(check.check_frame, TABLE, TABLE.set_index("customer_id"), capsys=capsys)
    extra = TABLE.assign(note="x")
    right(check.check_frame, extra, TABLE, capsys=capsys, columns=["customer_id", "profit"])
    grouped = TABLE.groupby("tier", observed=True)["profit"].sum().to_frame()
    right(check.check_frame, grouped.reset_index().iloc[::-1], grouped, capsys=capsys)


def test_frame_wrong_value_names_column_and_row():
    answer = TABLE.iloc[::-1].copy()
    answer.loc[answer["customer_id"] == "C0003", "profit"] = 55.5
    message = wrong(check.check_frame, answer, TABLE, label="profit table", hint="sum by customer")
    assert (
        "in column 'profit', 1 of 4 values is wrong; the first is in the row where "
        "customer_id is 'C0003': you gave 55.5, which is too high." in message
    )
    assert "40" not in message
    revealed = wrong(check.check_frame, answer, TABLE, label="x", reveal=True)
    assert revealed.splitlines()[-1] == "The expected value there is 40."


def test_frame_wrong_text_value_and_row_number():
    answer = TABLE.assign(tier=["gold", "gold", "iron", "lead"])
    message = wrong(check.check_frame, answer, TABLE, label=LABEL)
    assert "in column 'tier', 1 of 4 values is wrong" in message
    assert "customer_id is 'C0002': you gave 'gold', which is not right." in message
    no_id = TABLE[["tier", "profit"]]
    changed = no_id.assign(profit=[120.5, 80.25, 40.0, -20.0])
    message = wrong(check.check_frame, changed, no_id, label=LABEL, sort=False)
    assert "in row 4 of your table: you gave -20, which is too low." in message


def test_frame_sort_false_cares_about_order():
    message = wrong(check.check_frame, TABLE.iloc[::-1], TABLE, label=LABEL, sort=False)
    assert "in column 'customer_id', 4 of 4 values are wrong" in message


def test_frame_wrong_columns_and_rows():
    message = wrong(check.check_frame, TABLE.drop(columns="tier").assign(x=1), TABLE, label="t")
    assert "your table lacks 1 column 'tier'" in message
    assert "your table has 1 column that should not be there: 'x'" in message
    renamed = TABLE.rename(columns={"profit": "Profit"})
    assert "the column 'Profit' should be named 'profit'" in wrong(
        check.check_frame, renamed, TABLE, label="t"
    )
    assert "has 2 rows, but it should have more" in wrong(
        check.check_frame, TABLE.head(2), TABLE, label="t"
    )
    doubled = pd.concat([TABLE, TABLE])
    assert "should have fewer" in wrong(check.check_frame, doubled, TABLE, label="t")
    dupes = pd.concat([TABLE, TABLE[["profit"]]], axis=1)
    assert "more than one column named 'profit'" in wrong(
        check.check_frame, dupes, TABLE, label="t"
    )


def test_frame_wrong_type():
    message = wrong(check.check_frame, TABLE["profit"], TABLE, label=LABEL)
    assert "a single column (a Series), but the answer is a table (DataFrame)" in message
    assert "you gave a list with 2 items, but the answer is a table" in wrong(
        check.check_frame, [1, 2], TABLE, label=LABEL
    )
    as_text = TABLE.assign(profit=TABLE["profit"].astype(str))
    assert "column 'profit' holds text, but it should hold numbers" in wrong(
        check.check_frame, as_text, TABLE, label=LABEL
    )
    weird = TABLE.assign(orders=[{"a": 1}, [2], object(), None])
    assert "wrong type" in wrong(check.check_frame, weird, TABLE, label=LABEL)


def test_frame_author_mistakes_are_not_hidden():
    with pytest.raises(ValueError, match="not in the expected table"):
        check.check_frame(TABLE, TABLE, label="t", columns=["nope"])
    with pytest.raises(TypeError):
        check.check_frame(TABLE, TABLE["profit"], label="t")


# --- custom checks -----------------------------------------------------------------------


def test_check_true(capsys):
    right(check.check_true, 3 > 2, capsys=capsys, message="never shown")
    right(check.check_true, pd.Series([True, True]), capsys=capsys, message="never shown")
    message = wrong(
        check.check_true,
        pd.Series([True, False]),
        label=LABEL,
        message="every tier should have at least one customer.",
        hint="use value_counts",
    )
    assert message.splitlines() == [
        f"Not quite ({LABEL}): every tier should have at least one customer.",
        "Hint: use value_counts",
    ]
    assert "wrong type" in wrong(check.check_true, pd.NA, label=LABEL, message="m")


# --- in IPython and in a real kernel -----------------------------------------------------


def _run_in_ipython(code: str):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = shell.run_cell(code)
    return result, out.getvalue(), err.getvalue()


def test_ipython_shows_the_message_without_a_traceback():
    result, out, err = _run_in_ipython(
        "from crmkit import check\n"
        "check.check_number(0.35, 0.2, label='top share', hint='rank customers by profit')\n"
    )
    assert isinstance(result.error_in_exec, WrongAnswer)
    assert out == (
        "Not quite (top share): you gave 0.35, which is too high.\nHint: rank customers by profit\n"
    )
    assert "Traceback" not in out and err == ""
    result, out, err = _run_in_ipython("answer = ...\ncheck.check_number(answer, 0.2, label='q1')")
    assert isinstance(result.error_in_exec, NotAnswered)
    assert out.strip() == (
        "Not answered yet: q1. Replace the ... with your answer and run the cell again."
    )
    assert err == ""


def test_kernel_error_output_is_friendly():
    """As nbgrader runs a notebook: the error output holds the message only, stderr stays empty."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "from crmkit import check\nanswer = ...",
        "check.check_number(0.2, 0.2, label='q1')",
        "check.check_number(answer, 0.2, label='q2')",
        "check.check_set(['C1', 'C7'], ['C1', 'C2'], label='q3', hint='filter first')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    client.execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert outputs[0] == []
    assert [o.get("text") for o in outputs[1]] == ["✓ Correct: q1.\n"]
    (not_answered,) = outputs[2]
    assert not_answered.output_type == "error" and not_answered.ename == "NotAnswered"
    assert not_answered.traceback == [
        "Not answered yet: q2. Replace the ... with your answer and run the cell again."
    ]
    (wrong_set,) = outputs[3]
    assert wrong_set.ename == "WrongAnswer"
    assert wrong_set.traceback[0].startswith("Not quite (q3): 1 of the expected ids is missing")
    assert wrong_set.traceback[-1] == "Hint: filter first"
    for cell_outputs in outputs:
        for output in cell_outputs:
            assert output.get("name") != "stderr", output
            assert "Traceback" not in "".join(output.get("traceback", []))


# --- a letter typed without quotes ---------------------------------------------------------

PUT_IN_QUOTES = "Put the letter in quotes and run the cell again: "


def _letter_shell():
    from IPython.core.interactiveshell import InteractiveShell

    from crmkit import unquoted_letters

    shell = InteractiveShell.instance()
    shell.user_ns["check"] = check  # as the set-up cell imports it, whichever test ran first
    assert unquoted_letters.install(shell) is True
    assert unquoted_letters.install(shell) is True  # a second import changes nothing
    assert shell.events.callbacks["post_run_cell"].count(unquoted_letters._go_on) == 1
    return shell


def test_unquoted_letter_in_an_answer_cell_is_one_line_and_stays_unanswered():
    shell = _letter_shell()
    shell.user_ns["answer_q4"] = "a"  # an earlier answer must not be checked instead
    result, out, err = _run_in_ipython("answer_q4 = b\nanswer_q4")
    assert out == PUT_IN_QUOTES + 'answer_q4 = "b"\n' and err == ""
    assert result.success  # "Run All" goes on, as after an unanswered question
    assert shell.user_ns["answer_q4"] is Ellipsis
    result, out, err = _run_in_ipython("check.check_choice(answer_q4, 'b', label='q4')")
    assert isinstance(result.error_in_exec, NotAnswered) and out.startswith("Not answered yet")
    result, out, _ = _run_in_ipython("picks: list = [B, 'c', d]  # several letters")
    assert (
        out == 'Put the letters in quotes and run the cell again: picks: list = ["B", \'c\', "d"]\n'
    )
    result, out, _ = _run_in_ipython("first, second = a, (\n    1)")
    assert out == PUT_IN_QUOTES + 'write "a", not a\n'
    assert shell.user_ns["first"] is Ellipsis and shell.user_ns["second"] is Ellipsis


def test_unquoted_letter_where_a_check_runs_stays_an_error():
    """In a check cell or a function the line is the cell's error, so the check still fails."""
    _letter_shell()
    for code, shown in [
        ("check.check_choice(c, 'c', label='q')", "check.check_choice(\"c\", 'c', label='q')"),
        ("answer = e\nassert answer == 'e'", 'answer = "e"'),
        ("def pick():\n    return A\n\npick()", 'return "A"'),
    ]:
        result, out, err = _run_in_ipython(code)
        assert isinstance(result.error_in_exec, NameError), code
        assert out == PUT_IN_QUOTES + shown + "\n" and err == ""


def test_other_name_errors_keep_their_traceback():
    _letter_shell()
    for code, name in [("x = bb", "bb"), ("x = f", "f"), ("def g():\n    a += 1\n\ng()", "a")]:
        result, out, err = _run_in_ipython(code)
        assert isinstance(result.error_in_exec, NameError), code  # UnboundLocalError too
        assert "Traceback" in out and f"'{name}'" in out and "in quotes" not in out
        assert err == ""


def test_install_leaves_other_handlers_and_plain_python_alone():
    from crmkit import unquoted_letters

    class OtherToolsShell:
        custom_exceptions = (ValueError,)

        def set_custom_exc(self, *args):
            raise AssertionError("must not replace another tool's handler")

    assert unquoted_letters.install(OtherToolsShell()) is False
    assert unquoted_letters.install(object()) is False
    assert (
        unquoted_letters.advice_for(NameError("name 'zz' is not defined", name="zz"), None) is None
    )
    line, names = unquoted_letters.advice_for(NameError("x", name="c"), None)
    assert line == PUT_IN_QUOTES + 'write "c", not c.' and names is None


def test_kernel_goes_on_after_an_unquoted_letter():
    """As "Run All" runs an exercise: the answer cell prints one line and the run goes on."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    check_cell = nbformat.v4.new_code_cell(
        "check.check_choice(best, 'b', label='q2')", metadata={"tags": ["raises-exception"]}
    )
    cells = [
        nbformat.v4.new_code_cell("from crmkit import check  # as an exercise's set-up cell"),
        nbformat.v4.new_code_cell("best = b\nbest"),
        check_cell,
        nbformat.v4.new_code_cell("print('went on')"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    # allow_errors=False: an error reply outside the tagged check cell would stop the run here.
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    answer, checked, after = (cell.outputs for cell in nb.cells[1:])
    assert [(o.output_type, o.get("name"), o.get("text")) for o in answer] == [
        ("stream", "stdout", PUT_IN_QUOTES + 'best = "b"\n')
    ]
    assert [(o.output_type, o.get("ename")) for o in checked] == [("error", "NotAnswered")]
    assert after[0].text == "went on\n"
