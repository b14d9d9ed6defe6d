"""What a persona feature table is, whatever engine computes it: its columns, the rules its
engines share, and :func:`assemble_features`, which puts an engine's aggregates together.

This is the interface of the feature engines (:mod:`jkit.personas.engines`): an engine supplies
how behaviour and feelings are aggregated per customer and hands them to
:func:`assemble_features`; the profile columns, the customers without events and the column
order are the same for every engine. The public entry point is
:func:`jkit.personas.customer_features`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS, as_list, column_list, require_columns
from jkit.errors import DataValidationError, JkitWarning, MissingColumnError, ParameterError

__all__ = [
    "BEHAVIOUR_TOTALS",
    "DAY",
    "NO_EVENTS",
    "OUTCOME_COLUMNS",
    "PROFILE_COLUMNS",
    "PURCHASE_EVENTS",
    "TOUCHPOINT_PREFIX",
    "assemble_features",
    "behaviour_columns",
    "check_no_events",
    "column_name",
    "compound_scores",
    "purchase_revenue",
    "reference_time",
    "touchpoint_shares",
]

#: Profile columns of the data contract that personas use by default (when present).
PROFILE_COLUMNS = ("age", "income", "gender", "education", "region", "job_title", "acquisition_channel")
#: Prefix of the touchpoint-mix columns (``tp_web`` is the share of a customer's events on the web).
TOUCHPOINT_PREFIX = "tp_"
#: Outcome columns of :func:`~jkit.personas.customer_features`: with automatic column choice they describe
#: the personas (traits, KPIs) but do not define them (see :class:`~jkit.personas.PersonaModel`, ``describe_cols``).
OUTCOME_COLUMNS = (
    "n_events", "recency_days", "frequency", "monetary", "avg_order_value", "stage_reached",
    "days_to_first_purchase", "n_feedback", "mean_nps", "mean_sentiment",
)
#: The choices of ``no_events``.
NO_EVENTS = ("keep", "drop")
#: One day, the unit of the ``*_days`` columns.
DAY = pd.Timedelta(days=1)
#: Behaviour columns that are 0 (not missing) for a customer without events.
BEHAVIOUR_TOTALS = ("n_events", "frequency", "monetary", "stage_reached")


def column_name(value: str) -> str:
    """A touchpoint label as a column-name suffix: lower case, non-alphanumerics as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_") or "unknown"


def check_no_events(no_events: str) -> None:
    """Raise ParameterError unless ``no_events`` is one of :data:`NO_EVENTS`."""
    if no_events not in NO_EVENTS:
        raise ParameterError(f"no_events={no_events!r} should be one of {column_list(NO_EVENTS)}")


def reference_time(as_of) -> pd.Timestamp:
    """``as_of`` as a timestamp (not yet in UTC), or a ParameterError saying what a date looks like."""
    try:
        return pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise ParameterError(f"as_of={as_of!r} should be a date/time such as '2024-06-30'") from None


def purchase_revenue(events: pd.DataFrame, revenue_col: str = "revenue") -> pd.Series:
    """The revenue of each event as floats, 0 where it is missing or not a number (all 0 without the column)."""
    if revenue_col not in events.columns:
        return pd.Series(0.0, index=events.index)
    return pd.to_numeric(events[revenue_col], errors="coerce").astype("float64").fillna(0.0)


def touchpoint_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Event counts per customer (rows) and touchpoint label (columns) as the ``tp_*`` share columns."""
    counts = counts.copy()
    counts.columns = [f"{TOUCHPOINT_PREFIX}{column_name(c)}" for c in counts.columns]
    counts = counts.T.groupby(level=0).sum().T  # labels that normalize to the same name add up
    return counts.div(counts.sum(axis=1), axis=0).astype("float64")


def behaviour_columns(shares: pd.DataFrame) -> list[str]:
    """The behaviour columns in their order, with the touchpoint ``shares`` columns in the middle."""
    return ["n_events", "recency_days", "frequency", "monetary", "avg_order_value",
            *shares.columns, "stage_reached", "days_to_first_purchase"]


def assemble_features(
    customers: pd.DataFrame,
    events,
    feedback,
    stages,
    *,
    behaviour_of: Callable | None,
    feelings_of: Callable | None,
    profile_cols: Sequence[str] | None = None,
    sentiment=None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    as_of=None,
    no_events: str = "keep",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """The feature table from its parts; each engine supplies how behaviour and feelings are aggregated.

    ``behaviour_of(events, stages, purchase_events, as_of, customer_col)`` and
    ``feelings_of(feedback, sentiment, customer_col)`` return frames indexed by customer id (or
    None for no feelings). The profile columns, the handling of customers without events and the
    column order are the same for every engine.
    """
    check_no_events(no_events)
    require_columns(customers, [customer_col], "customers")
    profile = _profile_columns(customers, profile_cols, customer_col)
    out = customers[[customer_col, *profile]].copy().reset_index(drop=True)
    for col in profile:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = pd.to_numeric(out[col]).astype("float64")
    ids = out[customer_col]

    if behaviour_of is not None:
        require_columns(events, [customer_col, "timestamp", "event", "touchpoint"], "events")
        beh = behaviour_of(events, stages, list(purchase_events), as_of, customer_col)
        out = out.merge(beh, how="left", left_on=customer_col, right_index=True)
        silent = out["n_events"].isna()
        for col in BEHAVIOUR_TOTALS:
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
                stacklevel=4,  # the caller of customer_features, through the engine
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
    profile_cols = as_list(profile_cols)
    missing = [c for c in profile_cols if c not in customers.columns]
    if missing:
        raise MissingColumnError(
            f"customers: no column {column_list(missing)} for profile_cols; found {column_list(customers.columns)}"
        )
    if customer_col in profile_cols:
        raise ParameterError(f"profile_cols should not contain the id column {customer_col!r}")
    return profile_cols


def compound_scores(feedback: pd.DataFrame, sentiment) -> np.ndarray | None:
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
        require_columns(sentiment, ["compound"], "sentiment",
                        hint="pass the result of jkit.sentiment.score_sentiment(data.feedback)")
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
