"""The candidate drivers of each customer of a :class:`~jkit.drivers.cohort.Cohort`, as tidy pairs
``customer_id, kind, feature, value`` (one row per customer and feature value they have).

* ``event`` — an event done at least once in the observed span (``feature`` "event").
* ``property`` — an event property (an extra, non-numeric column of the events table) with that value
  on at least one event of the span.
* ``touchpoint`` — a touchpoint used in the span (only when the events carry real touchpoints).
* ``attribute`` — a column of the customers table (``persona`` too); numbers in quartile bins.
  Attributes are fixed, so they are read whatever the span; a persona from a fitted model is read
  from features over the whole study (see ``docs/drivers.md``).
* ``theme`` — a pain-point theme (:func:`jkit.pain_points.pain_point_themes`) of what the customer
  wrote in the span.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import require_columns
from jkit.drivers.cohort import Cohort, in_span
from jkit.errors import JkitWarning

__all__ = ["PAIR_COLUMNS", "EVENT_CORE", "event_pairs", "property_pairs", "touchpoint_pairs",
           "attribute_pairs", "theme_pairs"]

PAIR_COLUMNS = ["customer_id", "kind", "feature", "value"]
#: columns of the events table that are not event properties
EVENT_CORE = frozenset({"customer_id", "timestamp", "event", "touchpoint", "revenue", "session_id", "stage",
                        "stage_index"})
#: columns of the customers table never read as attributes (ids, names, contacts, dates)
CUSTOMER_SKIP = frozenset({"customer_id", "name", "first_name", "last_name", "email", "phone", "signup_date"})


def _pairs(customers: pd.Series, kind: str, feature: Any, values: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({"customer_id": customers.to_numpy(), "value": values.astype("string").to_numpy()})
    out = out.dropna(subset=["value"]).drop_duplicates()
    out.insert(1, "kind", kind)
    out.insert(2, "feature", str(feature))
    return out[PAIR_COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string" if c != "customer_id" else object) for c in PAIR_COLUMNS})


def event_pairs(span_events: pd.DataFrame) -> pd.DataFrame:
    """``event`` pairs: each event a customer did in their span."""
    return _pairs(span_events["customer_id"], "event", "event", span_events["event"])


def _categorical(values: pd.Series, max_levels: int) -> bool:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_datetime64_any_dtype(values):
        return False
    return 0 < values.nunique(dropna=True) <= max_levels


def property_pairs(span_events: pd.DataFrame, max_levels: int) -> tuple[pd.DataFrame, list[str]]:
    """``property`` pairs of the extra non-numeric event columns with at most ``max_levels`` values;
    and the columns left out (too many values, or numeric)."""
    frames, left_out = [], []
    for col in span_events.columns:
        if col in EVENT_CORE or col in ("start", "limit"):
            continue
        if _categorical(span_events[col], max_levels):
            frames.append(_pairs(span_events["customer_id"], "property", col, span_events[col]))
        else:
            left_out.append(str(col))
    return (pd.concat(frames, ignore_index=True) if frames else _empty()), left_out


def touchpoint_pairs(span_events: pd.DataFrame) -> pd.DataFrame:
    """``touchpoint`` pairs: each touchpoint a customer used in their span."""
    return _pairs(span_events["customer_id"], "touchpoint", "touchpoint", span_events["touchpoint"])


def _bins(values: pd.Series) -> pd.Series:
    """Numbers in quartile bins labelled ``"18–29"`` (fewer bins when values repeat)."""
    x = pd.to_numeric(values, errors="coerce").astype(float)
    if x.notna().sum() < 2 or x.nunique() < 2:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    cut = pd.qcut(x, 4, duplicates="drop")
    # each bin by the values it holds (qcut's first edge sits just below the minimum: "17.999")
    span = x.groupby(cut, observed=True).agg(["min", "max"])
    labels = {iv: f"{lo:g}–{hi:g}" if lo != hi else f"{lo:g}" for iv, lo, hi in zip(span.index, span["min"], span["max"], strict=True)}
    return cut.map(labels).astype("string")


def attribute_pairs(customers: pd.DataFrame, cohort: Cohort, max_levels: int,
                    personas: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``attribute`` pairs of the cohort's customers (numbers binned in quartiles), ``persona`` from
    ``personas`` (``customer_id, persona``) when given; and the columns left out."""
    table = customers[customers["customer_id"].isin(cohort.frame["customer_id"])] if len(customers) else customers
    if personas is not None:
        table = table.drop(columns=[c for c in ("persona",) if c in table.columns])
        table = cohort.frame[["customer_id"]].merge(table, on="customer_id", how="left").merge(
            personas[["customer_id", "persona"]], on="customer_id", how="left")
    frames, left_out = [], []
    for col in table.columns:
        if col in CUSTOMER_SKIP:
            continue
        values = table[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if values.nunique() > max_levels:
                values = _bins(values)
            frames.append(_pairs(table["customer_id"], "attribute", col, values))
        elif _categorical(values, max_levels):
            frames.append(_pairs(table["customer_id"], "attribute", col, values))
        else:
            left_out.append(str(col))
    return (pd.concat(frames, ignore_index=True) if frames else _empty()), left_out


def theme_pairs(data, cohort: Cohort, scored: pd.DataFrame | None, *, top: int, min_count: int | None,
                stage: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """``theme`` pairs: the pain-point themes of what each customer wrote in their span (or, with
    ``stage``, in the feedback the study places at that stage, whenever written).

    Returns the pairs, the themes table (:func:`jkit.pain_points.pain_point_themes` of that
    feedback) and counts of the feedback used and left out (anonymous, undated, outside the span).
    """
    fb = data.feedback
    counts = {"feedback": len(fb), "anonymous": 0, "undated": 0, "outside_span": 0, "in_span": 0}
    if fb.empty or "text" not in fb.columns:
        return _empty(), pd.DataFrame(), counts
    require_columns(fb, ["feedback_id", "text"], "feedback")
    who = fb["customer_id"] if "customer_id" in fb.columns else pd.Series(pd.NA, index=fb.index)
    when = fb["timestamp"] if "timestamp" in fb.columns else pd.Series(pd.NaT, index=fb.index)
    counts["anonymous"] = int(who.isna().sum())
    counts["undated"] = int((who.notna() & when.isna()).sum())
    if stage is not None:
        placed = fb["stage"].astype("string") == stage if "stage" in fb.columns else pd.Series(False, index=fb.index)
        mine = fb[(who.notna() & placed.fillna(False)).to_numpy() & fb["customer_id"].isin(cohort.frame["customer_id"])]
        counts["undated"] = 0
        span = mine
    else:
        known = fb[(who.notna() & when.notna()).to_numpy()]
        mine = known[known["customer_id"].isin(cohort.frame["customer_id"])]
        span = in_span(mine, cohort)
    counts["in_span"] = len(span)
    counts["outside_span"] = len(mine) - len(span)
    if span.empty:
        return _empty(), pd.DataFrame(), counts
    span = _with_sentiment(span, scored)
    themes = _themes(span, data.customers, top=top, min_count=min_count)
    if themes.empty:
        return _empty(), themes, counts
    author = dict(zip(span["feedback_id"], span["customer_id"], strict=True))
    rows = [(author[fid], name) for name, ids in zip(themes["theme"], themes["feedback_ids"], strict=True)
            for fid in ids if fid in author]
    pairs = pd.DataFrame(rows, columns=["customer_id", "value"]).drop_duplicates()
    return _pairs(pairs["customer_id"], "theme", "theme", pairs["value"]), themes, counts


def _with_sentiment(span: pd.DataFrame, scored: pd.DataFrame | None) -> pd.DataFrame:
    if scored is None:
        from jkit.sentiment import score_sentiment

        scores = score_sentiment(span, progress=False)[["compound", "label"]]
        return span.assign(compound=scores["compound"].to_numpy(), label=scores["label"].to_numpy())
    require_columns(scored, ["feedback_id", "compound", "label"], "scored",
                    hint="scored= should be a DataFrame with feedback_id, compound and label columns")
    base = span.drop(columns=[c for c in ("compound", "label") if c in span.columns])
    return base.merge(scored[["feedback_id", "compound", "label"]].drop_duplicates("feedback_id"),
                      on="feedback_id", how="left")


def _themes(span: pd.DataFrame, customers: pd.DataFrame, *, top: int, min_count: int | None) -> pd.DataFrame:
    from jkit.pain_points import pain_point_themes
    from jkit.privacy import Redactor, customer_names

    # themes naming a customer are withheld, as on the journey map
    redactor = Redactor(names=customer_names(customers) if len(customers) else ())
    placed = span[span["compound"].notna()]
    if placed.empty:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        return pain_point_themes(placed, top=top, min_count=min_count, n_quotes=0, redact=redactor)


def persona_table(data, personas: Any) -> pd.DataFrame | None:
    """``customer_id, persona`` from a fitted :class:`~jkit.personas.PersonaModel` (None: none given)."""
    if personas is None:
        return None
    from jkit.personas import customer_features

    features = customer_features(data)
    assigned = personas.assign(features)
    ids = assigned[getattr(personas, "id_col", "customer_id")]
    return pd.DataFrame({"customer_id": ids.to_numpy(), "persona": assigned["persona_name"].to_numpy()})


def feature_counts(pairs: pd.DataFrame, cohort: Cohort) -> pd.DataFrame:
    """``kind, feature, value, n_with, converted_with`` per feature value."""
    flag = cohort.frame.set_index("customer_id")["converted"]
    conv = pairs["customer_id"].map(flag).fillna(False).to_numpy(dtype=bool)
    grouped = pairs.assign(_c=conv.astype(np.int64)).groupby(["kind", "feature", "value"], observed=True, sort=False)
    out = grouped["_c"].agg(["size", "sum"]).reset_index()
    return out.rename(columns={"size": "n_with", "sum": "converted_with"})
