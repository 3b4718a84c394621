"""The complaints table: each complaint's eight-point record written out in words (CO4).

What happened, how, with which product, why the customer was disappointed, which staff member
was involved and what else was wrong are picked from per-cause wordings in `words.csv`, so a
learner reading the records can sort them by cause as the nine causes of CO5 allow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.datasets.generate.complaints import Complaints
from crmkit.datasets.generate.frames import frame, ids, labels
from crmkit.datasets.generate.period import END_MINUTE, as_minutes
from crmkit.datasets.generate.words import keyed, words

_NEW_DAYS = 183  # a customer who joined less than six months before is 'new'


def _by_cause(r: np.random.Generator, cause: np.ndarray, name: str) -> np.ndarray:
    """One wording of list `name` per complaint, drawn among those of its cause."""
    lists = keyed(name, labels("complaints", "cause"))
    lens = np.array([len(x) for x in lists])
    flat = np.array([s for x in lists for s in x], dtype=object)
    start = np.cumsum(lens) - lens
    return flat[start[cause] + np.floor(r.random(len(cause)) * lens[cause]).astype(np.int64)]


def complaints_table(
    r: np.random.Generator, complaints: Complaints, cid: np.ndarray, join_day: np.ndarray
) -> pd.DataFrame:
    """The complaints table in order of opening, with texts drawn from the stream `r`."""
    q = complaints.take(np.lexsort((complaints.customer, complaints.opened)))
    nq = len(q.customer)
    pairs = keyed("staff_role", labels("complaints", "cause"))
    roles = np.array([role for pair in pairs for role in pair], dtype=object)
    role = roles[2 * q.cause + (r.random(nq) < 0.5)]
    staff_names = words("staff_name")
    staff = np.array(staff_names, dtype=object)[r.integers(0, len(staff_names), nq)]
    other_causes = words("other_cause")
    other = np.array(other_causes, dtype=object)[r.integers(0, len(other_causes), nq)]
    other = np.where(r.random(nq) < 0.35, other, None)
    what = _by_cause(r, q.cause, "what_happened")
    how = _by_cause(r, q.cause, "how_it_happened")
    product = _by_cause(r, q.cause, "product")
    why = _by_cause(r, q.cause, "why_disappointed")
    is_new = q.opened // 1440 - join_day[q.customer] < _NEW_DAYS
    satisfied = np.where(q.asked, np.where(q.satisfied, 1.0, 0.0), np.nan)
    return frame(
        "complaints",
        {
            "complaint_id": ids("Q", nq, 6),
            "customer_id": cid[q.customer],
            "opened_at": as_minutes(q.opened),
            "channel": q.channel,
            "cause": q.cause,
            "what_happened": what,
            "how_it_happened": how,
            "product": product,
            "why_disappointed": why,
            "staff_member": role + " " + staff,
            "other_causes": other,
            "customer_reasonable": q.reasonable,
            "desired_resolution": q.resolution,
            "customer_status": np.where(is_new, 0, 1),
            "first_response_at": as_minutes(q.first_response),
            "resolved_at": as_minutes(np.minimum(q.resolved, END_MINUTE), q.unresolved),
            "reopened": q.reopened,
            "compensation": q.compensation,
            "resolution_satisfied": pd.array(
                np.where(np.isnan(satisfied), None, satisfied == 1.0), dtype="boolean"
            ),
        },
    )
