"""The steps of the "Paths and drivers" report (07) that are more than a call: session figures, the
path options a report parameter stands for, the funnel step with the largest drop-off, and the
drivers of each consecutive pair of stages with the span the comparison needs.

A notebook holds parameters, calls and prose; what it would otherwise write as a function is here,
so it is tested (``tests/notebook/test_paths_glue.py``).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import JkitWarning, ParameterError

__all__ = [
    "PairDrivers",
    "driver_features",
    "driver_span",
    "interactive_charts",
    "driver_rows",
    "drivers_by_pair",
    "dropout_paths",
    "largest_dropoff",
    "path_options",
    "q_text",
    "session_figures",
    "stage_pairs",
    "strongest_driver",
    "with_personas",
]


def session_figures(summary: pd.DataFrame, customer_col: str = "customer_id") -> pd.DataFrame:
    """Sessions per customer, events per session and session length: median, 90th percentile, mean, max.

    Parameters
    ----------
    summary : DataFrame
        :func:`jkit.paths.session_summary` output (one row per session: ``customer_col``,
        ``length``, ``events``).
    customer_col : str, default "customer_id"
        The customer column of ``summary``.

    Returns
    -------
    DataFrame
        Index ``sessions per customer``, ``events per session``, ``session length``; columns
        ``median``, ``p90``, ``mean``, ``max`` (lengths as Timedelta, counts as float).
        ``attrs``: ``sessions``, ``customers``, ``one_event_share`` (sessions of one event).
    """
    per_customer = summary.groupby(customer_col, sort=False).size().astype(float)
    events = summary["events"].astype(float)
    length = summary["length"]
    rows = {
        "sessions per customer": [per_customer.median(), per_customer.quantile(0.9), per_customer.mean(),
                                  per_customer.max()],
        "events per session": [events.median(), events.quantile(0.9), events.mean(), events.max()],
        "session length": [length.median(), length.quantile(0.9), length.mean(), length.max()],
    }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["median", "p90", "mean", "max"])
    out.attrs.update({"sessions": len(summary), "customers": int(per_customer.size),
                      "one_event_share": float((events == 1).mean()) if len(events) else float("nan")})
    return out


def path_options(data, level: str, start_event: str = "", end_event: str = "") -> dict[str, Any]:
    """The keyword arguments of :func:`jkit.paths.paths` that the report's path parameters stand for.

    Parameters
    ----------
    data : JourneyData
        The study.
    level : {"event", "stage"}
        Paths of event names or of the stages the events belong to.
    start_event, end_event : str
        An event (or, at ``level="stage"``, a stage) to start from or to end at; at most one.
        Both empty: the journey's first stage at ``level="stage"`` (the first stage anyone
        reached), each unit's first events at ``level="event"``.

    Returns
    -------
    dict
        ``level``, ``stages`` (the study's stage model at stage level, else None), ``start``, ``end``.

    Raises
    ------
    ParameterError
        An unknown level, or a start and an end together.
    """
    if level not in ("event", "stage"):
        raise ParameterError(f"level={level!r} should be 'event' or 'stage'")
    if start_event and end_event:
        raise ParameterError(f"start_event={start_event!r} and end_event={end_event!r}: give one of them (paths "
                             "run from a start or up to an end), or neither")
    stages = data.stages if level == "stage" else None
    start = start_event or None
    if level == "stage" and not start and not end_event:
        start = _first_reached_stage(data)
    return {"level": level, "stages": stages, "start": start, "end": end_event or None}


def _first_reached_stage(data) -> str | None:
    reached = set(data.events["event"].dropna().astype(str).unique())
    return next((s for s in data.stages.names if reached & set(data.stages[s].events)), None)


def largest_dropoff(funnel: pd.DataFrame) -> dict[str, Any] | None:
    """The consecutive pair of funnel steps that loses the largest share of customers.

    Parameters
    ----------
    funnel : DataFrame
        :func:`jkit.funnels.funnel_table` output (``step``, ``step_name``, ``customers``,
        ``conversion_from_previous``), one row per step.

    Returns
    -------
    dict or None
        ``at`` (the 1-based step customers dropped out after), ``from_step``, ``to_step`` (names),
        ``lost`` (share of the customers at ``from_step`` who did not reach ``to_step``),
        ``customers`` (at ``from_step``); None with fewer than two steps or nobody entering.
        Ties go to the earlier step.
    """
    if len(funnel) < 2 or not funnel["customers"].iloc[0]:
        return None
    rates = funnel["conversion_from_previous"].to_numpy(dtype=float)[1:]
    if np.isnan(rates).all():
        return None
    i = int(np.nanargmin(rates))  # the first minimum: ties go to the earlier step
    return {"at": int(funnel["step"].iloc[i]), "from_step": str(funnel["step_name"].iloc[i]),
            "to_step": str(funnel["step_name"].iloc[i + 1]), "lost": float(1 - rates[i]),
            "customers": int(funnel["customers"].iloc[i])}


def dropout_paths(data, drop: dict[str, Any] | None, *, path_steps: int = 5, top: int = 10, window: Any = "90D"
                  ) -> tuple[pd.DataFrame | None, str]:
    """What the customers who dropped out at the largest drop-off did next (:func:`jkit.paths.paths_after_dropout`).

    Parameters
    ----------
    data : JourneyData
        The study.
    drop : dict or None
        :func:`largest_dropoff` of the stage funnel (``at``, ``from_step``, ``to_step``).
    path_steps, top, window
        As :func:`jkit.paths.paths_after_dropout` (the funnel is the study's stages, in order).

    Returns
    -------
    (DataFrame or None, str)
        The paths table, or None with the reason there is none (no drop-off, nobody dropped out there).
    """
    from jkit.paths import paths_after_dropout

    if drop is None or drop["lost"] <= 0:
        return None, "no stage of the funnel loses customers"
    try:
        table = paths_after_dropout(data.events, data.stages.steps(), at=drop["at"], path_steps=path_steps, top=top,
                                    window=window, step_names=data.stages.names)
    except ParameterError as exc:
        return None, str(exc)
    return table, ""


def stage_pairs(stages: Sequence[str]) -> list[tuple[str, str]]:
    """Each stage with the next one: ``[(s1, s2), (s2, s3), …]``."""
    names = list(stages)
    return list(zip(names[:-1], names[1:], strict=True))


def driver_span(data, from_step: str, to_step: str) -> str | None:
    """The converters' median time from ``from_step`` to ``to_step``, rounded up to whole days ("3D").

    ``conversion_drivers`` observes converters until they convert and the others until the study
    ends unless a span caps both (``docs/drivers.md``, "Unequal spans"); a span near the typical time
    to convert makes the comparison fair. Whole days, at least one, so the span reads as a rule.

    Returns
    -------
    str or None
        ``"<n>D"``; None when nobody converts or nobody reaches ``from_step`` (nothing to compare).
    """
    from jkit.drivers import step_cohort

    try:
        cohort = step_cohort(data, from_step, to_step)
    except ParameterError:
        return None
    converted, _ = cohort.median_spans()
    if pd.isna(converted):
        return None
    return f"{max(1, math.ceil(converted / pd.Timedelta(days=1)))}D"


def driver_features(data) -> tuple[str, ...]:
    """The kinds of driver (``conversion_drivers(features=…)``) this study has data for.

    Events and event properties always; touchpoints when the events carry real ones; attributes when
    the study has a customers table (not one derived from events) or a ``persona`` column; themes
    when feedback texts carry a customer and a time.
    """
    kinds = ["events", "properties"]
    if data.has("events", "touchpoint"):
        kinds.append("touchpoints")
    if "customers" not in data.derived or "persona" in data.customers.columns:
        kinds.append("attributes")
    if data.has("feedback", "text") and data.has("feedback", "customer_id") and data.has("feedback", "timestamp"):
        kinds.append("themes")
    return tuple(kinds)


def with_personas(data, labels: pd.DataFrame | None):
    """``data`` whose customers carry a ``persona`` column from ``labels`` (``customer_id``, ``persona``).

    A customers table that already has a ``persona`` column, or no labels, leaves ``data`` as it is.
    Customers without a label get none (they count as "without" each persona).
    """
    if labels is None or "persona" in data.customers.columns or not len(data.customers):
        return data
    names = labels.drop_duplicates("customer_id").set_index("customer_id")["persona"]
    customers = data.customers.copy()
    customers["persona"] = customers["customer_id"].astype(str).map(names)
    return dataclasses.replace(data, customers=customers)


@dataclass
class PairDrivers:
    """The drivers of one stage pair: the table, the span used, or why there is nothing to compare."""

    from_step: str
    to_step: str
    span: str | None = None
    table: pd.DataFrame | None = None
    reason: str = ""
    filtered: dict[str, int] = field(default_factory=dict)

    @property
    def significant(self) -> pd.DataFrame:
        """The significant rows, best first (empty when there is no table)."""
        if self.table is None:
            return pd.DataFrame()
        return self.table[self.table["significant"].astype(bool)]


def drivers_by_pair(data, pairs: Sequence[tuple[str, str]], *, features: Sequence[str], scored=None,
                    min_support: int = 25, alpha: float = 0.05, confidence: float = 0.95) -> list[PairDrivers]:
    """:func:`jkit.drivers.conversion_drivers` for each pair, over the span :func:`driver_span` gives it.

    A pair with nothing to compare (nobody reaches it, nobody or everybody converts) is returned with
    its ``reason``, not raised. What the drivers set aside (``attrs["filtered"]``: features everyone
    has, features below ``min_support``) is raised as one :class:`~jkit.errors.JkitWarning` per pair,
    so a report's caveats list it; so is conversion_drivers' own warning on unequal spans.

    Returns
    -------
    list of PairDrivers
        In the order of ``pairs``.
    """
    from jkit.drivers import conversion_drivers

    out = []
    for from_step, to_step in pairs:
        span = driver_span(data, from_step, to_step)
        result = PairDrivers(from_step, to_step, span)
        try:
            table = conversion_drivers(data, from_step=from_step, to_step=to_step, span=span, features=features,
                                       scored=scored, min_support=min_support, alpha=alpha, confidence=confidence)
        except ParameterError as exc:
            result.reason = str(exc)
            out.append(result)
            continue
        result.table, result.filtered = table, dict(table.attrs.get("filtered", {}))
        _warn_filtered(result, min_support)
        out.append(result)
    return out


def _warn_filtered(result: PairDrivers, min_support: int) -> None:
    one_sided, thin = result.filtered.get("one_sided", 0), result.filtered.get("below_support", 0)
    if not (one_sided or thin):
        return
    parts = []
    if one_sided:
        parts.append(f"{one_sided:,} every compared customer has (no comparison)")
    if thin:
        parts.append(f"{thin:,} with fewer than {min_support} customers on one side")
    warnings.warn(f"drivers {result.from_step} → {result.to_step}: features not tested: {' and '.join(parts)}",
                  JkitWarning, stacklevel=3)


def strongest_driver(result: PairDrivers | None) -> str:
    """The reading of the pair's significant driver furthest from an odds ratio of 1, or "none significant"."""
    rows = result.significant if result is not None else pd.DataFrame()
    if rows.empty:
        return "none significant"
    strength = np.abs(np.log(rows["odds_ratio"].to_numpy(dtype=float)))
    return str(rows["reading"].iloc[int(np.argmax(strength))])


def driver_rows(table: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The first ``top`` significant rows of a drivers table for reading: ``reading, n_with, support,
    q_value``, the q-value as text (``"< 0.0001"``, ``"0.0032"``, ``"0.041"``) so small values do not
    show as 0."""
    rows = table[table["significant"].astype(bool)].head(top)
    out = rows[["reading", "n_with", "support"]].reset_index(drop=True)
    out["q_value"] = [q_text(q) for q in rows["q_value"].to_numpy(dtype=float)]
    return out


def q_text(q: float) -> str:
    """A q- or p-value in two significant figures, ``"< 0.0001"`` below 0.0001."""
    if not np.isfinite(q):
        return "–"
    return "< 0.0001" if q < 1e-4 else f"{q:.2g}"


def interactive_charts(enabled: bool) -> bool:
    """Whether the report adds the interactive (plotly) charts below the static ones.

    Parameters
    ----------
    enabled : bool
        The report's ``interactive`` parameter.

    Returns
    -------
    bool
        True when asked for and plotly is installed (``jkit[interactive]``); when asked for without
        plotly, False after a one-line note (the static charts are the whole report).
    """
    from jkit.notebook.support import note
    from jkit.plotting.interactive import MISSING_NOTE, available

    if not enabled:
        return False
    if available():
        return True
    note(MISSING_NOTE)
    return False
