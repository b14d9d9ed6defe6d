"""The customer journey map, made from data: stages × lanes, per persona, and between two periods.

For each stage of the stage model the map holds

* **reach** — customers reaching the stage (ordered stage funnel, :func:`jkit.funnels.stage_funnel`)
  and conversion from the previous stage with its Wilson interval; ``dropoff = 1 − conversion``;
* **actions** — the stage's most frequent events and their share of the stage's events;
* **touchpoints** — the share of the stage's events on each touchpoint;
* **emotion** — mean VADER compound sentiment of the feedback given at that stage, with a t interval;
* **pain points** — the phrases most over-represented in negative feedback at that stage
  (:func:`jkit.sentiment.pain_points`), with how many feedback texts mention them;
* **opportunities** — (stage, pain point) pairs ranked by

  ``score = share_touched × negativity × (1 + dropoff)``

  where ``share_touched`` is the share of the stage's feedback that mentions the pain point,
  ``negativity = max(0, −mean sentiment of those texts)``, and ``dropoff`` is the stage's drop-off
  rate (1 − conversion from the previous stage; 0 for the first stage). Volume and feeling rank
  first; a leaky stage lifts its pain points by up to twice.

Feedback without a ``stage`` is placed at the stage of the customer's latest event at or before the
feedback's time; anonymous feedback without a stage cannot be placed and is counted as such.
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import JkitWarning, ParameterError
from jkit.io import JourneyData
from jkit.safe_csv import to_csv_text
from jkit.stats import (
    mean_difference_interval,
    mean_interval,
    proportion_difference_interval,
)

__all__ = [
    "JourneyMap",
    "JourneyComparison",
    "journey_map",
    "journey_maps_by_persona",
    "compare_periods",
    "opportunities",
    "feedback_stages",
    "available_lanes",
    "default_period_cut",
    "period_comparison_note",
    "scaled_window",
    "format_instant",
    "OPPORTUNITY_FORMULA",
    "LANES",
]

OPPORTUNITY_FORMULA = "score = share of the stage's feedback touched × negativity (−mean sentiment) × (1 + drop-off rate)"


@dataclass
class JourneyMap:
    """A journey map: one tidy table per lane, all keyed by ``stage``.

    Attributes
    ----------
    stages : list of str
        Stage names in journey order.
    reach : DataFrame
        ``stage, customers, conversion_from_previous, conversion_low, conversion_high, dropoff``.
    actions : DataFrame
        ``stage, event, events, share`` (top events per stage).
    touchpoints : DataFrame
        ``stage, touchpoint, events, share``.
    emotion : DataFrame
        ``stage, feedback, mean, low, high`` (mean compound sentiment and its interval).
    pain_points : DataFrame
        ``stage, phrase, count, mean_sentiment, score`` (top pain points per stage).
    opportunities : DataFrame
        ``rank, stage, pain_point, share_touched, negativity, dropoff, score``.
    meta : dict
        Title, persona, period, counts, parameters.
    """

    stages: list[str]
    reach: pd.DataFrame
    actions: pd.DataFrame
    touchpoints: pd.DataFrame
    emotion: pd.DataFrame
    pain_points: pd.DataFrame
    opportunities: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    LANE_TABLES = ("reach", "actions", "touchpoints", "emotion", "pain_points", "opportunities")

    @property
    def title(self) -> str:
        return str(self.meta.get("title", "Customer journey map"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``meta``, ``stages`` and one list of records per lane."""
        out: dict[str, Any] = {"meta": _jsonable(self.meta), "stages": list(self.stages)}
        for lane in self.LANE_TABLES:
            frame = getattr(self, lane)
            out[lane] = json.loads(frame.to_json(orient="records", date_format="iso", double_precision=6))
        return out

    def to_json(self, path: str | Path | None = None) -> str:
        """The map as JSON; written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if path is not None:
            _write_atomic(Path(path), text)
        return text

    def to_frame(self) -> pd.DataFrame:
        """The map as one tidy table: ``lane, stage, item, metric, value``."""
        rows = []
        item_col = {"actions": "event", "touchpoints": "touchpoint", "pain_points": "phrase",
                    "opportunities": "pain_point"}
        for lane in self.LANE_TABLES:
            frame = getattr(self, lane)
            key = item_col.get(lane)
            for rec in frame.to_dict(orient="records"):
                item = rec.get(key, "") if key else ""
                for metric, value in rec.items():
                    if metric in ("stage", key):
                        continue
                    rows.append({"lane": lane, "stage": rec.get("stage"), "item": item, "metric": metric,
                                 "value": value})
        return pd.DataFrame(rows, columns=["lane", "stage", "item", "metric", "value"])

    def to_csv(self, path: str | Path) -> None:
        """Write :meth:`to_frame` as CSV."""
        # cells that a spreadsheet would run as formulas (a pain point "=HYPERLINK(...)") are neutralised
        _write_atomic(Path(path), to_csv_text(self.to_frame()))

    def plot(self, **kwargs: Any):
        """Draw the map (see :func:`jkit.plotting.journey_map.plot_journey_map`)."""
        from jkit.plotting.journey_map import plot_journey_map

        return plot_journey_map(self, **kwargs)

    def _repr_html_(self) -> str:
        reach = self.reach.set_index("stage").reindex(self.stages)
        emo = self.emotion.set_index("stage").reindex(self.stages)
        head = "".join(f"<th>{html.escape(s)}</th>" for s in self.stages)
        cust = "".join(f"<td>{v:,.0f}</td>" for v in reach["customers"].fillna(0))
        conv = "".join("<td>–</td>" if pd.isna(v) else f"<td>{v:.0%}</td>" for v in reach["conversion_from_previous"])
        mood = "".join("<td>–</td>" if pd.isna(v) else f"<td>{v:+.2f}</td>" for v in emo["mean"])
        return (f"<div><b>{html.escape(self.title)}</b><table><tr><th></th>{head}</tr>"
                f"<tr><th>customers</th>{cust}</tr><tr><th>conversion</th>{conv}</tr>"
                f"<tr><th>sentiment</th>{mood}</tr></table></div>")


@dataclass
class JourneyComparison:
    """Two journey maps (earlier, later) and the changes between them with their uncertainty.

    ``changes`` columns: ``stage, measure, item, before, after, change, low, high, significant``
    where ``measure`` is ``conversion``, ``sentiment`` or ``pain_point_share``, and ``significant``
    says whether the 95% interval of the change excludes zero.
    """

    before: JourneyMap
    after: JourneyMap
    changes: pd.DataFrame
    cut: pd.Timestamp | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cut": None if self.cut is None else self.cut.isoformat(),
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "changes": json.loads(self.changes.to_json(orient="records", double_precision=6)),
        }


# --------------------------------------------------------------------------- helpers


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.isoformat()  # ISO 8601 duration, e.g. P0DT3H0M0S
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def feedback_stages(data: JourneyData) -> pd.Series:
    """The stage of each feedback row: its ``stage`` column, else the customer's stage at that time.

    Returns a ``string`` Series aligned with ``data.feedback`` (NA where it cannot be placed).
    """
    fb = data.feedback
    given = fb["stage"].astype("string") if "stage" in fb.columns else pd.Series(pd.NA, index=fb.index, dtype="string")
    need = given.isna() & fb["customer_id"].notna() if "customer_id" in fb.columns else given.isna() & False
    if not need.any():
        return given
    ev = data.events_with_stage()[["customer_id", "timestamp", "stage"]].dropna()
    ev = ev.sort_values("timestamp")
    q = fb.loc[need, ["customer_id", "timestamp"]].reset_index().sort_values("timestamp")
    placed = pd.merge_asof(q, ev, on="timestamp", by="customer_id", direction="backward")
    out = given.copy()
    out.loc[placed["index"].to_numpy()] = placed["stage"].astype("string").to_numpy()
    return out


def opportunities(
    pain_points: pd.DataFrame, reach: pd.DataFrame, feedback_per_stage: pd.Series, *, top_n: int = 5
) -> pd.DataFrame:
    """Rank (stage, pain point) pairs by :data:`OPPORTUNITY_FORMULA`.

    Parameters
    ----------
    pain_points : DataFrame
        ``stage, phrase, count, mean_sentiment`` (one row per pain point per stage).
    reach : DataFrame
        ``stage, dropoff``.
    feedback_per_stage : Series
        Number of feedback texts per stage (index: stage).

    Returns
    -------
    DataFrame
        ``rank, stage, pain_point, share_touched, negativity, dropoff, score``, best first.
    """
    cols = ["rank", "stage", "pain_point", "share_touched", "negativity", "dropoff", "score"]
    if pain_points.empty:
        return pd.DataFrame(columns=cols)
    pp = pain_points.copy()
    dropoff = reach.set_index("stage")["dropoff"].fillna(0.0)
    n_stage = feedback_per_stage.reindex(pp["stage"]).to_numpy(dtype=float)
    pp["share_touched"] = pp["count"].to_numpy(dtype=float) / np.where(n_stage > 0, n_stage, np.nan)
    pp["negativity"] = (-pp["mean_sentiment"].astype(float)).clip(lower=0)
    pp["dropoff"] = pp["stage"].map(dropoff).fillna(0.0).astype(float)
    pp["score"] = pp["share_touched"] * pp["negativity"] * (1 + pp["dropoff"])
    pp = pp[pp["score"] > 0].sort_values("score", ascending=False).head(top_n).reset_index(drop=True)
    pp["rank"] = np.arange(1, len(pp) + 1)
    return pp.rename(columns={"phrase": "pain_point"})[cols]


# --------------------------------------------------------------------------- building the map

LANES = ("reach", "actions", "touchpoints", "emotion", "pain_points", "opportunities")


_FEEDBACK_LANES = {"emotion": "emotion", "pain_points": "pain points", "opportunities": "opportunities"}


def available_lanes(data: JourneyData, lanes: Sequence[str] = LANES) -> tuple[list[str], dict[str, str]]:
    """The lanes of ``lanes`` the study has data for, and a one-line note for each one left out.

    ``reach`` and ``actions`` need events; ``touchpoints`` real touchpoints (not the default
    ``unknown``); ``emotion``, ``pain_points`` and ``opportunities`` feedback texts. Returns
    ``(kept, notes)`` with ``notes[lane] = "The emotion lane is left out: the study has no feedback."``.
    """
    unknown = [lane for lane in lanes if lane not in LANES]
    if unknown:
        raise ParameterError(f"lanes: unknown lane {unknown[0]!r}; the lanes are {', '.join(LANES)}")
    kept, notes = [], {}
    for lane in lanes:
        label = lane.replace("_", " ")
        why = None
        if not data.has("events"):
            why = "the study has no events"
        elif lane == "touchpoints" and not data.has("events", "touchpoint"):
            why = "the events carry no touchpoint (channel) column"
        elif lane in _FEEDBACK_LANES and not data.has("feedback", "text"):
            why = "the study has no feedback texts"
        if why is None:
            kept.append(lane)
        else:
            notes[lane] = f"The {label} lane is left out: {why}."
    return kept, notes


def _span(data: JourneyData) -> pd.Timedelta | None:
    start, end = data.period
    return None if start is None else end - start


def scaled_window(data: JourneyData, window: str | pd.Timedelta = "90D") -> pd.Timedelta:
    """The funnel window, no longer than the data's span (rounded up to the minute, hour or day).

    A 3-hour clickstream gets a 3-hour window rather than "90 days" nobody could observe.
    """
    try:
        wanted = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ParameterError(f"window={window!r} should be a duration such as '90D' or '6h'") from None
    span = _span(data)
    if span is None or span <= pd.Timedelta(0) or wanted <= span:
        return wanted
    unit = "min" if span < pd.Timedelta(hours=2) else "h" if span < pd.Timedelta(days=2) else "D"
    return max(span.ceil(unit), pd.Timedelta(1, unit=unit))


def period_comparison_note(data: JourneyData) -> str | None:
    """Why the study cannot be split into an earlier and a later period, or None when it can."""
    if not data.has("events"):
        return "the study has no events"
    ts = data.events["timestamp"].dropna()
    if ts.dt.floor("h").nunique() < 2:
        return "the events span less than two distinct hours"
    return None


def default_period_cut(data: JourneyData) -> pd.Timestamp | None:
    """The instant that splits the events in two halves: the median event time, inside the period.

    Rounded to the day when the data spans weeks, to the minute when it spans hours; always
    strictly after the first event and at or before the last (None without event times).
    """
    start, end = data.period
    if start is None or start == end:
        return None
    ts = data.events["timestamp"].dropna()
    cut = ts.quantile(0.5, interpolation="nearest")
    span = end - start
    unit = "D" if span >= pd.Timedelta(days=14) else "h" if span >= pd.Timedelta(days=2) else "min"
    rounded = cut.round(unit)
    if start < rounded <= end:
        cut = rounded
    if not start < cut <= end:
        cut = start + span / 2
    return cut


def format_instant(ts: pd.Timestamp | str, data: JourneyData | None = None) -> str:
    """A cut for readers: the date, with the time (UTC) when the data spans under two days or the cut has one."""
    t = pd.Timestamp(ts)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    span = _span(data) if data is not None else None
    short = span is not None and span < pd.Timedelta(days=2)
    if short or t != t.normalize():
        return f"{t:%Y-%m-%d %H:%M} UTC"
    return f"{t:%Y-%m-%d}"


def _subset(data: JourneyData, *, customers: pd.Index | None = None, start=None, end=None) -> JourneyData:
    """The same study restricted to some customers and/or a time range [start, end)."""
    cust, events, feedback = data.customers, data.events, data.feedback
    if customers is not None:
        cust = cust[cust["customer_id"].isin(customers)]
        events = events[events["customer_id"].isin(customers)]
        feedback = feedback[feedback["customer_id"].isin(customers)] if "customer_id" in feedback else feedback.iloc[:0]
    if start is not None:
        events = events[events["timestamp"] >= start]
        feedback = feedback[feedback["timestamp"] >= start]
    if end is not None:
        events = events[events["timestamp"] < end]
        feedback = feedback[feedback["timestamp"] < end]
    return JourneyData(
        customers=cust.reset_index(drop=True),
        events=events.reset_index(drop=True),
        feedback=feedback.reset_index(drop=True),
        stages=data.stages,
        sources=data.sources,
        validation=data.validation,
    )


def _score_feedback(data: JourneyData, scored: pd.DataFrame | None, rules: str, engine: str | None = None) -> pd.DataFrame:
    """Feedback with ``compound``, ``label`` and a ``stage`` (see :func:`feedback_stages`)."""
    fb = data.feedback
    if scored is None:
        from jkit.sentiment import score_sentiment

        # sentiment has no DuckDB engine: only Spark changes where it runs
        where = "spark" if engine == "spark" else None
        scores = score_sentiment(fb, rules=rules, progress=False, engine=where) if len(fb) else pd.DataFrame(
            {"compound": pd.Series(dtype=float), "label": pd.Series(dtype="string")}
        )
        scores = scores[["compound", "label"]]
    else:
        if "feedback_id" not in scored.columns or not {"compound", "label"} <= set(scored.columns):
            raise ParameterError("scored= should be a DataFrame with feedback_id, compound and label columns")
        scores = fb[["feedback_id"]].merge(scored[["feedback_id", "compound", "label"]], on="feedback_id", how="left")
        scores.index = fb.index
        scores = scores[["compound", "label"]]
    out = fb.copy()
    out["compound"] = scores["compound"].to_numpy()
    out["label"] = scores["label"].to_numpy()
    out["stage"] = feedback_stages(data)
    return out


def _reach(data: JourneyData, window: str, engine: str | None = None) -> pd.DataFrame:
    from jkit.funnels import stage_funnel

    names = data.stages.names
    if data.events.empty:
        table = pd.DataFrame({"step_name": names, "customers": 0, "conversion_from_previous": np.nan,
                              "conversion_from_previous_low": np.nan, "conversion_from_previous_high": np.nan})
    else:
        table = stage_funnel(data, window=window, engine=engine)
    out = pd.DataFrame(
        {
            "stage": table["step_name"].astype(str).to_numpy(),
            "customers": table["customers"].to_numpy(dtype="int64"),
            "conversion_from_previous": table["conversion_from_previous"].to_numpy(dtype=float),
            "conversion_low": table["conversion_from_previous_low"].to_numpy(dtype=float),
            "conversion_high": table["conversion_from_previous_high"].to_numpy(dtype=float),
        }
    )
    out.loc[0, ["conversion_from_previous", "conversion_low", "conversion_high"]] = np.nan
    out["dropoff"] = (1 - out["conversion_from_previous"]).fillna(0.0)
    return out


def _actions_and_touchpoints(data: JourneyData, top_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = data.events_with_stage()[["stage", "event", "touchpoint"]].dropna(subset=["stage"])
    per_stage = ev.groupby("stage", observed=True).size()
    acts = ev.groupby(["stage", "event"], observed=True).size().rename("events").reset_index()
    acts["share"] = acts["events"] / acts["stage"].map(per_stage)
    order = {s: i for i, s in enumerate(data.stages.names)}
    acts = (acts.assign(_o=acts["stage"].map(order)).sort_values(["_o", "events"], ascending=[True, False])
            .groupby("stage", sort=False).head(top_n).drop(columns="_o").reset_index(drop=True))
    tps = ev.groupby(["stage", "touchpoint"], observed=True).size().rename("events").reset_index()
    tps["share"] = tps["events"] / tps["stage"].map(per_stage)
    tps = tps.assign(_o=tps["stage"].map(order)).sort_values(["_o", "touchpoint"]).drop(columns="_o")
    for frame in (acts, tps):
        for col in frame.columns[:2]:
            frame[col] = frame[col].astype(str)
    return acts.reset_index(drop=True), tps.reset_index(drop=True)


def _emotion(scored: pd.DataFrame, names: list[str], confidence: float) -> pd.DataFrame:
    rows = []
    for stage in names:
        values = scored.loc[scored["stage"] == stage, "compound"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        mean, low, high = mean_interval(values, confidence)
        sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
        rows.append({"stage": stage, "feedback": int(values.size), "mean": mean, "low": low, "high": high, "sd": sd})
    return pd.DataFrame(rows, columns=["stage", "feedback", "mean", "low", "high", "sd"])


def _stage_pain_points(scored: pd.DataFrame, names: list[str], top_n: int, min_count: int,
                       customers: pd.DataFrame | None = None) -> pd.DataFrame:
    from jkit.pain_points import pain_points
    from jkit.privacy import Redactor, customer_names

    # phrases naming a customer ("agent yuki parker") are withheld, as in the sentiment report
    redactor = Redactor(names=customer_names(customers) if customers is not None else ())

    cols = ["stage", "phrase", "count", "mean_sentiment", "z"]
    placed = scored[scored["stage"].isin(names) & scored["compound"].notna()]
    if placed.empty:
        return pd.DataFrame(columns=cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        pp = pain_points(placed, by="stage", top=top_n, min_count=min_count, n_quotes=0, redact=redactor)
    if pp.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"stage": pp["stage"].astype(str), "phrase": pp["phrase"].astype(str),
                        "count": pp["n"].astype("int64"), "mean_sentiment": pp["mean_compound"].astype(float),
                        "z": pp["z"].astype(float)})
    order = {s: i for i, s in enumerate(names)}
    out = out.assign(_o=out["stage"].map(order)).sort_values(["_o", "z"], ascending=[True, False])
    return out.drop(columns="_o").reset_index(drop=True)


def journey_map(
    data: JourneyData,
    *,
    scored: pd.DataFrame | None = None,
    window: str = "90D",
    top_n: int = 3,
    min_count: int = 5,
    n_opportunities: int = 5,
    rules: str = "feedback",
    confidence: float = 0.95,
    title: str | None = None,
    engine: str | None = None,
) -> JourneyMap:
    """Build the journey map of a study.

    Parameters
    ----------
    data : JourneyData
        The study (:func:`jkit.load`).
    scored : DataFrame, optional
        Precomputed sentiment per feedback (``feedback_id, compound, label``); scored with
        :func:`jkit.sentiment.score_sentiment` when omitted.
    window : str, default "90D"
        Funnel window for reaching the stages (ordered stage funnel).
    top_n : int, default 3
        Actions and pain points shown per stage.
    min_count : int, default 5
        Fewest feedback texts a pain-point phrase must occur in at its stage.
    n_opportunities : int, default 5
        Opportunities kept.
    rules : str, default "feedback"
        Sentiment rules (see :func:`jkit.sentiment.score_sentiment`).
    confidence : float, default 0.95
        Level of the intervals.
    title : str, optional
        Figure title.
    engine : {"pandas", "duckdb", "spark"}, optional
        Engine of the funnel and the sentiment scoring (see :mod:`jkit.spark`); the map is the same.

    Returns
    -------
    JourneyMap

    Examples
    --------
    >>> jmap = journey_map(jkit.load("data/sample"))     # doctest: +SKIP
    >>> jmap.plot(); jmap.to_json("map.json")             # doctest: +SKIP
    """
    for name, value in (("top_n", top_n), ("min_count", min_count), ("n_opportunities", n_opportunities)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ParameterError(f"{name}={value!r} should be a positive whole number")
    names = data.stages.names
    scored_fb = _score_feedback(data, scored, rules, engine)
    unplaced = int(scored_fb["stage"].isna().sum())
    reach = _reach(data, window, engine)
    actions, touchpoints = _actions_and_touchpoints(data, top_n)
    emotion = _emotion(scored_fb, names, confidence)
    pains = _stage_pain_points(scored_fb, names, top_n, min_count, data.customers)
    per_stage = emotion.set_index("stage")["feedback"]
    opps = opportunities(pains, reach, per_stage, top_n=n_opportunities)
    start, end = data.period
    meta = {
        "title": title or "Customer journey map",
        "stage_model": data.stages.name,
        "period": {"start": start, "end": end},
        "customers": len(data.customers),
        "events": len(data.events),
        "feedback": len(data.feedback),
        "feedback_unplaced": unplaced,
        "window": window,
        "confidence": confidence,
        "opportunity_formula": OPPORTUNITY_FORMULA,
        "emotion_dip_stage": _argmin_stage(emotion, "mean"),
        "largest_dropoff_stage": _argmax_stage(reach.iloc[1:], "dropoff"),
    }
    return JourneyMap(list(names), reach, actions, touchpoints, emotion, pains, opps, meta)


def _argmin_stage(frame: pd.DataFrame, col: str) -> str | None:
    values = frame[col].astype(float)
    return None if values.isna().all() else str(frame.loc[values.idxmin(), "stage"])


def _argmax_stage(frame: pd.DataFrame, col: str) -> str | None:
    values = frame[col].astype(float)
    return None if values.isna().all() else str(frame.loc[values.idxmax(), "stage"])


def _persona_series(data: JourneyData, personas: pd.Series | pd.DataFrame | str) -> pd.Series:
    if isinstance(personas, str):
        if personas not in data.customers.columns:
            raise ParameterError(
                f"personas={personas!r} is not a column of the customers table; pass a column name, a Series "
                "indexed by customer_id, or a DataFrame with customer_id and persona columns"
            )
        return pd.Series(data.customers[personas].to_numpy(), index=data.customers["customer_id"].to_numpy())
    if isinstance(personas, pd.DataFrame):
        if not {"customer_id", "persona"} <= set(personas.columns):
            raise ParameterError("personas DataFrame should have customer_id and persona columns")
        return pd.Series(personas["persona"].to_numpy(), index=personas["customer_id"].astype(str).to_numpy())
    return personas


def journey_maps_by_persona(
    data: JourneyData, personas: pd.Series | pd.DataFrame | str, *, scored: pd.DataFrame | None = None, **kwargs: Any
) -> dict[str, JourneyMap]:
    """One journey map per persona (anonymous feedback is left out of every persona's map).

    ``personas`` is a customers-table column name, a Series indexed by customer id (e.g. from
    ``PersonaModel.labels_``), or a DataFrame with ``customer_id`` and ``persona``.
    """
    labels = _persona_series(data, personas)
    if scored is None and len(data.feedback):
        from jkit.sentiment import score_sentiment

        s = score_sentiment(data.feedback, rules=kwargs.get("rules", "feedback"), progress=False,
                            engine="spark" if kwargs.get("engine") == "spark" else None)
        scored = pd.DataFrame({"feedback_id": data.feedback["feedback_id"], "compound": s["compound"],
                               "label": s["label"]})
    maps = {}
    for persona in sorted(pd.unique(labels.dropna()), key=str):
        ids = pd.Index(labels.index[labels == persona])
        sub = _subset(data, customers=ids)
        with _prefixed_warnings(f"persona {persona}"):
            maps[str(persona)] = journey_map(sub, scored=scored, title=f"Journey map — {persona}", **kwargs)
        maps[str(persona)].meta["persona"] = str(persona)
    return maps


class _prefixed_warnings:
    """Re-warn the JkitWarnings raised inside with ``prefix: `` so a reader knows which part they are about."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self._seen = self._cm.__enter__()
        warnings.simplefilter("always", JkitWarning)
        return self

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)
        for w in self._seen:
            if issubclass(w.category, JkitWarning):
                warnings.warn(f"{self.prefix}: {w.message}", w.category, stacklevel=3)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _phrase_counts(scored: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    from jkit.pain_points import candidate_phrases

    counts: dict[tuple[str, str], int] = {}
    by_stage: dict[str, list[str]] = {}
    for stage, phrase in pairs:
        by_stage.setdefault(stage, []).append(phrase)
    for stage, phrases in by_stage.items():
        texts = scored.loc[(scored["stage"] == stage) & scored["compound"].notna(), "text"]
        grams = [candidate_phrases(t) for t in texts if isinstance(t, str)]
        for phrase in phrases:
            counts[(stage, phrase)] = sum(phrase in g for g in grams)
    return counts


def compare_periods(
    data: JourneyData,
    cut: str | pd.Timestamp | None = None,
    *,
    later: JourneyData | None = None,
    scored: pd.DataFrame | None = None,
    confidence: float = 0.95,
    **kwargs: Any,
) -> JourneyComparison:
    """The map before and after ``cut`` (or of ``data`` and ``later``) with the changes measured.

    Each period's map counts only that period's events and feedback. Changes per stage:
    conversion from the previous stage (Newcombe interval of the difference), mean sentiment
    (Welch interval) and the share of the stage's feedback that mentions each pain point of
    either map (Newcombe). ``significant`` is True when the interval excludes 0.
    """
    if (cut is None) == (later is None):
        raise ParameterError("compare_periods needs either cut= (a date) or later= (a second JourneyData)")
    if later is None:
        cut_ts = pd.Timestamp(cut)
        cut_ts = cut_ts.tz_localize("UTC") if cut_ts.tzinfo is None else cut_ts.tz_convert("UTC")
        start, end = data.period
        if start is None or not (start < cut_ts <= end):
            raise ParameterError(f"cut={str(cut)!r} should fall inside the data's period ({start} to {end})")
        first, second = _subset(data, end=cut_ts), _subset(data, start=cut_ts)
    else:
        cut_ts, first, second = None, data, later
    scored_a = _score_feedback(first, scored, kwargs.get("rules", "feedback"), kwargs.get("engine"))
    scored_b = _score_feedback(second, scored, kwargs.get("rules", "feedback"), kwargs.get("engine"))
    ids_a = scored_a[["feedback_id", "compound", "label"]]
    ids_b = scored_b[["feedback_id", "compound", "label"]]
    with _prefixed_warnings("before the cut"):
        before = journey_map(first, scored=ids_a, confidence=confidence, title="Before", **kwargs)
    with _prefixed_warnings("from the cut on"):
        after = journey_map(second, scored=ids_b, confidence=confidence, title="After", **kwargs)
    rows = []
    ra, rb = before.reach.set_index("stage"), after.reach.set_index("stage")
    names = before.stages
    for i, stage in enumerate(names[1:], start=1):
        prev = names[i - 1]
        d, lo, hi = proportion_difference_interval(ra.loc[stage, "customers"], ra.loc[prev, "customers"],
                                                   rb.loc[stage, "customers"], rb.loc[prev, "customers"], confidence)
        rows.append(_change(stage, "conversion", "", ra.loc[stage, "conversion_from_previous"],
                            rb.loc[stage, "conversion_from_previous"], float(d), float(lo), float(hi)))
    for stage in names:
        a = scored_a.loc[scored_a["stage"] == stage, "compound"]
        b = scored_b.loc[scored_b["stage"] == stage, "compound"]
        d, lo, hi = mean_difference_interval(a, b, confidence)
        rows.append(_change(stage, "sentiment", "", a.mean(), b.mean(), d, lo, hi))
    pairs = sorted(set(map(tuple, before.pain_points[["stage", "phrase"]].to_numpy()))
                   | set(map(tuple, after.pain_points[["stage", "phrase"]].to_numpy())))
    if pairs:
        ca, cb = _phrase_counts(scored_a, pairs), _phrase_counts(scored_b, pairs)
        na = before.emotion.set_index("stage")["feedback"]
        nb = after.emotion.set_index("stage")["feedback"]
        for stage, phrase in pairs:
            d, lo, hi = proportion_difference_interval(ca[(stage, phrase)], na[stage], cb[(stage, phrase)],
                                                       nb[stage], confidence)
            share_a = ca[(stage, phrase)] / na[stage] if na[stage] else np.nan
            share_b = cb[(stage, phrase)] / nb[stage] if nb[stage] else np.nan
            rows.append(_change(stage, "pain_point_share", phrase, share_a, share_b, float(d), float(lo), float(hi)))
    changes = pd.DataFrame(rows, columns=["stage", "measure", "item", "before", "after", "change", "low", "high",
                                          "significant"])
    return JourneyComparison(before=before, after=after, changes=changes, cut=cut_ts)


def _change(stage, measure, item, before, after, change, low, high) -> dict[str, Any]:
    # None where nothing could be tested (no interval), not False
    significant = bool(low > 0 or high < 0) if pd.notna(low) and pd.notna(high) else None
    return {"stage": stage, "measure": measure, "item": item, "before": float(before), "after": float(after),
            "change": change, "low": low, "high": high, "significant": significant}


def persona_labels(
    data: JourneyData, source: str, *, data_dir: str | None = None, random_state: int = 0,
    columns: str | Sequence[str] | None = None, **fit: Any,
) -> pd.DataFrame | None:
    """Each customer's persona from one of several sources, for per-persona maps.

    ``source`` is ``""`` (no personas: returns None), ``"truth"`` (the sample data's
    ``personas_truth.csv`` beside the study in ``data_dir``, a folder or a study file),
    ``"model"`` (fit personas now with :func:`jkit.report_support.fit_personas`, the settings the
    persona report uses, so both show the same personas; ``columns`` are the persona columns), a
    path to a saved PersonaModel, or a customers column.

    Returns a DataFrame with ``customer_id`` and ``persona``.
    """
    from pathlib import Path

    if not source:
        return None
    if source == "truth":
        folder = Path(data_dir or ".")
        path = (folder.parent if folder.is_file() else folder) / "personas_truth.csv"
        if not path.exists():
            raise ParameterError(f"personas='truth' needs {path.name} beside the study (the sample data has one)")
        return pd.read_csv(path, dtype=str)[["customer_id", "persona"]]
    if source in data.customers.columns:
        return pd.DataFrame({"customer_id": data.customers["customer_id"], "persona": data.customers[source]})
    from jkit.personas import PersonaModel, customer_features

    if source == "model":
        from jkit.report_support import fit_personas

        _, assigned, _ = fit_personas(data, columns, random_state=random_state, **fit)
        return pd.DataFrame({"customer_id": assigned.iloc[:, 0].astype(str), "persona": assigned["persona_name"]})
    if Path(source).is_file():
        model = PersonaModel.load(source)
        features = customer_features(data)
    else:
        raise ParameterError(
            f"personas={source!r} should be '', 'truth', 'model', a saved PersonaModel file or a customers column"
        )
    assigned = model.assign(features)
    return pd.DataFrame({"customer_id": assigned.iloc[:, 0].astype(str), "persona": assigned["persona_name"]})
