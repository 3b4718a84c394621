"""The complaint log on disk: a CSV file that never loses a record.

A trainer's class appends complaints from several kernels at once, and a kernel can die
in the middle of a write. So every append:

- takes a lock (a `<log>.lock` file beside the log, held with `filelock`: the operating
  system releases it when the holding process dies, so a killed writer never leaves the
  log locked), and says so in a sentence when another writer holds it too long;
- writes the whole new log to a temporary file in the same folder, flushes and syncs it,
  then replaces the log with it in one step (`os.replace`), and syncs the folder: a crash
  at any moment leaves either the old log or the new one, never half a file;
- refuses rows whose columns do not match the log's header, writing nothing;
- removes the temporary files of writers that died mid-write (under the lock, no living
  writer has one).

What a valid complaint is (the eight-point record of CO4, ids, channel, cause, times) is
checked before rows reach this module; this module only keeps what it is given.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from crmkit.errors import CrmkitError

#: How long an append waits for another writer before it gives up, in seconds.
LOCK_TIMEOUT = 10.0


class LogBusy(CrmkitError):
    """Another writer held the log's lock longer than the append could wait."""


def lock_path(log: Path) -> Path:
    """The lock file beside a log (`complaints.csv` -> `complaints.csv.lock`)."""
    return log.with_name(log.name + ".lock")


Rows = Sequence[Mapping[str, object]]


def append_rows(
    log: str | os.PathLike,
    rows: Rows | Callable[[list[dict[str, str]]], Rows],
    columns: Sequence[str],
    *,
    timeout: float = LOCK_TIMEOUT,
) -> int:
    """Append `rows` (one mapping per row, keyed by `columns`) to the CSV file `log`, and
    return how many rows the log holds afterwards.

    A new log starts with the header `columns`; an existing one must have exactly that
    header. Values are written as text (None as an empty cell). Nothing is written when a
    row has a column the log lacks or lacks one it has, or when the lock cannot be had
    within `timeout` seconds (LogBusy).

    `rows` may instead be a function called while the lock is held, with the log's rows
    (text cells; none for a new log), that returns the rows to append: so a new id can be
    chosen, or a duplicate refused, with no other writer in between. What it raises
    propagates and nothing is written.
    """
    path = Path(log)
    header = [str(c) for c in columns]
    if not header or len(set(header)) != len(header):
        raise CrmkitError(f"the log's columns must be named once each; got {header}")
    if not callable(rows):
        _check_rows(path, header, rows)  # refused before the lock is even asked for
    try:
        with FileLock(lock_path(path), timeout=timeout):
            return _append_locked(path, header, rows)
    except Timeout:
        raise LogBusy(
            f"{path.name} is being written by another kernel or command (its lock, "
            f"{lock_path(path).name}, was held for more than {timeout:g} s); nothing was "
            "written: try again in a moment"
        ) from None


def _check_rows(path: Path, header: list[str], rows: Rows) -> None:
    for number, row in enumerate(rows, start=1):
        extra = [k for k in row if k not in header]
        missing = [c for c in header if c not in row]
        if extra or missing:
            raise CrmkitError(
                f"{path.name}: row {number} to append "
                + (f"has columns the log does not: {extra}" if extra else "")
                + ("; " if extra and missing else "")
                + (f"lacks the columns {missing}" if missing else "")
                + "; nothing was written"
            )


def _append_locked(path: Path, header: list[str], rows) -> int:
    # writers make temporary files only while they hold the lock, so any found now was
    # left by a writer that died mid-write: the log itself is whole, the leftover is clutter
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
    old = path.read_bytes() if path.exists() else b""
    if old:
        first = old.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
        found = next(csv.reader([first]), [])
        if found != header:
            raise CrmkitError(
                f"{path.name}: its header is {found}, not the log's columns {header}; "
                "nothing was written"
            )
        if not old.endswith(b"\n"):
            raise CrmkitError(
                f"{path.name}: its last line is cut short (not written by crmkit?); fix "
                "or remove that line first; nothing was written"
            )
    if callable(rows):
        existing = csv.DictReader(io.StringIO(old.decode("utf-8-sig"))) if old else []
        rows = rows([dict(r) for r in existing])
    _check_rows(path, header, rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if not old:
        writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in header])
    new = old + text.getvalue().encode("utf-8")
    _replace(path, new)
    return sum(1 for _ in csv.reader(io.StringIO(new.decode("utf-8-sig")))) - 1


def _replace(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, sync it, and put it in place in
    one step; then sync the folder, so the replacement itself survives a power cut."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # Windows cannot open a folder to sync it; its replace is atomic
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
