"""The customer journey map, made from data: stages × lanes, per persona, and between two periods.

For each stage of the stage model the map holds

* **reach** — customers reaching the stage (ordered stage funnel, :func:`jkit.funnels.stage_funnel`)
  and conversion from the previous stage with its Wilson interval; ``dropoff = 1 − conversion``;
* **actions** — the stage's most frequent events and their share of the stage's events;
* **touchpoints** — the share of the stage's events on each touchpoint;
* **emotion** — mean VADER compound sentiment of the feedback given at that stage, with a t interval;
* **pain points** — the pain-point themes of the feedback at that stage
  (:func:`jkit.pain_points.pain_point_themes`: what customers complain about most, variants merged,
  not praised more often than criticised), with the complaint most written with each ("slow") and
  how many feedback texts mention them;
* **opportunities** — (stage, theme) pairs, each read as an action on a theme ("slow support at
  retention"), ranked by

  ``score = share_touched × negativity × (1 + dropoff) × dropout_ratio``

  where ``share_touched`` is the share of the stage's feedback that mentions the pain point,
  ``negativity = max(0, −mean sentiment of those texts)``, ``dropoff`` is the stage's drop-off
  rate (1 − conversion from the previous stage; 0 for the first stage), and ``dropout_ratio`` how
  many times as often the theme's writers failed to reach the next stage, where that is significant
  (:mod:`jkit.journey_map.ranking`; else 1). Volume and feeling rank first; a leaky stage lifts its
  pain points by up to twice, a theme whose writers measurably leave by its ratio.

Feedback without a ``stage`` is placed at the stage of the customer's latest event at or before the
feedback's time; anonymous feedback without a stage cannot be placed and is counted as such.

This module owns the map itself (:class:`JourneyMap`, :func:`journey_map`) and its lanes; the
exports are :mod:`jkit.journey_map.exports`, per-persona maps and period comparisons
:mod:`jkit.journey_map.comparisons`.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import LANES, require_columns
from jkit.errors import JkitWarning, ParameterError
from jkit.io import JourneyData
from jkit.journey_map.exports import map_to_csv, map_to_dict, map_to_frame, map_to_json, write_export
from jkit.journey_map.ranking import OPPORTUNITY_FORMULA, dropout_association, opportunities
from jkit.stats import mean_interval

__all__ = [
    "JourneyMap",
    "journey_map",
    "opportunities",
    "feedback_stages",
    "available_lanes",
    "score_feedback",
    "subset_study",
    "OPPORTUNITY_FORMULA",
    "LANES",
]



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
        ``stage, phrase`` (the theme's name), ``complaint``, ``count`` (texts of the theme),
        ``negative`` (its negative texts), ``mean_sentiment, z`` (top themes per stage).
    opportunities : DataFrame
        ``rank, stage, pain_point, action, share_touched, negativity, dropoff, score``.
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
        return map_to_dict(self)

    def to_json(self, path: str | Path | None = None) -> str:
        """The map as JSON; written to ``path`` when given."""
        text = map_to_json(self)
        if path is not None:
            write_export(path, text)
        return text

    def to_frame(self) -> pd.DataFrame:
        """The map as one tidy table: ``lane, stage, item, metric, value``."""
        return map_to_frame(self)

    def to_csv(self, path: str | Path) -> None:
        """Write :meth:`to_frame` as CSV."""
        # cells that a spreadsheet would run as formulas (a pain point "=HYPERLINK(...)") are neutralised
        write_export(path, map_to_csv(self))

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


# --------------------------------------------------------------------------- building the map

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


def subset_study(data: JourneyData, *, customers: pd.Index | None = None, start=None, end=None) -> JourneyData:
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


def score_feedback(data: JourneyData, scored: pd.DataFrame | None, rules: str, engine: str | None = None) -> pd.DataFrame:
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
        require_columns(scored, ["feedback_id", "compound", "label"], "scored",
                        hint="scored= should be a DataFrame with feedback_id, compound and label columns")
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


def _stage_pain_points(scored: pd.DataFrame, names: list[str], top_n: int, min_count: int | None,
                       customers: pd.DataFrame | None = None) -> pd.DataFrame:
    from jkit.pain_points import pain_point_themes
    from jkit.privacy import Redactor, customer_names

    # themes naming a customer ("agent yuki parker") are withheld, as in the sentiment report
    redactor = Redactor(names=customer_names(customers) if customers is not None else ())

    cols = ["stage", "phrase", "complaint", "count", "negative", "mean_sentiment", "z"]
    placed = scored[scored["stage"].isin(names) & scored["compound"].notna()]
    if placed.empty:
        return pd.DataFrame(columns=cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        themes = pain_point_themes(placed, by="stage", top=top_n, min_count=min_count, n_quotes=0, redact=redactor)
    if themes.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"stage": themes["stage"].astype(str), "phrase": themes["theme"].astype(str),
                        "complaint": themes["complaint"].astype(str), "count": themes["n_texts"].astype("int64"),
                        "negative": themes["n_negative"].astype("int64"),
                        "mean_sentiment": themes["mean_compound"].astype(float), "z": themes["z"].astype(float)})
    order = {s: i for i, s in enumerate(names)}
    # within a stage the themes' own order: worst (most negative texts) first
    out = out.assign(_o=out["stage"].map(order), _r=themes["rank"].to_numpy()).sort_values(["_o", "_r"])
    out = out.drop(columns=["_o", "_r"]).reset_index(drop=True)
    # the variants merged into each theme, so that a period comparison counts the theme, not only its name
    out.attrs["variants"] = {(str(st), str(name)): tuple(map(str, phrases))
                             for st, name, phrases in zip(themes["stage"], themes["theme"], themes["phrases"], strict=True)}
    return out


def journey_map(
    data: JourneyData,
    *,
    scored: pd.DataFrame | None = None,
    window: str = "90D",
    top_n: int = 3,
    min_count: int | None = None,
    n_opportunities: int = 5,
    rules: str = "feedback",
    confidence: float = 0.95,
    title: str | None = None,
    engine: str | None = None,
    dropout: bool = True,
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
    min_count : int, optional
        Fewest feedback texts a pain-point theme's phrase must occur in at its stage; default
        adapts to the stage's feedback (:func:`jkit.pain_points.themes.default_min_count`).
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
    dropout : bool, default True
        Measure each theme's association with not reaching the next stage
        (:func:`jkit.drivers.theme_dropoff`) and lift the opportunities where it is significant.

    Returns
    -------
    JourneyMap

    Examples
    --------
    >>> jmap = journey_map(jkit.load("data/sample"))     # doctest: +SKIP
    >>> jmap.plot(); jmap.to_json("map.json")             # doctest: +SKIP
    """
    for name, value in (("top_n", top_n), ("min_count", min_count), ("n_opportunities", n_opportunities)):
        if name == "min_count" and value is None:
            continue
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name}={value!r} should be a positive whole number")
    names = data.stages.names
    scored_fb = score_feedback(data, scored, rules, engine)
    unplaced = int(scored_fb["stage"].isna().sum())
    reach = _reach(data, window, engine)
    actions, touchpoints = _actions_and_touchpoints(data, top_n)
    emotion = _emotion(scored_fb, names, confidence)
    pains = _stage_pain_points(scored_fb, names, top_n, min_count, data.customers)
    per_stage = emotion.set_index("stage")["feedback"]
    association = dropout_association(data, scored_fb, window=window) if dropout and len(pains) else None
    opps = opportunities(pains, reach, per_stage, top_n=n_opportunities, association=association)
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
