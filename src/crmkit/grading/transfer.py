"""Carry answer values out of a student's kernel as plain data, so they are checked outside it.

A test cell's check must not run where the student's code runs: there,
`check_answer`, builtins and pandas can all be redefined. So the kernel only
*sends* its answers: `emit` (run inside the kernel) turns each value into
tagged JSON, and `decode` (run in the grader) rebuilds it from data alone.
Nothing is ever unpickled or evaluated, so a hostile value can at most be
wrong: an object that claims to equal everything arrives as the plain number,
string or table it really holds, or as an `Opaque` stand-in that equals nothing.

Functions cannot travel as data. `emit` keeps each answer function in the
kernel and sends its name and signature; the grader calls it through
`call_batch`, which runs the function on the arguments the grader chose and
sends back the results (or the error raised), again as data.

Why our own format: pickle runs code when loaded, and JSON alone cannot tell a
tuple from a list, a set from a list, NaN from None, or carry numpy and pandas
types, all of which the answer checks look at.
"""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import math
from collections.abc import Callable
from typing import Any

#: Mime type of the bundle an export or call cell displays; the grader reads only this.
MIME = "application/vnd.crmkit.answers+json"
#: Deepest nesting carried; deeper structures are cut into Opaque (a guard against cycles).
MAX_DEPTH = 40
#: The dataclasses an answer may be, by qualified name; rebuilt field by field from data.
DATACLASSES = {"crmkit.key_accounts.AccountPlan"}


class _Missing:
    """Marks a name the student never defined (the check then meets a NameError, as in nbgrader)."""

    def __repr__(self) -> str:
        return "<not defined>"


MISSING = _Missing()


@dataclasses.dataclass(frozen=True)
class Opaque:
    """A value of a type the grader does not rebuild: it equals nothing and is no number."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


@dataclasses.dataclass(frozen=True)
class FunctionRef:
    """An answer function left in the kernel: where to find it and how it is called."""

    question: str
    name: str
    signature: str


@dataclasses.dataclass(frozen=True)
class Raised:
    """What a student's function raised when the grader called it."""

    type_name: str
    message: str


# --- encoding (runs in the student's kernel) ---------------------------------------------


def encode(value: Any, depth: int = 0) -> Any:
    """Tagged JSON for a value: exact for Python, numpy and pandas data, Opaque otherwise."""
    import numpy as np
    import pandas as pd

    if depth > MAX_DEPTH:
        return {"~": "opaque", "type": type(value).__name__, "text": "nested too deeply"}
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is int:
        return {"~": "int", "v": str(value)}
    if kind is float:
        return _float(value)
    if kind is str:
        return value
    if value is Ellipsis:
        return {"~": "ellipsis"}
    if value is MISSING:
        return {"~": "missing"}
    if kind in (list, tuple, set, frozenset):
        items = [encode(v, depth + 1) for v in value]
        if kind in (set, frozenset):
            items.sort(key=lambda x: json.dumps(x, sort_keys=True))
        return {"~": kind.__name__, "v": items}
    if kind is dict:
        pairs = [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]
        return {"~": "dict", "v": pairs}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return {"~": "np", "dtype": value.dtype.str, "v": encode(value.item(), depth + 1)}
    if kind is np.ndarray:
        return {"~": "ndarray", "dtype": str(value.dtype),
                "v": [encode(v, depth + 1) for v in value.ravel().tolist()],
                "shape": list(value.shape)}  # fmt: skip
    if kind is pd.Series:
        return {"~": "series", "name": encode(value.name, depth + 1), "dtype": str(value.dtype),
                "index": _index(value.index, depth), "v": _values(value, depth)}  # fmt: skip
    if kind is pd.DataFrame:
        columns = [
            {"dtype": str(value.iloc[:, i].dtype), "v": _values(value.iloc[:, i], depth)}
            for i in range(value.shape[1])
        ]
        return {"~": "frame", "index": _index(value.index, depth), "columns": columns,
                "column_index": _index(value.columns, depth)}  # fmt: skip
    if isinstance(value, pd.Index) and kind.__module__.startswith("pandas"):
        return _index(value, depth - 1)
    if kind is pd.Timestamp:
        return {"~": "timestamp", "v": value.isoformat()}
    if kind is pd.Timedelta:
        return {"~": "timedelta", "v": int(value.value)}
    if kind is bytes:
        return {"~": "bytes", "v": base64.b64encode(value).decode("ascii")}
    name = f"{kind.__module__}.{kind.__qualname__}"
    if dataclasses.is_dataclass(value) and name in DATACLASSES:
        fields = {
            f.name: encode(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)
        }
        return {"~": "dataclass", "type": name, "v": fields}
    return {"~": "opaque", "type": kind.__name__, "text": _short_repr(value)}


def _float(value: float) -> Any:
    if math.isfinite(value):
        return {"~": "float", "v": value.hex()}  # hex keeps every bit
    return {"~": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _values(series: Any, depth: int) -> list:
    return [encode(v, depth + 2) for v in series.astype(object).tolist()]


def _index(index: Any, depth: int) -> dict:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return {"~": "multiindex", "names": [encode(n, depth + 1) for n in index.names],
                "v": [encode(tuple(t), depth + 1) for t in index.tolist()]}  # fmt: skip
    if isinstance(index, pd.RangeIndex):
        return {"~": "range", "start": index.start, "stop": index.stop, "step": index.step,
                "name": encode(index.name, depth + 1)}  # fmt: skip
    return {"~": "index", "name": encode(index.name, depth + 1), "dtype": str(index.dtype),
            "v": [encode(v, depth + 2) for v in index.astype(object).tolist()]}  # fmt: skip


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a repr that raises is the student's problem, not the grader's
        text = "?"
    return text[:200]


# --- in the kernel: what export and call cells run ---------------------------------------

_FUNCTIONS: dict[tuple[str, str], Callable[..., Any]] = {}


def _signature(func: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(func))
    except (TypeError, ValueError):
        return "(...)"


def emit(question: str, values: dict[str, Any]) -> None:
    """Display the answers a check needs, as data; keep answer functions here to be called."""
    from IPython.display import display

    payload = {}
    for name, value in values.items():
        if callable(value) and not isinstance(value, type):
            _FUNCTIONS[(question, name)] = value
            payload[name] = {"~": "function", "signature": _signature(value)}
        else:
            payload[name] = encode(value)
    display({MIME: json.dumps({"question": question, "values": payload})}, raw=True)


def call_batch(question: str, name: str, calls_json: str) -> None:
    """Call a kept answer function on each (args, kwargs) and display the results as data."""
    from IPython.display import display

    func = _FUNCTIONS.get((question, name))
    results = []
    for args_enc, kwargs_enc in json.loads(calls_json):
        try:
            if func is None:
                raise NameError(f"name '{name}' is not defined")
            args, kwargs = decode(args_enc), decode(kwargs_enc)
            results.append({"ok": encode(func(*args, **kwargs))})
        except BaseException as err:  # noqa: BLE001  (a student's function may raise anything)
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            results.append({"raised": type(err).__name__, "message": _short_repr(str(err))})
    display({MIME: json.dumps({"question": question, "results": results})}, raw=True)


# --- decoding (runs in the grader) --------------------------------------------------------


def decode(data: Any) -> Any:
    """Rebuild a value from `encode`'s output, from data alone (no code is run)."""
    if data is None or isinstance(data, bool | str):
        return data
    if isinstance(data, int | float):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or "~" not in data:
        return Opaque("unknown", str(data)[:200])
    tag = data["~"]
    builder = _DECODERS.get(tag)
    if builder is None:
        return Opaque(str(tag), "")
    try:
        return builder(data)
    except Exception as err:  # malformed data from a tampered kernel: an unusable answer
        return Opaque(str(tag), f"could not be read back ({type(err).__name__})")


def _dec_float(d: dict) -> float:
    v = d["v"]
    return float(v) if v in ("nan", "inf", "-inf") else float.fromhex(v)


def _dec_np(d: dict) -> Any:
    import numpy as np

    dtype = np.dtype(d["dtype"])
    if dtype.kind in "OV":
        raise ValueError("no object scalars")
    return dtype.type(decode(d["v"]))


def _dec_ndarray(d: dict) -> Any:
    import numpy as np

    values = [decode(v) for v in d["v"]]
    dtype = _safe_dtype(d["dtype"])
    arr = np.array(values, dtype=object)
    return (arr.astype(dtype) if dtype is not None else arr).reshape(d["shape"])


def _safe_dtype(name: str) -> Any:
    """A numpy or pandas dtype by its name, or None for object (never a user-defined type)."""
    import pandas as pd

    if name == "object":
        return None
    try:
        dtype = pd.api.types.pandas_dtype(name)  # looks names up; it never imports or runs code
    except (TypeError, ValueError):
        return None
    import numpy as np

    return None if isinstance(dtype, np.dtype) and dtype.kind in "OV" else dtype


def _dec_index(d: dict) -> Any:
    import pandas as pd

    tag = d["~"]
    if tag == "range":
        return pd.RangeIndex(d["start"], d["stop"], d["step"], name=decode(d["name"]))
    if tag == "multiindex":
        return pd.MultiIndex.from_tuples([decode(t) for t in d["v"]], names=decode_list(d["names"]))
    values = [decode(v) for v in d["v"]]
    index = pd.Index(values, dtype=object, name=decode(d["name"]))
    return _as_dtype(index, d["dtype"])


def decode_list(items: list) -> list:
    """Decode each element of a list."""
    return [decode(v) for v in items]


def _as_dtype(obj: Any, name: str) -> Any:
    dtype = _safe_dtype(name)
    if dtype is None:
        return obj.infer_objects() if hasattr(obj, "infer_objects") else obj
    try:
        return obj.astype(dtype)
    except (TypeError, ValueError):
        return obj


def _dec_series(d: dict) -> Any:
    import pandas as pd

    s = pd.Series([decode(v) for v in d["v"]], index=_dec_index(d["index"]), dtype=object,
                  name=decode(d["name"]))  # fmt: skip
    return _as_dtype(s, d["dtype"])


def _dec_frame(d: dict) -> Any:
    import pandas as pd

    index = _dec_index(d["index"])
    columns = [
        _as_dtype(pd.Series([decode(v) for v in c["v"]], index=index, dtype=object), c["dtype"])
        for c in d["columns"]
    ]
    frame = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=index)
    frame.columns = _dec_index(d["column_index"])
    return frame


def _dec_dataclass(d: dict) -> Any:
    import importlib

    name = d["type"]
    if name not in DATACLASSES:
        return Opaque(name.rsplit(".", 1)[-1], "")
    module, _, qualname = name.rpartition(".")
    cls = getattr(importlib.import_module(module), qualname)
    return cls(**{k: decode(v) for k, v in d["v"].items()})


def _dec_timestamp(d: dict) -> Any:
    import pandas as pd

    return pd.Timestamp(d["v"])


def _dec_timedelta(d: dict) -> Any:
    import pandas as pd

    return pd.Timedelta(int(d["v"]))


_DECODERS: dict[str, Callable[[dict], Any]] = {
    "int": lambda d: int(d["v"]),
    "float": _dec_float,
    "ellipsis": lambda d: Ellipsis,
    "missing": lambda d: MISSING,
    "list": lambda d: decode_list(d["v"]),
    "tuple": lambda d: tuple(decode_list(d["v"])),
    "set": lambda d: set(decode_list(d["v"])),
    "frozenset": lambda d: frozenset(decode_list(d["v"])),
    "dict": lambda d: {_hashable(decode(k)): decode(v) for k, v in d["v"]},
    "np": _dec_np,
    "ndarray": _dec_ndarray,
    "series": _dec_series,
    "frame": _dec_frame,
    "index": _dec_index,
    "range": _dec_index,
    "multiindex": _dec_index,
    "timestamp": _dec_timestamp,
    "timedelta": _dec_timedelta,
    "bytes": lambda d: base64.b64decode(d["v"]),
    "dataclass": _dec_dataclass,
    "opaque": lambda d: Opaque(str(d.get("type", "?")), str(d.get("text", ""))[:200]),
}


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return Opaque(type(key).__name__, repr(key)[:200])
    return key


def read_bundle(outputs: list) -> dict | None:
    """The answers bundle among a cell's outputs (the last one), or None if there is none."""
    found = None
    for out in outputs:
        data = out.get("data", {}) if isinstance(out, dict) else {}
        if MIME in data:
            try:
                raw = data[MIME]
                found = json.loads(raw) if isinstance(raw, str) else raw
            except (TypeError, ValueError):
                found = None
    return found if isinstance(found, dict) else None
