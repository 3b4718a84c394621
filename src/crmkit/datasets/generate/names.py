"""Shop names: unique English-transliterated trading names such as "Lao Zhang Noodles".

Names carry no lesson signal of their own; they make customer lists read like a real
distributor's, and a trainer can point at a shop by name instead of by id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.datasets.generate.frames import labels
from crmkit.datasets.generate.words import keyed, words


def shop_names(r: np.random.Generator, fmt: np.ndarray) -> np.ndarray:
    """One unique name per shop of format code `fmt`, e.g. "Sunrise Kiosk 17".

    A family name ("Lao Zhang") or a lucky word ("Golden Harvest") is followed by a noun that
    fits the format; a second shop of the same name gets a branch number.
    """
    n = len(fmt)
    family = np.array([f"{a} {b}" for a in words("family_title") for b in words("surname")])
    lucky = np.array(words("name_word"))
    nouns_by_format = keyed("shop_noun", labels("customers", "business_format"))
    use_family = r.random(n) < 0.3
    first = np.where(
        use_family, family[r.integers(0, len(family), n)], lucky[r.integers(0, len(lucky), n)]
    )
    noun_idx = (r.random(n) * np.array([len(x) for x in nouns_by_format])[fmt]).astype(np.int64)
    nouns = np.array(
        [nouns_by_format[f][i] for f, i in zip(fmt.tolist(), noun_idx.tolist(), strict=True)]
    )
    base = pd.Series(np.char.add(np.char.add(first.astype(str), " "), nouns), dtype=object)
    dup = base.groupby(base, sort=False).cumcount().to_numpy()
    # a second shop of the same name gets a branch number, as chains and kiosks do
    number = dup + r.integers(2, 30, n)
    number = np.where(dup > 0, dup * 29 + number, 0)
    names = np.where(dup > 0, base + " " + pd.Series(number).astype(str), base)
    out = pd.Series(names, dtype=object)
    # numbering may still collide with a numbered base; fall back to a plain counter
    while out.duplicated().any():
        d = out.duplicated().to_numpy()
        out[d] = out[d] + " " + pd.Series(np.arange(d.sum()) + 2, index=out.index[d]).astype(str)
    return out.to_numpy()
