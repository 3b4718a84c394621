"""The complaint log never loses a record: writers killed at random moments, writers at
the same time, rows that do not fit, and a lock held too long."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from crmkit import complaint_log as cl
from crmkit.errors import CrmkitError

COLUMNS = ["complaint_id", "customer_id", "what_happened"]


def row(i: int, text: str = "Delivery arrived a day late, again") -> dict:
    return {"complaint_id": f"Q{i:06d}", "customer_id": f"C{i % 97:05d}", "what_happened": text}


def read(log: Path) -> pd.DataFrame:
    return pd.read_csv(log, dtype=str, keep_default_na=False)


def test_appends_keep_every_row_and_quote_what_needs_it(tmp_path):
    log = tmp_path / "complaints.csv"
    assert cl.append_rows(log, [row(1)], COLUMNS) == 1
    tricky = 'Said "never again", then called back;\nasked for a refund, 5, 6'
    assert cl.append_rows(log, [row(2, tricky), row(3, "")], COLUMNS) == 3
    kept = read(log)
    assert list(kept.columns) == COLUMNS
    assert list(kept["complaint_id"]) == ["Q000001", "Q000002", "Q000003"]
    assert kept.loc[1, "what_happened"] == tricky and kept.loc[2, "what_happened"] == ""
    assert not list(tmp_path.glob(".complaints.csv.*.tmp"))  # no temporary file left


def test_rows_that_do_not_fit_are_refused_and_nothing_is_written(tmp_path):
    log = tmp_path / "complaints.csv"
    cl.append_rows(log, [row(1)], COLUMNS)
    before = log.read_bytes()
    wrong = {**row(2), "mood": "angry"}
    with pytest.raises(CrmkitError, match="row 2 to append has columns the log does not"):
        cl.append_rows(log, [row(3), wrong], COLUMNS)
    short = {k: v for k, v in row(4).items() if k != "customer_id"}
    with pytest.raises(CrmkitError, match=r"lacks the columns \['customer_id'\]"):
        cl.append_rows(log, [short], COLUMNS)
    with pytest.raises(CrmkitError, match="its header is .* not the log's columns"):
        cl.append_rows(
            log, [{"complaint_id": "Q9", "channel": "email"}], ["complaint_id", "channel"]
        )
    assert log.read_bytes() == before


def test_a_lock_held_too_long_gives_a_sentence_and_writes_nothing(tmp_path):
    log = tmp_path / "complaints.csv"
    cl.append_rows(log, [row(1)], COLUMNS)
    before = log.read_bytes()
    busy = pytest.raises(cl.LogBusy, match=r"complaints.csv is being written by another")
    with FileLock(cl.lock_path(log)), busy:  # another writer holds the lock
        cl.append_rows(log, [row(2)], COLUMNS, timeout=0.2)
    assert log.read_bytes() == before
    assert cl.append_rows(log, [row(2)], COLUMNS) == 2  # free again


def _writer(log: str, first: int, count: int) -> None:
    for i in range(first, first + count):
        cl.append_rows(log, [row(i)], COLUMNS, timeout=60)


def test_writers_at_the_same_time_lose_nothing(tmp_path):
    log = tmp_path / "complaints.csv"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_writer, args=(str(log), 1000 * k, 25)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    kept = read(log)
    expected = {f"Q{1000 * k + i:06d}" for k in range(4) for i in range(25)}
    assert len(kept) == 100 and set(kept["complaint_id"]) == expected


def test_writers_killed_at_random_moments_never_leave_a_broken_log(tmp_path):
    """Hundreds of writers, each killed (SIGKILL) after a random few milliseconds, some
    mid-write: after every one the log parses, keeps every row written before, and holds
    the new row whole or not at all; the next writer is never locked out."""
    log = tmp_path / "complaints.csv"
    cl.append_rows(log, [row(0)], COLUMNS)
    kept = ["Q000000"]
    rng = random.Random(2024)
    killed_mid_way = 0
    for i in range(1, 301):
        pid = os.fork()
        if pid == 0:  # the writer
            try:
                cl.append_rows(log, [row(i, "x" * rng.randrange(1, 4000))], COLUMNS, timeout=5)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, 0.004))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        ids = list(read(log)["complaint_id"])
        assert ids[: len(kept)] == kept, f"run {i}: an earlier record was lost"
        assert ids in (kept, [*kept, f"Q{i:06d}"]), f"run {i}: the new row is not whole"
        if len(ids) > len(kept):
            kept = ids
        elif os.WIFSIGNALED(status):
            killed_mid_way += 1
    # the test means something only if some writers died before they finished
    assert killed_mid_way > 20, killed_mid_way
    assert cl.append_rows(log, [row(999)], COLUMNS, timeout=1) == len(kept) + 1
    assert not list(tmp_path.glob(".complaints.csv.*.tmp"))  # the dead writers' leftovers
