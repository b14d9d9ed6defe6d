"""Study-level views of personas: stage funnel, shares over time, KPIs, pain points with quotes,
and personas against rule-based segments.

These take the :class:`~jkit.io.JourneyData` and the assignments (``customer_id``, ``persona``,
``persona_name``) from :meth:`jkit.personas.PersonaModel.assign`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from jkit._rules import PURCHASE_EVENTS, column_list, require_columns, to_naive_utc
from jkit.errors import DataValidationError, MissingColumnError, ParameterError
from jkit.personas.feature_table import compound_scores
from jkit.personas.features import customer_features
from jkit.stats import wilson_interval

__all__ = [
    "persona_funnel",
    "persona_shares",
    "persona_kpis",
    "persona_pain_points",
    "compare_segments",
    "check_assignments",
]


def check_assignments(assignments: pd.DataFrame, customer_col: str, persona_col: str) -> pd.DataFrame:
    """The id, persona and persona-name columns of ``model.assign(features)``, checked (one row per customer)."""
    if not isinstance(assignments, pd.DataFrame):
        raise ParameterError(f"assignments should be a DataFrame (model.assign(features)), got {type(assignments).__name__}")
    require_columns(assignments, [customer_col, persona_col], "assignments", hint="use model.assign(features)")
    cols = [customer_col, persona_col] + (["persona_name"] if "persona_name" in assignments.columns else [])
    out = assignments[cols].copy()
    if "persona_name" not in out.columns:
        out["persona_name"] = out[persona_col].astype("string")
    dup = out[customer_col].duplicated()
    if dup.any():
        raise DataValidationError(
            f"assignments: customer {out.loc[dup, customer_col].iloc[0]!r} appears more than once; one row per customer"
        )
    return out


def _names(a: pd.DataFrame, persona_col: str) -> pd.Series:
    return a.drop_duplicates(persona_col).set_index(persona_col)["persona_name"]


def persona_funnel(
    data,
    assignments: pd.DataFrame,
    *,
    window: str | pd.Timedelta = "90D",
    engine: str | None = None,
    customer_col: str = "customer_id",
    persona_col: str = "persona",
) -> pd.DataFrame:
    """The stage funnel of each persona: :func:`jkit.funnels.stage_funnel` by persona.

    The same reach the journey map shows (ordered stages, each within ``window`` of entering the
    first), split by persona, so a persona's funnel and the journey map never disagree.
    Customers of a persona with no first-stage event count in its size but reach no stage;
    events of customers not in ``assignments`` are left out.

    Returns
    -------
    DataFrame
        One row per persona and stage: ``persona``, ``persona_name``, ``stage``, ``stage_index``
        (1-based), ``customers`` (of the persona), ``reached``, ``reach`` (``reached / customers``),
        ``reach_low``/``reach_high`` (95% Wilson interval), ``step_conversion`` (reached relative
        to the previous stage; the first stage relative to the persona's size) and
        ``median_time_from_previous`` (Timedelta).
    """
    from jkit.funnels import stage_funnel

    a = check_assignments(assignments, customer_col, persona_col)
    names = _names(a, persona_col)
    sizes = a.groupby(persona_col, sort=True).size()
    stages = list(data.stages.names)
    tag = "__jkit_persona__"  # never clashes with a customers column
    attrs = pd.DataFrame({customer_col: a[customer_col].to_numpy(), tag: a[persona_col].to_numpy()})
    table = stage_funnel(data, by=tag, attributes=attrs, window=window, engine=engine, customer_col=customer_col)
    table = table[table[tag].notna()]
    got = {(p, int(step)): (int(n), t) for p, step, n, t in
           zip(table[tag], table["step"], table["customers"], table["median_time_from_previous"], strict=True)}
    rows = []
    for p, n in sizes.items():
        prev = n
        for i, stage in enumerate(stages, start=1):
            reached, median = got.get((p, i), (0, pd.NaT))
            rows.append({"persona": p, "persona_name": names[p], "stage": stage, "stage_index": i, "customers": n,
                         "reached": reached, "step_conversion": reached / prev if prev else np.nan,
                         "median_time_from_previous": median if i > 1 else pd.NaT})
            prev = reached
    out = pd.DataFrame(rows)
    out["reach"] = out["reached"] / out["customers"]
    out["reach_low"], out["reach_high"] = wilson_interval(out["reached"], out["customers"])
    times = out["median_time_from_previous"]
    if times.isna().all():  # no persona got past the first stage: all NaT, which pandas would type as dates
        out["median_time_from_previous"] = pd.Series(pd.NaT, index=out.index, dtype="timedelta64[ns]")
    else:
        out["median_time_from_previous"] = pd.to_timedelta(times)
    return out[["persona", "persona_name", "stage", "stage_index", "customers", "reached", "reach",
                "reach_low", "reach_high", "step_conversion", "median_time_from_previous"]]


def persona_shares(
    data,
    assignments: pd.DataFrame,
    *,
    period: str = "M",
    date: str = "signup_date",
    customer_col: str = "customer_id",
    persona_col: str = "persona",
) -> pd.DataFrame:
    """Persona shares over time: of the customers of each period, the share in each persona.

    With a saved model (:meth:`~jkit.personas.PersonaModel.save`, then ``load(...).assign``) every
    nightly run assigns customers to the same personas, so these shares are comparable from run
    to run and show whether the mix of customers drifts.

    Parameters
    ----------
    data : JourneyData
    assignments : DataFrame
        ``customer_id``, ``persona`` (and ``persona_name``) from ``model.assign(features)``.
    period : str, default "M"
        A pandas period alias: ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``.
    date : str, default "signup_date"
        A date column of ``data.customers`` that places each customer in a period, or
        ``"first_event"`` (the customer's first event; customers without events are counted
        in ``unplaced``).

    Returns
    -------
    DataFrame
        One row per period and persona (every persona in every period): ``period`` (start
        timestamp), ``persona``, ``persona_name``, ``customers`` (of the persona in the period),
        ``period_customers``, ``share`` and ``share_low``/``share_high`` (95% Wilson interval).
        ``attrs["unplaced"]`` counts assigned customers without a date.
    """
    a = check_assignments(assignments, customer_col, persona_col)
    names = _names(a, persona_col)
    try:
        pd.Period("2024-01-01", freq=period)
    except (ValueError, TypeError):
        raise ParameterError(f"period={period!r} should be a pandas period alias such as 'D', 'W', 'M', 'Q' or 'Y'") from None
    if date == "first_event":
        ev = data.events
        when = pd.to_datetime(ev["timestamp"]).groupby(ev[customer_col].to_numpy()).min()
    else:
        if date not in data.customers.columns:
            raise MissingColumnError(
                f"customers: no column {date!r} for date; found {column_list(data.customers.columns)} "
                "(or pass date='first_event')"
            )
        col = data.customers[date]
        if not pd.api.types.is_datetime64_any_dtype(col):
            raise DataValidationError(f"customers: column {date!r} is {col.dtype}, not a date; pass a date column")
        when = pd.Series(col.to_numpy(), index=data.customers[customer_col].to_numpy())
        when = when[~when.index.duplicated()]
    stamp = pd.to_datetime(a[customer_col].map(when))
    stamp = to_naive_utc(stamp)
    placed = stamp.notna().to_numpy()
    a = a[placed].assign(period=stamp[placed].dt.to_period(period).dt.start_time.to_numpy())
    grid = pd.MultiIndex.from_product([sorted(a["period"].unique()), sorted(names.index)], names=["period", "persona"])
    counts = a.groupby(["period", persona_col]).size().rename_axis(["period", "persona"])
    out = counts.reindex(grid, fill_value=0).rename("customers").reset_index()
    out["persona_name"] = out["persona"].map(names).astype("string")
    out["period_customers"] = out.groupby("period")["customers"].transform("sum")
    out["share"] = out["customers"] / out["period_customers"]
    out["share_low"], out["share_high"] = wilson_interval(out["customers"], out["period_customers"])
    out.attrs["unplaced"] = int((~placed).sum())
    return out[["period", "persona", "persona_name", "customers", "period_customers", "share", "share_low", "share_high"]]


def persona_kpis(
    data,
    assignments: pd.DataFrame,
    *,
    sentiment: pd.DataFrame | pd.Series | bool | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    revenue_col: str = "revenue",
    customer_col: str = "customer_id",
    persona_col: str = "persona",
) -> pd.DataFrame:
    """Conversion, repeat purchase, spend, NPS and sentiment by persona.

    ``purchase_events`` are the conversion events (a bank's ``subscribed``); when the events have
    no ``revenue_col`` (or it is empty) the spend columns are missing (shown "n/a"), not 0.

    Returns
    -------
    DataFrame
        One row per persona: ``persona``, ``persona_name``, ``customers``, ``buyers``,
        ``conversion`` (``buyers / customers``, with ``conversion_low``/``conversion_high``: 95%
        Wilson interval), ``repeat_rate`` (buyers with two or more purchases / buyers),
        ``mean_spend`` (revenue per customer), ``spend_per_buyer``, ``nps_responses``, ``nps``
        (``100 × (promoters − detractors) / responses``; promoters answer 9–10, detractors 0–6,
        over feedback rows with a score), ``n_feedback`` and ``mean_sentiment`` (mean VADER
        compound of the persona's feedback, when known; see :func:`customer_features`).
    """
    a = check_assignments(assignments, customer_col, persona_col)
    events = data.events
    has_revenue = revenue_col in events.columns and bool(pd.to_numeric(events[revenue_col], errors="coerce").notna().any())
    if has_revenue and revenue_col != "revenue":
        import dataclasses

        data = dataclasses.replace(data, events=events.drop(columns=["revenue"], errors="ignore")
                                   .rename(columns={revenue_col: "revenue"}))
    with_events = len(data.customers) and len(data.events)
    feats = customer_features(data, profile_cols=[], feelings=False, purchase_events=list(purchase_events),
                              customer_col=customer_col) if with_events else pd.DataFrame()
    beh = feats.set_index(customer_col)[["frequency", "monetary"]] if len(feats) else None
    a = a.join(beh, on=customer_col) if beh is not None else a.assign(frequency=np.nan, monetary=np.nan)
    a[["frequency", "monetary"]] = a[["frequency", "monetary"]].fillna(0.0)

    fb = data.feedback
    per_fb = pd.DataFrame(index=fb.index)
    if len(fb) and customer_col in fb.columns:
        per_fb["persona"] = fb[customer_col].map(a.set_index(customer_col)[persona_col])
        if "nps" in fb.columns:
            per_fb["nps"] = pd.to_numeric(fb["nps"]).astype("float64")
        comp = compound_scores(fb, sentiment)
        if comp is not None:
            per_fb["sent"] = comp
        per_fb = per_fb[per_fb["persona"].notna()]
    names = _names(a, persona_col)
    rows = []
    for p, grp in a.groupby(persona_col, sort=True):
        buyers = grp["frequency"] > 0
        row = {
            "persona": p, "persona_name": names[p], "customers": len(grp), "buyers": int(buyers.sum()),
            "repeat_rate": float((grp.loc[buyers, "frequency"] >= 2).mean()) if buyers.any() else np.nan,
            "mean_spend": float(grp["monetary"].mean()) if has_revenue else np.nan,
            "spend_per_buyer": float(grp.loc[buyers, "monetary"].mean()) if buyers.any() and has_revenue else np.nan,
        }
        f = per_fb[per_fb["persona"] == p] if "persona" in per_fb.columns else per_fb.iloc[0:0]
        row["n_feedback"] = len(f)
        if "nps" in f.columns:
            s = f["nps"].dropna()
            row["nps_responses"] = len(s)
            row["nps"] = 100.0 * ((s >= 9).mean() - (s <= 6).mean()) if len(s) else np.nan
        if "sent" in f.columns:
            row["mean_sentiment"] = float(f["sent"].mean()) if len(f) else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out["conversion"] = out["buyers"] / out["customers"]
    out["conversion_low"], out["conversion_high"] = wilson_interval(out["buyers"], out["customers"])
    if not with_events:  # nothing to convert on: not 0%
        out[["conversion", "conversion_low", "conversion_high", "repeat_rate"]] = np.nan
    first = ["persona", "persona_name", "customers", "buyers", "conversion", "conversion_low", "conversion_high"]
    return out[first + [c for c in out.columns if c not in first]]


_PAIN_COLUMNS = ["persona", "persona_name", "pain_point", "complaint", "mentions", "share_of_negative",
                 "mean_sentiment", "quotes"]


def persona_pain_points(
    data,
    assignments: pd.DataFrame,
    *,
    sentiment: pd.DataFrame | pd.Series | bool | None = None,
    top: int = 3,
    n_quotes: int = 2,
    min_mentions: int = 3,
    customer_col: str = "customer_id",
    persona_col: str = "persona",
    text_col: str = "text",
    redact: bool | Callable[[str], str] = True,
) -> pd.DataFrame:
    """Each persona's top pain points in its negative feedback, with representative quotes.

    The pain points are :func:`jkit.pain_points.pain_point_themes` within each persona (what the
    persona's negative feedback is about, variants merged, most negative texts first), keeping the
    ``top`` themes whose phrases are held by at least ``min_mentions`` texts whatever their
    z-score — a compact view for persona cards. Sentiment is ``sentiment`` as in
    :func:`customer_features`, else scored now with :func:`jkit.sentiment.score_sentiment`.
    Quotes pass through :func:`jkit.pain_points.representative_quotes`, so they are redacted
    unless ``redact=False``.

    Returns
    -------
    DataFrame
        ``persona``, ``persona_name``, ``pain_point`` (the theme's name), ``complaint`` (what
        is said of it, e.g. "broken"; "" when nothing is common), ``mentions`` (negative texts of
        the persona in the theme), ``share_of_negative``, ``mean_sentiment`` (of the texts holding it) and
        ``quotes`` (a list of up to ``n_quotes`` texts). Empty when there is no feedback or no
        customer link.
    """
    from jkit.pain_points import pain_point_themes

    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top={top!r} should be a whole number >= 1")
    a = check_assignments(assignments, customer_col, persona_col)
    fb = data.feedback
    empty = pd.DataFrame(columns=_PAIN_COLUMNS)
    if fb is None or fb.empty or customer_col not in fb.columns or text_col not in fb.columns:
        return empty
    comp = compound_scores(fb, sentiment)
    if comp is None:
        from jkit.sentiment import score_sentiment

        comp = score_sentiment(fb, text_col=text_col, progress=False)["compound"].to_numpy(dtype="float64")
    frame = pd.DataFrame({
        "persona": fb[customer_col].map(a.set_index(customer_col)[persona_col]).to_numpy(),
        "text": fb[text_col].to_numpy(),
        "compound": comp,
    })
    frame["label"] = np.select([frame["compound"] <= -0.05, frame["compound"] >= 0.05],
                               ["negative", "positive"], "neutral")
    frame = frame[frame["persona"].notna() & frame["compound"].notna()].reset_index(drop=True)
    if frame.empty or not (frame["label"] == "negative").any():
        return empty
    pains = pain_point_themes(frame, by="persona", min_count=min_mentions, min_negative=1, min_z=float("-inf"),
                              top=top, n_quotes=n_quotes, redact=redact)
    if pains.empty:
        return empty
    negatives = frame[frame["label"] == "negative"].groupby("persona").size()
    names = _names(a, persona_col)
    persona_of = {str(p): p for p in frame["persona"].unique()}
    pains = pains[pains["n_negative"] > 0]
    persona = pains["persona"].astype(str).map(persona_of)
    return pd.DataFrame({
        "persona": persona.to_numpy(),
        "persona_name": [names.get(p, str(p)) for p in persona],
        "pain_point": pains["theme"].to_numpy(),
        "complaint": pains["complaint"].to_numpy(),
        "mentions": pains["n_negative"].astype("int64").to_numpy(),
        "share_of_negative": (pains["n_negative"] / persona.map(negatives)).to_numpy(dtype="float64"),
        "mean_sentiment": pains["mean_compound"].to_numpy(dtype="float64"),
        "quotes": pains["quotes"].to_numpy(),
    }, columns=_PAIN_COLUMNS).reset_index(drop=True)


def compare_segments(
    assignments: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    persona_col: str = "persona_name",
    segment_col: str = "segment",
    normalize: str | None = "index",
) -> pd.DataFrame:
    """Crosstab of personas (rows) against rule-based segments such as RFM (columns).

    Parameters
    ----------
    normalize : {"index", "columns", None}, default "index"
        ``"index"``: each persona's row sums to 1 (its customers' segment mix); ``"columns"``:
        each segment's column sums to 1; None: customer counts.

    Returns
    -------
    DataFrame
        Personas × segments; customers missing from either table are left out.
    """
    if normalize not in ("index", "columns", None):
        raise ParameterError(f"normalize={normalize!r} should be 'index', 'columns' or None")
    for name, frame, col in (("assignments", assignments, persona_col), ("segments", segments, segment_col)):
        require_columns(frame, [customer_col, col], name)
    merged = assignments[[customer_col, persona_col]].merge(segments[[customer_col, segment_col]], on=customer_col)
    seg = merged[segment_col]
    if isinstance(segments[segment_col].dtype, pd.CategoricalDtype):
        seg = pd.Categorical(seg, categories=segments[segment_col].cat.categories)
    table = pd.crosstab(merged[persona_col], seg, normalize=normalize or False, dropna=False)
    table.columns.name = segment_col
    return table
