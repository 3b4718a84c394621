"""Simulated arrays turned into typed frames in the column order of the data dictionary.

The columns, their types and the enum labels come from `crmkit.datasets.schema`, so the
generator writes exactly what validation and loading later expect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.datasets.schema import table


def frame(name: str, columns: dict[str, object]) -> pd.DataFrame:
    """Table `name` from its columns; enum codes become their labels, all text is `str`."""
    data = {}
    for f in table(name).fields:
        values = columns[f.name]
        enum = f.constraints.enum
        if enum is not None:
            codes = np.asarray(values)
            if codes.dtype.kind in "iu":
                codes = np.array(enum, dtype=object)[codes]
            data[f.name] = pd.array(codes.astype(object), dtype="str")
        elif f.type == "string":
            data[f.name] = pd.array(np.asarray(values, dtype=object), dtype="str")
        elif f.type in ("date", "datetime"):
            data[f.name] = pd.array(np.asarray(values).astype("datetime64[ns]"))
        else:
            data[f.name] = values
    return pd.DataFrame(data)


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Row ids such as C00001: the prefix and 1..n, zero-padded to `width` (or more if needed)."""
    width = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def cents(x: np.ndarray) -> np.ndarray:
    """Yuan rounded to whole cents as integers, so sums of money stay exact."""
    return np.round(np.asarray(x, dtype=np.float64) * 100.0).astype(np.int64)


def labels(name: str, column: str) -> tuple[str, ...]:
    """The enum labels of `column` in table `name`, in schema order (what the codes index)."""
    enum = table(name).field(column).constraints.enum
    if enum is None:
        raise KeyError(f"{name}.{column} has no enum in the data dictionary")
    return enum
