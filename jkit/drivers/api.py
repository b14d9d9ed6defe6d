"""What goes with converting: :func:`conversion_drivers` (from one step to another) and
:func:`theme_dropoff` (feedback themes against dropping out, stage by stage).

These are **associations, not effects**: customers who do X may convert more often because of
who they are, not because of X. The odds ratios rank what is worth a closer look (an experiment,
interviews), they do not say what would happen if X were changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list, column_list
from jkit.drivers.cohort import Cohort, in_span, step_cohort
from jkit.drivers.contingency import PRIOR, bh_q_values, table_stats
from jkit.drivers.features import (
    attribute_pairs,
    event_pairs,
    feature_counts,
    persona_table,
    property_pairs,
    theme_pairs,
    touchpoint_pairs,
)
from jkit.errors import JkitWarning, ParameterError
from jkit.formatting import format_duration

__all__ = ["conversion_drivers", "theme_dropoff", "FEATURES", "DRIVER_COLUMNS", "DROPOFF_COLUMNS", "reading"]

#: the kinds of candidate driver, as ``features=`` names them
FEATURES = ("events", "properties", "touchpoints", "attributes", "themes")
DRIVER_COLUMNS = ["feature", "value", "kind", "n_with", "converted_with", "n_without", "converted_without",
                  "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "support", "significant", "reading"]
DROPOFF_COLUMNS = ["stage", "next_stage", "theme", "n_with", "dropped_with", "n_without", "dropped_without",
                   "dropoff_with", "dropoff_without", "excess_dropouts", "odds_ratio", "ci_low", "ci_high",
                   "p_value", "q_value", "significant", "reading"]
NOTE = "associations, not effects: customers who differ in one way often differ in others"


def _number(x: float) -> str:
    """An odds ratio in two significant figures ("0.6", "2.1", "14")."""
    if not np.isfinite(x):
        return "–"
    return f"{x:.0f}" if x >= 10 else f"{x:.2g}"


def _subject(kind: str, feature: str, value: str) -> str:
    if kind == "event":
        return f"who did {value}"
    if kind == "touchpoint":
        return f"who used {value}"
    if kind == "theme":
        return f"who wrote about {value}"
    if kind == "property":
        return f"who had an event with {feature} = {value}"
    return f"whose {feature} is {value}"


def reading(kind: str, feature: str, value: str, outcome: str, odds_ratio: float, low: float, high: float,
            n: int, confidence: float = 0.95) -> str:
    """One driver in plain words: "customers who wrote about slow support reached retention 0.6 times
    as often (odds), 95% CI 0.5–0.7, n = 205"."""
    return (f"customers {_subject(kind, feature, value)} {outcome} {_number(odds_ratio)} times as often (odds), "
            f"{confidence:.0%} CI {_number(low)}–{_number(high)}, n = {n:,}")


def _check(features: Sequence[str], min_support: Any, alpha: Any, max_levels: Any) -> list[str]:
    kinds = as_list(features)
    unknown = [k for k in kinds if k not in FEATURES]
    if unknown or not kinds:
        raise ParameterError(f"features: unknown kind {column_list(unknown) or '(none given)'}; "
                             f"choose from {column_list(FEATURES)}")
    for name, value, low in (("min_support", min_support, 0), ("max_levels", max_levels, 1)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise ParameterError(f"{name}={value!r} should be a whole number of at least {low}")
    if not isinstance(alpha, float | int) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} should be a false-discovery rate between 0 and 1, e.g. 0.05")
    return kinds


def _pairs(data, cohort: Cohort, kinds: list[str], *, scored, personas, max_levels: int, top_themes: int,
           min_count: int | None, theme_stage: str | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    notes: dict[str, Any] = {}
    frames = []
    if {"events", "properties", "touchpoints"} & set(kinds):
        span = in_span(data.events, cohort)
        if "events" in kinds:
            frames.append(event_pairs(span))
        if "properties" in kinds:
            pairs, left_out = property_pairs(span, max_levels)
            frames.append(pairs)
            notes["properties_left_out"] = left_out
        if "touchpoints" in kinds:
            if data.has("events", "touchpoint"):
                frames.append(touchpoint_pairs(span))
            else:
                notes["touchpoints_left_out"] = "the events carry no touchpoint column"
    if "attributes" in kinds:
        pairs, left_out = attribute_pairs(data.customers, cohort, max_levels, persona_table(data, personas))
        frames.append(pairs)
        notes["attributes_left_out"] = left_out
    if "themes" in kinds:
        pairs, themes, counts = theme_pairs(data, cohort, scored, top=top_themes, min_count=min_count,
                                              stage=theme_stage)
        frames.append(pairs)
        notes["feedback"] = counts
        notes["themes"] = themes
    frames = [f for f in frames if len(f)]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["customer_id", "kind", "feature", "value"])), notes


def _table(counts: pd.DataFrame, cohort: Cohort, *, min_support: int, alpha: float, confidence: float,
           prior: float, outcome: str) -> tuple[pd.DataFrame, dict[str, int]]:
    n, converted = cohort.n, cohort.n_converted
    counts = counts.copy()
    counts["n_without"] = n - counts["n_with"]
    counts["converted_without"] = converted - counts["converted_with"]
    one_sided = counts["n_without"] == 0
    thin = ~one_sided & ((counts["n_with"] < min_support) | (counts["n_without"] < min_support))
    filtered = {"one_sided": int(one_sided.sum()), "below_support": int(thin.sum())}
    kept = counts[~(one_sided | thin)].reset_index(drop=True)
    a, c = kept["converted_with"], kept["converted_without"]
    b, d = kept["n_with"] - a, kept["n_without"] - c
    stats = table_stats(a, b, c, d, prior=prior, confidence=confidence)
    out = pd.concat([kept, stats], axis=1)
    out["support"] = out["n_with"] / n
    out["significant"] = out["q_value"] < alpha
    out["reading"] = [reading(k, f, v, outcome, o, lo, hi, int(m), confidence)
                      for k, f, v, o, lo, hi, m in zip(out["kind"], out["feature"], out["value"], out["odds_ratio"],
                                                       out["ci_low"], out["ci_high"], out["n_with"], strict=True)]
    strength = -np.abs(np.log(out["odds_ratio"].astype(float)))
    out = out.assign(_s=strength).sort_values(["q_value", "p_value", "_s"], kind="stable").drop(columns="_s")
    for col in ("feature", "value", "kind"):
        out[col] = out[col].astype(str)
    return out[DRIVER_COLUMNS].reset_index(drop=True), filtered


def conversion_drivers(
    data,
    *,
    from_step: str,
    to_step: str,
    window: Any = None,
    stage_model: Any = None,
    span: Any = None,
    min_support: int = 25,
    alpha: float = 0.05,
    features: Sequence[str] = FEATURES,
    scored: pd.DataFrame | None = None,
    personas: Any = None,
    max_levels: int = 50,
    top_themes: int = 15,
    min_theme_count: int | None = None,
    confidence: float = 0.95,
    prior: float = PRIOR,
    theme_stage: str | None = None,
) -> pd.DataFrame:
    """Which events, properties, touchpoints, customer attributes and feedback themes go with reaching
    ``to_step`` among the customers who reached ``from_step``: odds ratios, intervals, q-values.

    These are **associations, not effects**: a driver says who converts more often, not what
    would make customers convert (see ``docs/drivers.md``).

    Parameters
    ----------
    data : JourneyData
        The study (:func:`jkit.load`).
    from_step, to_step : str
        A stage of the stage model or an event name each. A customer reaches ``from_step`` at their
        first event of it and converts when an event of ``to_step`` follows (at the same time or
        later; within ``window`` when given).
    window : str or Timedelta, optional
        Longest time from ``from_step`` to ``to_step``. Non-converters whose window runs past the
        study's last event are still open: set aside and counted in ``attrs["cohort"]["open"]``.
    stage_model : StageModel, str or dict, optional
        The stage model the step names refer to; default the study's.
    span : str or Timedelta, optional
        Longest observed span after reaching ``from_step`` ("7D"): events and feedback count only
        before ``start + span`` (and before converting). Without it non-converters are observed
        until the end of observation, converters until they convert; when their median spans
        differ more than twice a :class:`~jkit.errors.JkitWarning` says so (what accumulates with
        time then looks like a driver of not converting).
    min_support : int, default 25
        Fewest customers on each side (with and without the feature) for a feature to be tested
        (PostHog: 25 with it). Features below are counted in ``attrs["filtered"]["below_support"]``.
    alpha : float, default 0.05
        False-discovery rate: ``significant`` is ``q_value < alpha``.
    features : sequence of str, default all of :data:`FEATURES`
        Kinds of candidate driver: ``events`` (done in the observed span), ``properties`` (extra
        non-numeric event columns), ``touchpoints``, ``attributes`` (customer columns, numbers in
        quartiles; ``persona`` included), ``themes`` (pain-point themes of what they wrote in the span).
    scored : DataFrame, optional
        Sentiment per feedback (``feedback_id, compound, label``); scored with
        :func:`jkit.sentiment.score_sentiment` when omitted and themes are asked for.
    personas : PersonaModel, optional
        A fitted persona model: each customer's persona (from :func:`jkit.personas.customer_features`)
        becomes the attribute ``persona``. A ``persona`` column of the customers table is used as is.
    max_levels : int, default 50
        Columns with more distinct values are left out (listed in ``attrs``); numeric attributes
        with more are binned in quartiles.
    top_themes : int, default 15
        Most themes found in the span's feedback.
    min_theme_count : int, optional
        Fewest texts a theme's phrase must occur in (see :func:`jkit.pain_points.pain_point_themes`).
    confidence : float, default 0.95
        Level of the odds ratios' intervals.
    prior : float, default 1
        Pseudo-count added to each cell of the 2×2 table (PostHog's prior).
    theme_stage : str, optional
        Themes from the feedback the study places at this stage (its ``stage`` column), whenever
        written, instead of the feedback written in the observed span (used by :func:`theme_dropoff`).

    Returns
    -------
    DataFrame
        One row per feature value, most significant first: ``feature, value, kind, n_with,
        converted_with, n_without, converted_without, odds_ratio, ci_low, ci_high, p_value``
        (Fisher exact), ``q_value`` (Benjamini–Hochberg over all rows), ``support`` (share of the
        customers with it), ``significant``, ``reading`` (plain words). ``attrs``: ``cohort``
        (reached, converted, open), ``filtered`` (one_sided: everyone has it, so the odds ratio is
        undefined; below_support), ``tested``, ``notes`` (columns left out, feedback counts),
        ``themes`` (the themes table), ``note`` (associations, not effects).

    Raises
    ------
    ParameterError
        An unknown step, a step nobody reaches, or nobody (or everybody) converting.

    Examples
    --------
    >>> drivers = conversion_drivers(data, from_step="purchase", to_step="retention")   # doctest: +SKIP
    >>> drivers.loc[drivers["significant"], "reading"].head()                          # doctest: +SKIP
    """
    kinds = _check(features, min_support, alpha, max_levels)
    cohort = step_cohort(data, from_step, to_step, window=window, stage_model=stage_model, span=span)
    spans = cohort.median_spans()
    if not theme_stage and {"events", "properties", "touchpoints", "themes"} & set(kinds):
        _warn_spans(spans, from_step, to_step)
    pairs, notes = _pairs(data, cohort, kinds, scored=scored, personas=personas, max_levels=max_levels,
                          top_themes=top_themes, min_count=min_theme_count, theme_stage=theme_stage)
    counts = feature_counts(pairs, cohort)
    outcome = f"reached {to_step}"
    table, filtered = _table(counts, cohort, min_support=min_support, alpha=alpha, confidence=confidence,
                             prior=prior, outcome=outcome)
    themes = notes.pop("themes", pd.DataFrame())
    table.attrs.update({"from_step": from_step, "to_step": to_step, "window": None if cohort.window is None else str(cohort.window),
                        "cohort": dict(cohort.counts),
                        "median_span": {"converted": spans[0], "not_converted": spans[1]}, "filtered": filtered, "tested": len(table), "alpha": alpha,
                        "min_support": min_support, "notes": notes, "themes": themes, "note": NOTE})
    return table


def _warn_spans(spans: tuple[pd.Timedelta, pd.Timedelta], from_step: str, to_step: str) -> None:
    conv, other = spans
    if pd.isna(conv) or pd.isna(other) or other <= 2 * max(conv, pd.Timedelta(1, "s")):
        return
    warnings.warn(
        f"{from_step} → {to_step}: customers who did not convert were observed for {format_duration(other)} (median), "
        f"those who did for {format_duration(conv)}: what accumulates with time looks like a driver of not converting; pass "
        f"span= (e.g. span={_short(conv)!r}) to observe everyone for the same time", JkitWarning, stacklevel=3)


def _short(td: pd.Timedelta) -> str:
    days = max(1, int(np.ceil(td / pd.Timedelta(1, "D"))))
    return f"{days}D"


def theme_dropoff(
    data,
    scored: pd.DataFrame | None = None,
    *,
    stage_model: Any = None,
    window: Any = None,
    span: Any = None,
    placement: str = "auto",
    min_support: int = 10,
    alpha: float = 0.05,
    top_themes: int = 15,
    min_theme_count: int | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per stage and feedback theme, the odds of dropping out before the next stage for the customers
    who wrote about the theme at that stage (between reaching it and reaching the next one).

    An association, not an effect (see :func:`conversion_drivers`, of which this is the ``themes``
    part, run for each pair of consecutive stages with the outcome turned round).

    Parameters
    ----------
    data : JourneyData
        The study.
    scored : DataFrame, optional
        Sentiment per feedback (``feedback_id, compound, label``); scored once when omitted.
    placement : {"auto", "stage", "time"}, default "auto"
        Which feedback is "at" a stage: ``"stage"`` the feedback whose ``stage`` column names it
        (as on the journey map; written at any time, also after dropping out), ``"time"`` the
        feedback written between reaching the stage and reaching the next (``span`` caps it);
        ``"auto"``: ``"stage"`` when the feedback has a stage column, else ``"time"``.
    stage_model, window, span, min_support, alpha, top_themes, min_theme_count, confidence
        As in :func:`conversion_drivers` (``min_support`` default 10: a stage's writers are few).

    Returns
    -------
    DataFrame
        ``stage, next_stage, theme, n_with, dropped_with, n_without, dropped_without, dropoff_with,
        dropoff_without, excess_dropouts`` (drop-outs among the writers beyond the others' rate:
        ``dropped_with − n_with × dropoff_without``), ``odds_ratio`` of dropping out with its
        interval, ``p_value``, ``q_value`` (Benjamini–Hochberg over all stages and themes),
        ``significant``, ``reading``. ``attrs["skipped"]``: stages with nothing to compare, and why.
    """
    stages = data.stages if stage_model is None else _stages(stage_model)
    if scored is None and data.has("feedback", "text"):
        from jkit.sentiment import score_sentiment

        scores = score_sentiment(data.feedback, progress=False)
        scored = pd.DataFrame({"feedback_id": data.feedback["feedback_id"].to_numpy(),
                               "compound": scores["compound"].to_numpy(), "label": scores["label"].to_numpy()})
    if placement not in ("auto", "stage", "time"):
        raise ParameterError(f"placement={placement!r} should be 'auto', 'stage' or 'time'")
    if placement == "auto":
        placement = "stage" if data.has("feedback", "stage") else "time"
    frames, skipped = [], {}
    names = stages.names
    for stage, nxt in zip(names[:-1], names[1:], strict=True):
        try:
            table = conversion_drivers(data, from_step=stage, to_step=nxt, window=window, stage_model=stages,
                                       span=span, min_support=min_support, alpha=alpha, features=("themes",),
                                       scored=scored, top_themes=top_themes, min_theme_count=min_theme_count,
                                       confidence=confidence, theme_stage=stage if placement == "stage" else None)
        except ParameterError as exc:
            skipped[stage] = str(exc)
            continue
        if table.empty:
            skipped[stage] = "no theme with enough writers on both sides"
            continue
        frames.append(_turned(table, stage, nxt, confidence))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DROPOFF_COLUMNS)
    if len(out):
        out["q_value"] = bh_q_values(out["p_value"].to_numpy(dtype=float))
        out["significant"] = out["q_value"] < alpha
        out = out.sort_values(["q_value", "p_value"], kind="stable").reset_index(drop=True)
    out.attrs.update({"skipped": skipped, "alpha": alpha, "placement": placement, "note": NOTE})
    return out[DROPOFF_COLUMNS]


def _stages(stage_model: Any):
    from jkit.stages import load_stage_model

    return load_stage_model(stage_model)


def _turned(table: pd.DataFrame, stage: str, nxt: str, confidence: float) -> pd.DataFrame:
    """The drivers of converting as drivers of dropping out: the odds ratio inverted, its interval swapped."""
    out = pd.DataFrame({"stage": stage, "next_stage": nxt, "theme": table["value"].to_numpy(),
                        "n_with": table["n_with"].to_numpy(), "n_without": table["n_without"].to_numpy()})
    out["dropped_with"] = out["n_with"] - table["converted_with"].to_numpy()
    out["dropped_without"] = out["n_without"] - table["converted_without"].to_numpy()
    out["dropoff_with"] = out["dropped_with"] / out["n_with"]
    out["dropoff_without"] = out["dropped_without"] / out["n_without"]
    out["excess_dropouts"] = out["dropped_with"] - out["n_with"] * out["dropoff_without"]
    out["odds_ratio"] = 1.0 / table["odds_ratio"].to_numpy()
    out["ci_low"] = 1.0 / table["ci_high"].to_numpy()
    out["ci_high"] = 1.0 / table["ci_low"].to_numpy()
    out["p_value"] = table["p_value"].to_numpy()
    out["q_value"] = np.nan
    out["significant"] = False
    out["reading"] = [
        reading("theme", "theme", f"{t} at {stage}", f"dropped out before {nxt}", o, lo, hi, int(n), confidence)
        for t, o, lo, hi, n in zip(out["theme"], out["odds_ratio"], out["ci_low"], out["ci_high"], out["n_with"],
                                   strict=True)]
    return out

