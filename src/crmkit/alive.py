"""Is a quiet customer still a customer? The customer-base models applied to our own data.

The topic module of lesson 7. It turns the orders into the models' summary with a
calibration period and a holdout period taken from the data, fits BG/NBD, Pareto/NBD and
Gamma-Gamma (`customer_base_models`), checks the fits against the holdout, follows each
customer's probability of being alive month by month, compares it with the stage rules of
`lifecycle` as an early warning of decline (scored on the true stages where the data has
them), and ranks customers for a retention call by the value at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from crmkit.customer_base_models import bgnbd, clv, gamma_gamma, pareto_nbd
from crmkit.customer_base_models.fitting import FitResult
from crmkit.customer_base_models.summary import rfm_summary
from crmkit.errors import CrmkitError, MissingData
from crmkit.lifecycle import as_months

#: The models' time unit: weeks, the unit of the published CDNOW results.
UNIT_DAYS = 7.0
#: An average calendar month in days, for horizons and discounting by month.
MONTH_DAYS = 365.25 / 12
#: The transaction models by the name a lesson shows.
TRANSACTION_MODELS: dict[str, ModuleType] = {"BG/NBD": bgnbd, "Pareto/NBD": pareto_nbd}
#: The true stages that count as slipping away (decline) or gone (ended).
SLIPPING = ("decline", "ended")


@dataclass(frozen=True)
class ModelData:
    """The models' customer summary with the periods it was cut at, every time in weeks
    (`unit_days` days): calibration up to `calibration_end`, holdout after it up to
    `observation_end` (no holdout when the two are equal)."""

    summary: pd.DataFrame
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp
    unit_days: float = UNIT_DAYS

    @property
    def holdout_weeks(self) -> float:
        """The holdout period's length in the models' unit."""
        days = (self.observation_end - self.calibration_end).days
        return days / self.unit_days


def model_data(data, *, holdout_months: int = 12, unit_days: float = UNIT_DAYS) -> ModelData:
    """The summary of every customer who bought by the calibration end, from `data.orders`.

    The periods come from the data: the holdout is the last `holdout_months` months up to
    the analysis date, the calibration everything before. `holdout_months=0` gives the
    summary over all the data (for today's decisions), with no holdout columns.
    """
    if isinstance(holdout_months, bool) or not isinstance(holdout_months, int):
        raise CrmkitError(
            f"holdout_months must be a whole number of months; got {holdout_months!r}"
        )
    if holdout_months < 0:
        raise CrmkitError(f"holdout_months cannot be negative; got {holdout_months}")
    orders = data.orders
    if orders.empty:
        raise CrmkitError("the orders table is empty: there are no purchases to model")
    end = pd.Timestamp(data.analysis_date).normalize()
    first = pd.Timestamp(orders["order_date"].min()).normalize()
    cut = end - pd.DateOffset(months=holdout_months)
    if (cut - first).days < 180:
        raise MissingData(
            f"the data runs from {first:%Y-%m-%d} to {end:%Y-%m-%d}: after a holdout of "
            f"{holdout_months} months, less than half a year is left to fit the models on; "
            "use a shorter holdout or more history"
        )
    amount = "revenue" if "revenue" in orders.columns else None
    summary = rfm_summary(
        orders,
        amount=amount,
        unit_days=unit_days,
        calibration_end=cut,
        observation_end=end if holdout_months else None,
    )
    return ModelData(summary, cut, end, float(unit_days))


@dataclass(frozen=True)
class Fits:
    """The three fitted models of one summary."""

    bgnbd: FitResult
    pareto_nbd: FitResult
    gamma_gamma: FitResult

    def transactions(self, model: str) -> FitResult:
        """The BG/NBD or Pareto/NBD fit, by the name a lesson shows."""
        if model not in TRANSACTION_MODELS:
            raise CrmkitError(f"model must be one of {list(TRANSACTION_MODELS)}; got {model!r}")
        return self.bgnbd if model == "BG/NBD" else self.pareto_nbd


def fit_models(summary: pd.DataFrame) -> Fits:
    """BG/NBD and Pareto/NBD on every customer; Gamma-Gamma on the repeat buyers with a
    positive average spend (the only ones whose spend per purchase the data shows)."""
    spenders = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    return Fits(bgnbd.fit(summary), pareto_nbd.fit(summary), gamma_gamma.fit(spenders))


def model_comparison(fits: Fits) -> pd.DataFrame:
    """One row per transaction model: its log-likelihood, its parameters in words (mean
    purchase rate while alive, mean dropout) and the customers it was fitted on."""
    rows = {}
    for name in TRANSACTION_MODELS:
        fit = fits.transactions(name)
        p = fit.params
        if name == "BG/NBD":
            dropout = f"{p['a'] / (p['a'] + p['b']):.1%} chance of leaving after each purchase"
        else:
            dropout = f"{p['s'] / p['beta']:.1%} chance a week of leaving, on average"
        rows[name] = {
            "log-likelihood": fit.log_likelihood,
            "purchases a week while alive": p["r"] / p["alpha"],
            "dropout": dropout,
            "customers": fit.n,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def _module(fit: FitResult) -> ModuleType:
    for module in TRANSACTION_MODELS.values():
        if fit.model == module.MODEL:
            return module
    raise CrmkitError(f"need a BG/NBD or Pareto/NBD fit; got a {fit.model} fit")


def probability_alive(fit: FitResult, summary: pd.DataFrame) -> pd.Series:
    """Each customer's probability of still being a customer at the end of the summary's
    period, from a BG/NBD or Pareto/NBD fit."""
    module = _module(fit)
    alive = module.probability_alive(fit, summary["frequency"], summary["recency"], summary["T"])
    return pd.Series(np.asarray(alive, dtype=float), index=summary.index, name="p_alive")


def holdout_check(fit: FitResult, md: ModelData, top: int = 10) -> pd.DataFrame:
    """Predicted against actual purchases in the holdout period, by the customers' repeat
    purchases in calibration (0, 1, ..., `top`+): the calibration-versus-holdout check."""
    s = md.summary
    if "frequency_holdout" not in s:
        raise CrmkitError("this summary has no holdout period: make it with holdout_months > 0")
    module = _module(fit)
    predicted = module.conditional_expected_purchases(
        fit, s["duration_holdout"], s["frequency"], s["recency"], s["T"]
    )
    group = s["frequency"].clip(upper=top).astype(int)
    table = pd.DataFrame(
        {"predicted": np.asarray(predicted, dtype=float), "actual": s["frequency_holdout"]},
        index=s.index,
    ).groupby(group.to_numpy())
    out = pd.DataFrame(
        {
            "customers": table.size(),
            "actual": table["actual"].mean(),
            "predicted": table["predicted"].mean(),
        }
    )
    out.index = [str(i) if i < top else f"{top}+" for i in out.index]
    return out.rename_axis("repeat purchases in calibration")


def repeat_histogram(fit: FitResult, summary: pd.DataFrame, max_count: int = 7) -> pd.DataFrame:
    """How many customers made 0, 1, ..., `max_count`+ repeat purchases in the summary's
    period, actual against the model's expectation (the period-transaction histogram)."""
    module = _module(fit)
    model = module.purchase_count_distribution(fit, summary["T"], max_count)
    actual = summary["frequency"].clip(upper=max_count).astype(int).value_counts()
    actual = actual.reindex(range(max_count + 1), fill_value=0).to_numpy()
    return pd.DataFrame(
        {"actual": actual, "model": model.to_numpy()}, index=model.index
    ).rename_axis("repeat purchases")


def _frequency_recency(
    fit: FitResult, T: float, max_frequency: int, steps: int, values
) -> pd.DataFrame:
    """A frequency-recency matrix of `values(x, t_x, T)` (arrays in, array out) for a
    customer watched for `T` weeks: rows 0 to `max_frequency` repeat purchases, columns
    `steps` whole weeks from 0 to T from the first to the last purchase. A customer with no
    repeat purchase has recency 0 only; the rest of that row is empty."""
    if not T > 0:
        raise CrmkitError(f"T must be a positive number of weeks; got {T!r}")
    recency = np.minimum(np.round(np.linspace(0.0, float(T), steps)), float(T))  # whole weeks
    x, tx = np.meshgrid(np.arange(max_frequency + 1), recency, indexing="ij")
    tx[0] = 0.0  # no repeat purchase: recency is 0 by definition
    grid = np.asarray(values(x.ravel(), tx.ravel(), np.full(x.size, float(T))), dtype=float)
    grid = grid.reshape(x.shape)
    grid[0, 1:] = np.nan
    return pd.DataFrame(
        grid,
        index=pd.Index(range(max_frequency + 1), name="repeat purchases"),
        columns=pd.Index(recency, name="weeks from first to last purchase (right: bought lately)"),
    )


def alive_matrix(
    fit: FitResult, T: float, max_frequency: int = 20, steps: int = 11
) -> pd.DataFrame:
    """P(alive) for a customer watched for `T` weeks, by repeat purchases and recency (see
    `_frequency_recency` for the rows and columns)."""
    module = _module(fit)
    return _frequency_recency(
        fit, T, max_frequency, steps, lambda x, tx, age: module.probability_alive(fit, x, tx, age)
    )


def purchases_matrix(
    fit: FitResult, T: float, weeks: float, max_frequency: int = 20, steps: int = 11
) -> pd.DataFrame:
    """The purchases to expect in the next `weeks` weeks from a customer watched for `T`
    weeks, by repeat purchases and recency: the frequency-recency matrix of the
    customer-base literature (rows and columns as in `alive_matrix`)."""
    if not (isinstance(weeks, int | float) and 0 < weeks < np.inf):
        raise CrmkitError(
            f"weeks is the forecast horizon in weeks, a positive number; got {weeks!r}"
        )
    module = _module(fit)
    return _frequency_recency(
        fit,
        T,
        max_frequency,
        steps,
        lambda x, tx, age: module.conditional_expected_purchases(fit, float(weeks), x, tx, age),
    )


def alive_by_month(data, fit: FitResult, unit_days: float = UNIT_DAYS) -> pd.DataFrame:
    """Every customer's P(alive) at the end of every month of the data, from their first
    purchase on: customer_id, month (a monthly period) and p_alive.

    Each month end is read as if it were the analysis date, with the orders up to it. The
    fit's parameters describe the whole customer base; they are not refitted each month.
    """
    orders = data.orders
    start = pd.Timestamp(orders["order_date"].min()).to_period("M")
    last = pd.Timestamp(data.analysis_date).to_period("M")
    frames = []
    for month in pd.period_range(start, last, freq="M"):
        end = month.to_timestamp(how="end").normalize()
        upto = orders[orders["order_date"] <= end]
        if upto.empty:
            continue
        s = rfm_summary(upto, amount=None, unit_days=unit_days, calibration_end=end)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": s.index.astype(str),
                    "month": month,
                    "p_alive": probability_alive(fit, s).to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def customer_history(data, monthly: pd.DataFrame, customer_id: str) -> pd.DataFrame:
    """One customer's months from `alive_by_month`: month, p_alive and the orders the
    customer placed that month."""
    mine = monthly[monthly["customer_id"] == customer_id]
    if mine.empty:
        raise CrmkitError(f"{customer_id} has no purchases in the data, so no P(alive) history")
    orders = data.orders
    placed = orders.loc[orders["customer_id"] == customer_id, "order_date"].dt.to_period("M")
    counts = placed.value_counts()
    out = mine[["month", "p_alive"]].reset_index(drop=True)
    out["orders"] = counts.reindex(out["month"]).fillna(0).astype(int).to_numpy()
    return out


def silence_examples(summary: pd.DataFrame, weeks: float = 20.0) -> pd.DataFrame:
    """Two repeat buyers whose last purchase was about `weeks` weeks before the end of the
    summary's period (within one week): the most frequent and the least frequent of them.
    The same silence means different things for the two, which is the models' point."""
    silent = summary["T"] - summary["recency"]
    near = summary[(summary["frequency"] > 0) & ((silent - weeks).abs() <= 1.0)]
    if len(near) < 2:
        raise CrmkitError(f"fewer than two repeat buyers were last seen about {weeks:g} weeks ago")
    ranked = near.sort_values(["frequency", "T"], ascending=[False, False], kind="stable")
    pair = ranked.iloc[[0, -1]]
    return pd.DataFrame(
        {
            "repeat purchases": pair["frequency"].astype(int),
            "weeks as a customer": pair["T"],
            "weeks since the last purchase": (pair["T"] - pair["recency"]),
        }
    )


@dataclass(frozen=True)
class WarningScore:
    """How well each early-warning signal finds the customers who are slipping away."""

    table: pd.DataFrame  # one row per signal
    flags: pd.DataFrame  # customer-month rows: truth, slipping, rules and model flags


def warning_flags(
    stages: pd.DataFrame, alive: pd.DataFrame, truth: pd.DataFrame, threshold: float = 0.5
) -> pd.DataFrame:
    """Customer-months with both signals and the truth: `rules` where the stage rules read
    decline or ended, `model` where P(alive) is below `threshold`, and `slipping` where the
    true stage is decline or ended.

    Months after the first true ended month are left out: once a relationship has ended
    there is nothing left to warn about, and counting those easy months would flatter
    both signals.
    """
    if not 0 < threshold < 1:
        raise CrmkitError(f"threshold is a probability between 0 and 1; got {threshold!r}")
    if truth.empty:
        raise MissingData(
            "scoring the early warnings needs the true stages (lifecycle_truth.csv), which "
            "only simulated data has"
        )
    true = truth[["customer_id", "month", "stage"]].copy()
    true["month"] = as_months(true["month"])
    true = true.rename(columns={"stage": "true_stage"})
    frame = (
        stages[["customer_id", "month", "stage"]]
        .merge(alive, on=["customer_id", "month"])
        .merge(true, on=["customer_id", "month"])
        .sort_values(["customer_id", "month"], kind="stable")
    )
    ended = (frame["true_stage"].astype(str) == "ended").to_numpy()
    before = frame.assign(e=ended).groupby("customer_id")["e"].cumsum().to_numpy()
    frame = frame[(before == 0) | ((before == 1) & ended)].reset_index(drop=True)
    frame["slipping"] = frame["true_stage"].astype(str).isin(SLIPPING)
    frame["rules"] = frame["stage"].astype(str).isin(SLIPPING)
    frame["model"] = frame["p_alive"] < threshold
    return frame


def score_warnings(flags: pd.DataFrame) -> pd.DataFrame:
    """Per signal: the months it flagged; of those, the share truly slipping; of the true
    decline months, the share it flagged; and of the relationships that ended in the data,
    the share it flagged before their end, with the median months of warning."""
    decline = (flags["true_stage"].astype(str) == "decline").to_numpy()
    ending = (flags["true_stage"].astype(str) == "ended").to_numpy()
    ids = flags["customer_id"].to_numpy()
    ended_ids = pd.Index(ids[ending]).unique()
    month = flags["month"].dt.year.to_numpy() * 12 + flags["month"].dt.month.to_numpy()
    end_month = pd.Series(month[ending], index=ids[ending])
    rows = {}
    for name in ("rules", "model"):
        flagged = flags[name].to_numpy()
        early = flagged & decline
        first = pd.Series(month[early], index=ids[early]).groupby(level=0).min()
        lead = (end_month.reindex(first.index) - first).dropna()
        rows[name] = {
            "months flagged": int(flagged.sum()),
            "right when flagged": float(flags["slipping"].to_numpy()[flagged].mean())
            if flagged.any()
            else float("nan"),
            "decline months caught": float(early.sum() / decline.sum()) if decline.any() else 0.0,
            "endings warned ahead": float(len(lead) / len(ended_ids)) if len(ended_ids) else 0.0,
            "median months of warning": float(lead.median()) if len(lead) else float("nan"),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("signal")


#: The outcomes of the race between the two warnings, in the order a table shows them.
RACE = ("rules first", "same month", "model first", "rules only", "model only", "neither")


def alarm_race(flags: pd.DataFrame) -> pd.DataFrame:
    """For each relationship that ended in the data: the first month each warning raised
    its alarm while the relationship was truly slipping (in decline, or in the month it
    ended), the true end month, and which warning came first (one of RACE).

    `flags` is `warning_flags(...)` (or `WarningScore.flags`). An alarm before the true
    decline began does not count here: it is a false alarm, scored by "right when flagged".
    """
    ended = flags["true_stage"].astype(str) == "ended"
    slipping = flags[flags["slipping"] & flags["customer_id"].isin(flags.loc[ended, "customer_id"])]
    by = slipping.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "decline_from": by["month"].min(),
            "ended": slipping[ended.reindex(slipping.index)].set_index("customer_id")["month"],
            "rules_alarm": slipping[slipping["rules"]].groupby("customer_id")["month"].min(),
            "model_alarm": slipping[slipping["model"]].groupby("customer_id")["month"].min(),
        }
    )
    rules, model = out["rules_alarm"], out["model_alarm"]
    both = rules.notna() & model.notna()
    order = pd.Series("neither", index=out.index)
    order[rules.notna() & model.isna()] = "rules only"
    order[model.notna() & rules.isna()] = "model only"
    order[both] = "same month"
    order[both & (rules < model)] = "rules first"
    order[both & (model < rules)] = "model first"
    out["first"] = pd.Categorical(order, categories=RACE)
    return out


def race_example(race: pd.DataFrame, flags: pd.DataFrame, data, first: str) -> str:
    """One relationship where `first` (one of RACE) happened, chosen to show it clearly:
    no alarm of either warning before its true decline began, then the most orders while
    it was slipping, then the most orders in all (ties by id)."""
    if first not in RACE:
        raise CrmkitError(f"first must be one of {list(RACE)}; got {first!r}")
    ids = race.index[race["first"] == first]
    if ids.empty:
        raise CrmkitError(f"no relationship that ended had '{first}'")
    start = flags["customer_id"].map(race["decline_from"])
    early = flags[(flags["month"] < start) & (flags["rules"] | flags["model"])]
    clean = ids.difference(pd.Index(early["customer_id"].unique()))
    chosen = clean if len(clean) else ids
    orders = data.orders[data.orders["customer_id"].isin(chosen)]
    month = orders["order_date"].dt.to_period("M")
    spans = race.loc[orders["customer_id"]]
    slipping = (month.to_numpy() >= spans["decline_from"].to_numpy()) & (
        month.to_numpy() <= spans["ended"].to_numpy()
    )
    counts = pd.DataFrame(
        {
            "slipping": pd.Series(slipping, index=orders.index)
            .groupby(orders["customer_id"])
            .sum(),
            "all": orders.groupby("customer_id").size(),
        }
    ).reindex(chosen, fill_value=0)
    counts["id"] = counts.index
    return str(
        counts.sort_values(["slipping", "all", "id"], ascending=[False, False, True]).index[0]
    )


def early_warning(
    stages: pd.DataFrame, alive: pd.DataFrame, truth: pd.DataFrame, threshold: float = 0.5
) -> WarningScore:
    """The stage rules and P(alive) < `threshold` as early warnings of decline, each
    scored on the true stages (`warning_flags`, `score_warnings`)."""
    flags = warning_flags(stages, alive, truth, threshold)
    table = score_warnings(flags)
    table.index = signal_names(threshold)
    return WarningScore(table, flags)


def signal_names(threshold: float) -> pd.Index:
    """The names of the two warnings, as the tables show them."""
    return pd.Index(["stage rules", f"P(alive) below {threshold:.0%}"], name="signal")


def lifetime_values(
    fits: Fits,
    md: ModelData,
    *,
    model: str = "Pareto/NBD",
    months: int = 12,
    annual_rate: float = 0.10,
) -> pd.DataFrame:
    """Per customer: P(alive), purchases to expect in the next three months, the lifetime
    value over `months` months discounted monthly at `annual_rate` a year, what the same
    customer would be worth if surely still a customer, and the value at risk: that worth
    times the chance the customer has gone."""
    if not 0 <= annual_rate < 1:
        raise CrmkitError(
            f"annual_rate is a yearly discount rate from 0 to below 1; got {annual_rate!r}"
        )
    fit = fits.transactions(model)
    s = md.summary
    alive = probability_alive(fit, s)
    three = _module(fit).conditional_expected_purchases(
        fit, 3 * MONTH_DAYS / md.unit_days, s["frequency"], s["recency"], s["T"]
    )
    value = clv.lifetime_value(
        fit,
        fits.gamma_gamma,
        s,
        unit_days=md.unit_days,
        period_days=MONTH_DAYS,
        periods=months,
        rate=(1 + annual_rate) ** (1 / 12) - 1,
    )
    p = alive.to_numpy()
    if_alive = np.divide(value.to_numpy(), p, out=np.zeros(len(p)), where=p > 0)
    return pd.DataFrame(
        {
            "p_alive": p,
            "purchases_next_3_months": np.asarray(three, dtype=float),
            "lifetime_value": value.to_numpy(),
            "value_if_alive": if_alive,
            "value_at_risk": (1 - p) * if_alive,
        },
        index=s.index,
    )


#: What each ranking of the retention list puts first, in words.
RANKINGS = {
    "value_at_risk": "the most value we lose if the customer has gone",
    "p_alive": "the lowest chance of still being a customer",
    "lifetime_value": "the highest expected value",
}


def retention_list(
    values: pd.DataFrame, n: int = 50, by: str = "value_at_risk", min_alive: float = 0.1
) -> pd.DataFrame:
    """The `n` customers to call first, ranked by `by` (see RANKINGS), among those with a
    P(alive) of at least `min_alive`: below it a customer has most likely left for good,
    a case for a win-back campaign rather than a retention call. Value at risk puts first
    the customers whose loss would cost most, weighing what they are worth by the chance
    they have gone."""
    if by not in RANKINGS:
        raise CrmkitError(f"rank by one of {list(RANKINGS)}; got {by!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise CrmkitError(f"n is the number of calls, a whole number >= 1; got {n!r}")
    if not 0 <= min_alive < 1:
        raise CrmkitError(f"min_alive is a probability from 0 to below 1; got {min_alive!r}")
    reachable = values[values["p_alive"] >= min_alive]
    ascending = by == "p_alive"
    return reachable.sort_values(
        [by, "lifetime_value"], ascending=[ascending, False], kind="stable"
    ).head(n)
