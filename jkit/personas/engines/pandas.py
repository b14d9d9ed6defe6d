"""The persona feature table in pandas: behaviour and feelings aggregated per customer.

The default engine of :func:`jkit.personas.customer_features` (same parameters, without
``engine``); it builds on the feature-table interface :mod:`jkit.personas.feature_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit._rules import to_utc
from jkit.personas.feature_table import (
    DAY,
    assemble_features,
    behaviour_columns,
    compound_scores,
    purchase_revenue,
    reference_time,
    touchpoint_shares,
)

__all__ = ["customer_features"]


def customer_features(data, *, behaviour: bool = True, feelings: bool = True, **options) -> pd.DataFrame:
    """:func:`jkit.personas.customer_features` aggregated in pandas: the same table, the same ``options``
    (``profile_cols``, ``sentiment``, ``purchase_events``, ``as_of``, ``no_events``, ``customer_col``)."""
    return assemble_features(
        data.customers, data.events, data.feedback, data.stages,
        behaviour_of=behaviour_table if behaviour else None,
        feelings_of=feelings_table if feelings else None,
        **options,
    )


def behaviour_table(
    events: pd.DataFrame, stages, purchase_events: list[str], as_of, customer_col: str
) -> pd.DataFrame:
    """Behaviour columns indexed by customer id (customers with events only)."""
    cust = events[customer_col]
    ts = events["timestamp"]
    ref = ts.max() if as_of is None else to_utc(reference_time(as_of))
    revenue = purchase_revenue(events)
    is_purchase = events["event"].isin(purchase_events).to_numpy() | (revenue.to_numpy() > 0)
    frame = pd.DataFrame({"c": cust.to_numpy(), "t": ts.to_numpy(), "rev": revenue.to_numpy(), "buy": is_purchase})
    grouped = frame.groupby("c", sort=False, observed=True)
    first = grouped["t"].min()
    last = grouped["t"].max()
    out = pd.DataFrame(index=first.index)
    out.index.name = None
    out["n_events"] = grouped.size().astype("float64")
    out["recency_days"] = (ref - last) / DAY
    buys = frame[frame["buy"]]
    bgroup = buys.groupby("c", sort=False, observed=True)
    out["frequency"] = bgroup.size().reindex(out.index).fillna(0).astype("float64")
    out["monetary"] = grouped["rev"].sum().astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["avg_order_value"] = (out["monetary"] / out["frequency"]).where(out["frequency"] > 0)
    first_buy = bgroup["t"].min().reindex(out.index)
    out["days_to_first_purchase"] = (first_buy - first) / DAY

    # touchpoint mix: share of the customer's events at each touchpoint
    tp = events["touchpoint"].astype("string").fillna("unknown")
    shares = touchpoint_shares(pd.crosstab(cust.to_numpy(), tp.to_numpy()))
    out = out.join(shares.reindex(out.index))

    # furthest stage reached (1-based; 0 when no event maps to a stage)
    position = {e: i + 1 for i, s in enumerate(stages.stages) for e in s.events}
    pos = events["event"].map(position).astype("float64").fillna(0.0)
    out["stage_reached"] = pd.Series(pos.to_numpy()).groupby(cust.to_numpy()).max().reindex(out.index).astype("float64")
    return out[behaviour_columns(shares)]


def feelings_table(feedback: pd.DataFrame, sentiment, customer_col: str) -> pd.DataFrame | None:
    """n_feedback, mean_nps, mean_sentiment per customer; None when nothing is known."""
    if feedback is None or feedback.empty or customer_col not in feedback.columns:
        return None
    compound = compound_scores(feedback, sentiment)
    frame = pd.DataFrame({"c": feedback[customer_col].to_numpy()})
    if "nps" in feedback.columns:
        frame["nps"] = pd.to_numeric(feedback["nps"]).astype("float64").to_numpy()
    if compound is not None:
        frame["sent"] = compound
    frame = frame[frame["c"].notna()]
    if frame.empty:
        return None
    grouped = frame.groupby("c", sort=False)
    out = pd.DataFrame({"n_feedback": grouped.size().astype("float64")})
    if "nps" in frame.columns and frame["nps"].notna().any():
        out["mean_nps"] = grouped["nps"].mean()
    if "sent" in frame.columns:
        out["mean_sentiment"] = grouped["sent"].mean()
    out.index.name = None
    return out
