"""Time reading a CDNOW-sized .xlsx (69,659 orders x 4 columns): openpyxl, as crmkit read
workbooks before, against `read_table` (calamine) now. Prints both times; asserts nothing.

    python benchmarks/excel_read.py [--rounds 3]

The workbook is built in a temporary folder from ../shared/data/cdnow/CDNOW_master.txt
when that file is there (ids as text with their zeros, dates as Excel dates, CDs as whole
numbers, dollars as decimals), else from a synthetic frame of the same shape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from crmkit.datasets.read import _openpyxl_rows, read_table

CDNOW = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnow" / "CDNOW_master.txt"
ROWS = 69_659


def orders() -> pd.DataFrame:
    """CDNOW's orders, or a synthetic frame of the same size and column types."""
    if CDNOW.is_file():
        frame = pd.read_csv(CDNOW, sep=r"\s+", dtype={"customer_id": str})
        frame["date"] = pd.to_datetime(frame["date"].astype(str), format="%Y%m%d")
        return frame
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": [f"{i:05d}" for i in rng.integers(1, 23_571, ROWS)],
            "date": pd.Timestamp("1997-01-01") + pd.to_timedelta(rng.integers(0, 546, ROWS), "D"),
            "number_of_cds": rng.integers(1, 10, ROWS),
            "dollar_value": rng.integers(0, 30_000, ROWS) / 100,
        }
    )


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("orders")
    sheet.append(list(frame.columns))
    for cid, day, cds, dollars in frame.itertuples(index=False):
        sheet.append([cid, day.to_pydatetime(), int(cds), float(dollars)])
    book.save(path)


def best(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    """Build the workbook, check both readers give the same cells, print both times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    frame = orders()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.xlsx"
        write_xlsx(frame, path)
        raw, _ = read_table(path)
        old = _openpyxl_rows(path, "orders")
        assert raw.to_numpy().tolist() == old[1:], "openpyxl and calamine read different cells"
        size = path.stat().st_size / 1e6
        print(f"{len(raw):,} rows x {raw.shape[1]} columns, {size:.1f} MB ({dt.date.today()})")
        print(
            f"openpyxl (before): {best(lambda: _openpyxl_rows(path, 'orders'), args.rounds):.2f} s"
        )
        print(f"read_table (calamine): {best(lambda: read_table(path), args.rounds):.2f} s")


if __name__ == "__main__":
    main()
