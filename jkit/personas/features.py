"""The per-customer feature table behind personas: profile, behaviour and feelings.

Public entry point: :func:`jkit.personas.customer_features` (re-exported there).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, JkitWarning, ParameterError

__all__ = ["customer_features", "PROFILE_COLUMNS", "PURCHASE_EVENTS", "TOUCHPOINT_PREFIX"]

#: Profile columns of the data contract that personas use by default (when present).
PROFILE_COLUMNS = ("age", "income", "gender", "education", "region", "job_title", "acquisition_channel")
#: Events that count as a purchase (besides any event with positive revenue).
PURCHASE_EVENTS = ("purchase", "repeat_purchase")
#: Prefix of the touchpoint-mix columns (``tp_web`` is the share of a customer's events on the web).
TOUCHPOINT_PREFIX = "tp_"

_NO_EVENTS = ("keep", "drop")
_DAY = pd.Timedelta(days=1)


def _column_name(value: str) -> str:
    """A touchpoint label as a column-name suffix: lower case, non-alphanumerics as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_") or "unknown"


def customer_features(
    data,
    *,
    profile_cols: Sequence[str] | None = None,
    behaviour: bool = True,
    feelings: bool = True,
    sentiment: pd.DataFrame | pd.Series | bool | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    as_of: str | pd.Timestamp | None = None,
    no_events: str = "keep",
    customer_col: str = "customer_id",
    engine: str | None = None,
) -> pd.DataFrame:
    """One row per customer: profile columns, behaviour from events, feelings from feedback.

    Parameters
    ----------
    data : JourneyData
        A loaded study (:func:`jkit.load`).
    profile_cols : list of str, optional
        Columns of ``data.customers`` to carry over. Default: the contract's profile columns
        that are present and not entirely empty (``age``, ``income``, ``gender``, ``education``,
        ``region``, ``job_title``, ``acquisition_channel``). Ids, ``name`` and dates are never
        taken by default.
    behaviour : bool, default True
        Add the behaviour columns computed from ``data.events`` (see Returns).
    feelings : bool, default True
        Add the feedback columns (``n_feedback``, ``mean_nps``, ``mean_sentiment``) when
        ``data.feedback`` has rows with a known customer.
    sentiment : DataFrame, Series, bool or None, default None
        Per-feedback sentiment for ``mean_sentiment``: a frame with a ``compound`` column (or a
        Series) aligned with ``data.feedback`` row for row, as returned by
        :func:`jkit.sentiment.score_sentiment`; ``True`` scores the feedback now with that
        function; ``None`` uses a ``compound`` column of ``data.feedback`` if it has one, else
        leaves sentiment out; ``False`` leaves it out.
    purchase_events : list of str, default ("purchase", "repeat_purchase")
        Event names that count as a purchase; any event with positive ``revenue`` counts too.
    as_of : timestamp, optional
        The reference time for recency; default the last event time in ``data.events``.
    no_events : {"keep", "drop"}, default "keep"
        Customers without any event. ``"keep"``: they stay, with ``n_events``, ``frequency`` and
        ``monetary`` 0, ``stage_reached`` 0 and the other behaviour columns missing (the persona
        model imputes them and marks them missing). ``"drop"``: they are set aside. Either way a
        :class:`~jkit.errors.JkitWarning` gives their count.
    customer_col : str, default "customer_id"
        The customer id column of all three tables.
    engine : {"pandas", "spark"} or None
        ``None`` aggregates in Spark when ``data`` holds Spark DataFrames (:func:`jkit.spark.load`),
        else in pandas; ``"spark"`` sends pandas tables to Spark (:mod:`jkit.spark.features`).
        The result is a pandas table either way.

    Returns
    -------
    DataFrame
        One row per customer, in the order of ``data.customers``:

        - ``customer_id`` and the profile columns;
        - ``n_events``: events of the customer;
        - ``recency_days``: days from the customer's last event to ``as_of``;
        - ``frequency``: purchases; ``monetary``: total revenue; ``avg_order_value``:
          ``monetary / frequency`` (missing without purchases);
        - ``tp_<touchpoint>``: share of the customer's events at each touchpoint (sums to 1);
        - ``stage_reached``: 1-based position of the furthest stage of ``data.stages`` reached
          (0 when no event maps to a stage);
        - ``days_to_first_purchase``: days from the first event to the first purchase (missing
          without purchases);
        - ``n_feedback``, ``mean_nps`` and ``mean_sentiment`` (mean VADER compound) when feelings
          are available.

    Examples
    --------
    >>> data = jkit.load("data/sample")                         # doctest: +SKIP
    >>> features = customer_features(data, profile_cols=["age", "income"])   # doctest: +SKIP
    """
    from jkit._engines import choose

    if choose(engine, data, ("pandas", "spark"), analysis="customer_features") == "spark":
        from jkit.personas.engines.spark import customer_features as spark_customer_features

        return spark_customer_features(data, profile_cols=profile_cols, behaviour=behaviour, feelings=feelings,
                                       sentiment=sentiment, purchase_events=purchase_events, as_of=as_of,
                                       no_events=no_events, customer_col=customer_col)
    return assemble_features(
        data.customers, data.events, data.feedback, data.stages,
        behaviour_of=_behaviour if behaviour else None,
        feelings_of=_feelings if feelings else None,
        profile_cols=profile_cols, sentiment=sentiment, purchase_events=purchase_events, as_of=as_of,
        no_events=no_events, customer_col=customer_col,
    )


def assemble_features(
    customers: pd.DataFrame,
    events,
    feedback,
    stages,
    *,
    behaviour_of: Callable | None,
    feelings_of: Callable | None,
    profile_cols: Sequence[str] | None,
    sentiment,
    purchase_events: Sequence[str],
    as_of,
    no_events: str,
    customer_col: str,
) -> pd.DataFrame:
    """The feature table from its parts; each engine supplies how behaviour and feelings are aggregated.

    ``behaviour_of(events, stages, purchase_events, as_of, customer_col)`` and
    ``feelings_of(feedback, sentiment, customer_col)`` return frames indexed by customer id (or
    None for no feelings). The profile columns, the handling of customers without events and the
    column order are the same for every engine.
    """
    if no_events not in _NO_EVENTS:
        raise ParameterError(f"no_events={no_events!r} should be one of {', '.join(map(repr, _NO_EVENTS))}")
    if customer_col not in customers.columns:
        raise DataValidationError(
            f"customers: no column {customer_col!r}; found {', '.join(map(repr, customers.columns))}"
        )
    profile = _profile_columns(customers, profile_cols, customer_col)
    out = customers[[customer_col, *profile]].copy().reset_index(drop=True)
    for col in profile:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = pd.to_numeric(out[col]).astype("float64")
    ids = out[customer_col]

    if behaviour_of is not None:
        for col in (customer_col, "timestamp", "event", "touchpoint"):
            if col not in events.columns:
                raise DataValidationError(f"events: no column {col!r}; found {', '.join(map(repr, events.columns))}")
        beh = behaviour_of(events, stages, list(purchase_events), as_of, customer_col)
        out = out.merge(beh, how="left", left_on=customer_col, right_index=True)
        silent = out["n_events"].isna()
        for col in ("n_events", "frequency", "monetary", "stage_reached"):
            out[col] = out[col].fillna(0)
        n_silent = int(silent.sum())
        if n_silent:
            if no_events == "drop":
                out = out[~silent].reset_index(drop=True)
                what = "set aside (no_events='drop')"
            else:
                what = ("kept with zero events, purchases and revenue, stage 0 and missing recency "
                        "and touchpoint mix (no_events='drop' sets them aside)")
            first = ", ".join(map(str, ids[silent].head(3)))
            warnings.warn(
                f"{n_silent} of {len(silent)} customers have no events (first: {first}); {what}",
                JkitWarning,
                stacklevel=3,
            )

    if feelings_of is not None:
        feel = feelings_of(feedback, sentiment, customer_col)
        if feel is not None:
            out = out.merge(feel, how="left", left_on=customer_col, right_index=True)
            out["n_feedback"] = out["n_feedback"].fillna(0)
    return out.reset_index(drop=True)


def _profile_columns(customers: pd.DataFrame, profile_cols: Sequence[str] | None, customer_col: str) -> list[str]:
    if profile_cols is None:
        return [c for c in PROFILE_COLUMNS if c in customers.columns and customers[c].notna().any()]
    if isinstance(profile_cols, str):
        profile_cols = [profile_cols]
    profile_cols = list(profile_cols)
    missing = [c for c in profile_cols if c not in customers.columns]
    if missing:
        raise DataValidationError(
            f"customers: no column {', '.join(map(repr, missing))} for profile_cols; "
            f"found {', '.join(map(repr, customers.columns))}"
        )
    if customer_col in profile_cols:
        raise ParameterError(f"profile_cols should not contain the id column {customer_col!r}")
    return profile_cols


def _behaviour(
    events: pd.DataFrame, stages, purchase_events: list[str], as_of, customer_col: str
) -> pd.DataFrame:
    """Behaviour columns indexed by customer id (customers with events only)."""
    cust = events[customer_col]
    ts = events["timestamp"]
    if as_of is None:
        ref = ts.max()
    else:
        try:
            ref = pd.Timestamp(as_of)
        except (ValueError, TypeError):
            raise ParameterError(f"as_of={as_of!r} should be a date/time such as '2024-06-30'") from None
        ref = ref.tz_localize("UTC") if ref.tzinfo is None else ref.tz_convert("UTC")
    revenue = (
        pd.to_numeric(events["revenue"], errors="coerce").astype("float64").fillna(0.0)
        if "revenue" in events.columns
        else pd.Series(0.0, index=events.index)
    )
    is_purchase = events["event"].isin(purchase_events).to_numpy() | (revenue.to_numpy() > 0)
    frame = pd.DataFrame({"c": cust.to_numpy(), "t": ts.to_numpy(), "rev": revenue.to_numpy(), "buy": is_purchase})
    grouped = frame.groupby("c", sort=False, observed=True)
    first = grouped["t"].min()
    last = grouped["t"].max()
    out = pd.DataFrame(index=first.index)
    out.index.name = None
    out["n_events"] = grouped.size().astype("float64")
    out["recency_days"] = (ref - last) / _DAY
    buys = frame[frame["buy"]]
    bgroup = buys.groupby("c", sort=False, observed=True)
    out["frequency"] = bgroup.size().reindex(out.index).fillna(0).astype("float64")
    out["monetary"] = grouped["rev"].sum().astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["avg_order_value"] = (out["monetary"] / out["frequency"]).where(out["frequency"] > 0)
    first_buy = bgroup["t"].min().reindex(out.index)
    out["days_to_first_purchase"] = (first_buy - first) / _DAY

    # touchpoint mix: share of the customer's events at each touchpoint
    tp = events["touchpoint"].astype("string").fillna("unknown")
    counts = pd.crosstab(cust.to_numpy(), tp.to_numpy())
    counts.columns = [f"{TOUCHPOINT_PREFIX}{_column_name(c)}" for c in counts.columns]
    counts = counts.T.groupby(level=0).sum().T  # labels that normalize to the same name add up
    shares = counts.div(counts.sum(axis=1), axis=0).astype("float64")
    out = out.join(shares.reindex(out.index))

    # furthest stage reached (1-based; 0 when no event maps to a stage)
    position = {e: i + 1 for i, s in enumerate(stages.stages) for e in s.events}
    pos = events["event"].map(position).astype("float64").fillna(0.0)
    out["stage_reached"] = pd.Series(pos.to_numpy()).groupby(cust.to_numpy()).max().reindex(out.index).astype("float64")
    return out[["n_events", "recency_days", "frequency", "monetary", "avg_order_value",
                *shares.columns, "stage_reached", "days_to_first_purchase"]]


def _feelings(feedback: pd.DataFrame, sentiment, customer_col: str) -> pd.DataFrame | None:
    """n_feedback, mean_nps, mean_sentiment per customer; None when nothing is known."""
    if feedback is None or feedback.empty or customer_col not in feedback.columns:
        return None
    compound = _compound(feedback, sentiment)
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


def _compound(feedback: pd.DataFrame, sentiment) -> np.ndarray | None:
    """The per-feedback compound score aligned with ``feedback``, or None."""
    if sentiment is False:
        return None
    if sentiment is None:
        if "compound" in feedback.columns:
            return pd.to_numeric(feedback["compound"], errors="coerce").astype("float64").to_numpy()
        return None
    if sentiment is True:
        try:
            from jkit.sentiment import score_sentiment
        except ImportError:
            raise ParameterError(
                "sentiment=True needs jkit.sentiment.score_sentiment, which is not available; "
                "pass a DataFrame with a 'compound' column instead"
            ) from None
        sentiment = score_sentiment(feedback)
    if isinstance(sentiment, pd.DataFrame):
        if "compound" not in sentiment.columns:
            raise DataValidationError(
                f"sentiment: no column 'compound'; found {', '.join(map(repr, sentiment.columns))}; "
                "pass the result of jkit.sentiment.score_sentiment(data.feedback)"
            )
        sentiment = sentiment["compound"]
    if not isinstance(sentiment, pd.Series):
        raise ParameterError(
            f"sentiment should be a DataFrame with a 'compound' column, a Series, True, False or None; "
            f"got {type(sentiment).__name__}"
        )
    if len(sentiment) != len(feedback):
        raise DataValidationError(
            f"sentiment has {len(sentiment)} rows but feedback has {len(feedback)}; "
            "it must be aligned with data.feedback row for row"
        )
    return pd.to_numeric(sentiment, errors="coerce").astype("float64").to_numpy()
