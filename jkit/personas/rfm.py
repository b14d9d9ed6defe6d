"""RFM segments: recency, frequency and money scored 1–5 by quantiles, named by a rule table.

A simple, rule-based view beside the data-driven personas (:class:`~jkit.personas.PersonaModel`). Among customers
with at least one purchase:

- ``recency_days``: days from the last purchase to ``as_of``; ``frequency``: purchases;
  ``monetary``: total revenue.
- Each is scored 1–5 by quintile: ``score = ceil(5 × (rank − ½) / n)`` with the average rank of
  ties, so equal values share a score (all-equal values score 3) and n distinct values fill the
  five scores equally when n is a multiple of 5. Recency is scored reversed: the most recent fifth gets 5.
- ``fm_score`` is ``(f_score + m_score) / 2`` rounded half up.
- The segment is read from :data:`RFM_SEGMENT_RULES` by ``r_score`` and ``fm_score``; every one
  of the 25 cells has exactly one segment.

Customers of the customers table without a purchase get the segment ``"no purchase"`` and no scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS, require_columns, to_utc
from jkit.errors import DataValidationError, ParameterError
from jkit.personas.feature_table import DAY, purchase_revenue, reference_time

__all__ = ["rfm_segments", "RFM_SEGMENT_RULES", "SEGMENTS", "score_quintiles"]

#: The rule table: a segment for each r_score and fm_score (first match; the cells do not overlap).
RFM_SEGMENT_RULES = pd.DataFrame(
    [
        ("champions", "5", "4–5", "bought recently, often and for much"),
        ("loyal", "3–4", "4–5", "buy often and for much, fairly recently"),
        ("potential loyalist", "4–5", "2–3", "recent customers with average frequency and spend"),
        ("new customers", "5", "1", "bought very recently, once or for little"),
        ("promising", "4", "1", "recent, but bought little so far"),
        ("need attention", "3", "3", "average on every count"),
        ("about to sleep", "3", "1–2", "slipping away, bought little"),
        ("at risk", "1–2", "3–4", "bought often and for much, but long ago"),
        ("cannot lose them", "1–2", "5", "were the best customers, not seen for long"),
        ("hibernating", "2", "1–2", "long ago, little and rarely"),
        ("lost", "1", "1–2", "the lowest scores on every count"),
    ],
    columns=["segment", "r_score", "fm_score", "meaning"],
)

#: Segment names in the order of the rule table, then ``"no purchase"``.
SEGMENTS = [*RFM_SEGMENT_RULES["segment"], "no purchase"]


def _range(text: str) -> range:
    lo, _, hi = text.partition("–")
    return range(int(lo), int(hi or lo) + 1)


def _grid() -> np.ndarray:
    grid = np.empty((6, 6), dtype=object)
    for _, rule in RFM_SEGMENT_RULES.iterrows():
        for r in _range(rule["r_score"]):
            for fm in _range(rule["fm_score"]):
                assert grid[r, fm] is None, (r, fm)
                grid[r, fm] = rule["segment"]
    return grid


def score_quintiles(values: pd.Series, *, bins: int = 5) -> pd.Series:
    """Score values 1…``bins`` by quantile: ``ceil(bins × (average rank − ½) / n)`` (ties share a score)."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    n = int(v.notna().sum())
    if n == 0:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    ranks = v.rank(method="average")
    score = np.clip(np.ceil(bins * (ranks - 0.5) / n), 1, bins)
    return pd.Series(score, index=values.index).astype("Int64")


def rfm_segments(
    data,
    *,
    customers: pd.DataFrame | None = None,
    as_of: str | pd.Timestamp | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    customer_col: str = "customer_id",
    time_col: str = "timestamp",
    event_col: str = "event",
    revenue_col: str = "revenue",
) -> pd.DataFrame:
    """RFM scores and named segments per customer.

    Parameters
    ----------
    data : JourneyData or DataFrame
        A loaded study, or an events table (``customer_col``, ``time_col``, ``event_col`` and
        optionally ``revenue_col``).
    customers : DataFrame, optional
        The customers table, so that customers without purchases are listed as
        ``"no purchase"`` (taken from ``data`` when it is a JourneyData).
    as_of : timestamp, optional
        Reference time for recency; default the last event time.
    purchase_events : list of str, default ("purchase", "repeat_purchase")
        Events that count as purchases; any event with positive revenue counts too.

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id``, ``recency_days``, ``frequency``, ``monetary``,
        ``r_score``, ``f_score``, ``m_score``, ``fm_score`` (Int64, 1–5), ``rfm`` (e.g.
        ``"545"``) and ``segment`` (categorical, categories :data:`SEGMENTS`).

    Examples
    --------
    >>> rfm = rfm_segments(jkit.load("data/sample"))          # doctest: +SKIP
    >>> rfm["segment"].value_counts()                          # doctest: +SKIP
    """
    if hasattr(data, "events") and hasattr(data, "customers"):
        events = data.events
        customers = data.customers if customers is None else customers
    elif isinstance(data, pd.DataFrame):
        events = data
    else:
        raise ParameterError(f"data should be a JourneyData or an events DataFrame, got {type(data).__name__}")
    require_columns(events, [customer_col, time_col, event_col], "events")
    ts = events[time_col]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        raise DataValidationError(f"events: column {time_col!r} should hold date/times (load the data with jkit.load)")
    if as_of is None:
        ref = ts.max()
    else:
        ref = reference_time(as_of)
        if ts.dt.tz is not None:
            ref = to_utc(ref)
    revenue = purchase_revenue(events, revenue_col)
    buy = events[event_col].isin(list(purchase_events)).to_numpy() | (revenue.to_numpy() > 0)
    frame = pd.DataFrame({"c": events[customer_col].to_numpy()[buy], "t": ts.to_numpy()[buy],
                          "rev": revenue.to_numpy()[buy]})
    g = frame.groupby("c", sort=True)
    out = pd.DataFrame({
        "recency_days": (ref - g["t"].max()) / DAY,
        "frequency": g.size().astype("int64"),
        "monetary": g["rev"].sum().astype("float64"),
    })
    out.index.name = customer_col
    out = out.reset_index()
    out["r_score"] = score_quintiles(-out["recency_days"])
    out["f_score"] = score_quintiles(out["frequency"])
    out["m_score"] = score_quintiles(out["monetary"])
    out["fm_score"] = np.floor((out["f_score"] + out["m_score"]).astype("float64") / 2 + 0.5).astype("Int64")
    out["rfm"] = (out["r_score"].astype("string") + out["f_score"].astype("string")
                  + out["m_score"].astype("string"))
    grid = _grid()
    out["segment"] = [grid[r, fm] for r, fm in zip(out["r_score"], out["fm_score"], strict=True)]
    if customers is not None:
        require_columns(customers, [customer_col], "customers")
        rest = customers.loc[~customers[customer_col].isin(out[customer_col]), [customer_col]].copy()
        if len(rest):
            rest["frequency"] = 0
            rest["monetary"] = 0.0
            rest["segment"] = "no purchase"
            out = pd.concat([out, rest], ignore_index=True)
    for col in ("r_score", "f_score", "m_score", "fm_score"):
        out[col] = out[col].astype("Int64")
    out["rfm"] = out["rfm"].astype("string")
    out["segment"] = pd.Categorical(out["segment"], categories=SEGMENTS)
    return out[[customer_col, "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                "fm_score", "rfm", "segment"]]


def rules_markdown() -> str:
    """The rule table as Markdown (for docs and reports)."""
    lines = ["| segment | r_score | fm_score | meaning |", "|---|---|---|---|"]
    lines += [f"| {r.segment} | {r.r_score} | {r.fm_score} | {r.meaning} |" for r in RFM_SEGMENT_RULES.itertuples()]
    return "\n".join(lines)
