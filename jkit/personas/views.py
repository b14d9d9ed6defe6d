"""Study-level views of personas: stage funnel, KPIs, pain points with quotes, persona cards.

These take the :class:`~jkit.io.JourneyData` and the assignments (``customer_id``, ``persona``,
``persona_name``) from :meth:`jkit.personas.PersonaModel.assign`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, ParameterError
from jkit.personas.features import PURCHASE_EVENTS, _compound, customer_features
from jkit.stats import wilson_interval

__all__ = [
    "persona_funnel",
    "persona_shares",
    "persona_kpis",
    "persona_pain_points",
    "persona_cards",
    "compare_segments",
    "PersonaCard",
]


def _check_assignments(assignments: pd.DataFrame, customer_col: str, persona_col: str) -> pd.DataFrame:
    if not isinstance(assignments, pd.DataFrame):
        raise ParameterError(f"assignments should be a DataFrame (model.assign(features)), got {type(assignments).__name__}")
    missing = [c for c in (customer_col, persona_col) if c not in assignments.columns]
    if missing:
        raise DataValidationError(
            f"assignments: no column {', '.join(map(repr, missing))}; found "
            f"{', '.join(map(repr, assignments.columns))} (use model.assign(features))"
        )
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

    a = _check_assignments(assignments, customer_col, persona_col)
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
    a = _check_assignments(assignments, customer_col, persona_col)
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
            raise DataValidationError(
                f"customers: no column {date!r} for date; found {', '.join(map(repr, data.customers.columns))} "
                "(or pass date='first_event')"
            )
        col = data.customers[date]
        if not pd.api.types.is_datetime64_any_dtype(col):
            raise DataValidationError(f"customers: column {date!r} is {col.dtype}, not a date; pass a date column")
        when = pd.Series(col.to_numpy(), index=data.customers[customer_col].to_numpy())
        when = when[~when.index.duplicated()]
    stamp = pd.to_datetime(a[customer_col].map(when))
    if stamp.dt.tz is not None:
        stamp = stamp.dt.tz_convert("UTC").dt.tz_localize(None)
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
    a = _check_assignments(assignments, customer_col, persona_col)
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
        comp = _compound(fb, sentiment)
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


_PAIN_COLUMNS = ["persona", "persona_name", "pain_point", "mentions", "share_of_negative", "mean_sentiment", "quotes"]


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

    The pain points are :func:`jkit.pain_points.pain_points` ranked within each persona (the
    persona's negative against its positive feedback; weighted log-odds with the prior from all
    feedback), keeping the ``top`` phrases held by at least ``min_mentions`` texts whatever their
    z-score — a compact view for persona cards. Sentiment is ``sentiment`` as in
    :func:`customer_features`, else scored now with :func:`jkit.sentiment.score_sentiment`.
    Quotes pass through :func:`jkit.pain_points.representative_quotes`, so they are redacted
    unless ``redact=False``.

    Returns
    -------
    DataFrame
        ``persona``, ``persona_name``, ``pain_point``, ``mentions`` (negative texts of the persona
        holding it), ``share_of_negative``, ``mean_sentiment`` (of the texts holding it) and
        ``quotes`` (a list of up to ``n_quotes`` texts). Empty when there is no feedback or no
        customer link.
    """
    from jkit.pain_points import pain_points

    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top={top!r} should be a whole number >= 1")
    a = _check_assignments(assignments, customer_col, persona_col)
    fb = data.feedback
    empty = pd.DataFrame(columns=_PAIN_COLUMNS)
    if fb is None or fb.empty or customer_col not in fb.columns or text_col not in fb.columns:
        return empty
    comp = _compound(fb, sentiment)
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
    pains = pain_points(frame, by="persona", min_count=min_mentions, min_z=float("-inf"), top=top,
                        n_quotes=n_quotes, redact=redact)
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
        "pain_point": pains["phrase"].to_numpy(),
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
        missing = [c for c in (customer_col, col) if c not in frame.columns]
        if missing:
            raise DataValidationError(f"{name}: no column {', '.join(map(repr, missing))}; found "
                                      f"{', '.join(map(repr, frame.columns))}")
    merged = assignments[[customer_col, persona_col]].merge(segments[[customer_col, segment_col]], on=customer_col)
    seg = merged[segment_col]
    if isinstance(segments[segment_col].dtype, pd.CategoricalDtype):
        seg = pd.Categorical(seg, categories=segments[segment_col].cat.categories)
    table = pd.crosstab(merged[persona_col], seg, normalize=normalize or False, dropna=False)
    table.columns.name = segment_col
    return table


# --------------------------------------------------------------------------- cards


@dataclass
class PersonaCard:
    """Everything a reader needs about one persona, shown as an HTML card in notebooks."""

    persona: int
    name: str
    size: int
    share: float
    traits: list[str] = field(default_factory=list)
    preferred_touchpoints: str = ""
    kpis: dict = field(default_factory=dict)
    funnel: list[tuple[str, float]] = field(default_factory=list)
    pain_points: list[tuple[str, list[str]]] = field(default_factory=list)
    stability: float = float("nan")

    def _repr_html_(self) -> str:
        from jkit.notebook import escape

        kpis = "".join(f"<li>{escape(k)}: <b>{escape(v)}</b></li>" for k, v in self.kpis.items())
        traits = "".join(f"<li>{escape(t)}</li>" for t in self.traits)
        funnel = " → ".join(f"{escape(s)} {r:.0%}" for s, r in self.funnel)
        pains = "".join(
            f"<li><b>{escape(p)}</b>" + "".join(f"<br><i>“{escape(q[:240])}”</i>" for q in quotes) + "</li>"
            for p, quotes in self.pain_points
        )
        stab = f" · stability {self.stability:.2f}" if np.isfinite(self.stability) else ""
        return (
            "<div style='border:1px solid #bbb;border-radius:8px;padding:.8em 1.2em;margin:.6em 0;max-width:56em'>"
            f"<div style='font-size:1.25em;font-weight:bold'>Persona {self.persona}: {escape(self.name)}</div>"
            f"<div style='color:#555'>{self.size:,} customers ({self.share:.1%}){stab}"
            + (f" · prefers {escape(self.preferred_touchpoints)}" if self.preferred_touchpoints else "") + "</div>"
            f"<div style='display:flex;gap:2em;flex-wrap:wrap'><div><b>What sets them apart</b><ul>{traits}</ul></div>"
            f"<div><b>KPIs</b><ul>{kpis}</ul></div></div>"
            + (f"<div><b>Funnel:</b> {funnel}</div>" if funnel else "")
            + (f"<div><b>Pain points</b><ul>{pains}</ul></div>" if pains else "")
            + "</div>"
        )


def _fmt_kpis(row: pd.Series) -> dict:
    out = {}
    if "conversion" in row and pd.notna(row["conversion"]):
        out["conversion"] = f"{row['conversion']:.1%}"
    if "repeat_rate" in row and pd.notna(row["repeat_rate"]):
        out["repeat purchase (of buyers)"] = f"{row['repeat_rate']:.1%}"
    if "mean_spend" in row:
        out["spend per customer"] = f"{row['mean_spend']:,.2f}" if pd.notna(row["mean_spend"]) else "n/a"
    if "nps" in row and pd.notna(row["nps"]):
        out["NPS"] = f"{row['nps']:+.0f}"
    elif "mean_nps" in row and pd.notna(row["mean_nps"]):
        out["mean NPS score"] = f"{row['mean_nps']:.1f}"
    if "mean_sentiment" in row and pd.notna(row["mean_sentiment"]):
        out["mean sentiment"] = f"{row['mean_sentiment']:+.2f}"
    return out


def persona_cards(
    model,
    *,
    kpis: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    pain_points: pd.DataFrame | None = None,
    n_traits: int = 4,
) -> list[PersonaCard]:
    """One :class:`PersonaCard` per persona of a fitted model, with optional study-level views.

    Parameters
    ----------
    model : PersonaModel
        Fitted.
    kpis, funnel, pain_points : DataFrame, optional
        Results of :func:`persona_kpis`, :func:`persona_funnel`, :func:`persona_pain_points`;
        without ``kpis`` the card shows the KPIs of ``model.profiles_``.
    n_traits : int, default 4
        Traits listed per card (by standardized effect).
    """
    from jkit.personas.profiles import describe_trait

    model._check_fitted()
    cards = []
    traits = model.traits_
    for _, prof in model.profiles_.iterrows():
        p = int(prof["persona"])
        t = traits[traits["persona"] == p]
        t = t[~((t["kind"] == "category") & (t["difference"] <= 0))]
        t = t.reindex(t["effect"].abs().sort_values(ascending=False).index).head(n_traits)
        krow = kpis[kpis["persona"] == p].iloc[0] if kpis is not None and (kpis["persona"] == p).any() else prof
        fun = []
        if funnel is not None:
            f = funnel[funnel["persona"] == p].sort_values("stage_index")
            fun = list(zip(f["stage"], f["reach"], strict=True))
        pains = []
        if pain_points is not None and len(pain_points):
            pp = pain_points[pain_points["persona"] == p]
            pains = [(r["pain_point"], list(r["quotes"])) for _, r in pp.iterrows()]
        cards.append(PersonaCard(
            persona=p, name=str(prof["name"]), size=int(prof["size"]), share=float(prof["share"]),
            traits=[describe_trait(r) for _, r in t.iterrows()],
            preferred_touchpoints=str(prof.get("preferred_touchpoints", "") or ""),
            kpis=_fmt_kpis(krow), funnel=fun, pain_points=pains,
            stability=float(prof.get("stability", np.nan)),
        ))
    return cards
