"""Figures for funnels and KPIs: the funnel, time to convert, breakdowns, cohort trends, KPI intervals."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from jkit.errors import ParameterError

__all__ = [
    "plot_funnel",
    "plot_funnel_breakdown",
    "plot_time_to_convert",
    "plot_cohort_trend",
    "plot_kpi_intervals",
]


def _need(data: pd.DataFrame, cols: list[str], where: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ParameterError(
            f"{where}: no column {', '.join(map(repr, missing))}; found {', '.join(map(repr, data.columns))}"
        )


def _duration(td: Any) -> str:
    if pd.isna(td):
        return ""
    hours = pd.Timedelta(td).total_seconds() / 3600
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def plot_funnel(
    data: pd.DataFrame,
    *,
    x: str = "customers",
    y: str = "step_name",
    rate: str = "conversion_from_start",
    show_times: bool = True,
    color: str = "#2c7fb8",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal funnel bars: customers per step, labelled with the share of the start and its interval.

    Parameters
    ----------
    data : DataFrame
        One funnel (no breakdown), as :func:`jkit.funnels.funnel` returns it.
    x, y, rate : str
        Count, step label and rate columns (``rate`` needs ``_low``/``_high`` columns).
    show_times : bool, default True
        Label each step with the median time from the previous step.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.barh``.
    """
    _need(data, [x, y, rate, f"{rate}_low", f"{rate}_high"], "plot_funnel")
    if data[y].duplicated().any():
        raise ParameterError("plot_funnel draws one funnel; select one group first, or use plot_funnel_breakdown")
    ax = ax or plt.gca()
    pos = np.arange(len(data))
    counts = data[x].to_numpy(dtype=float)
    ax.barh(pos, counts, color=color, **kwargs)
    top = counts.max() if len(counts) and counts.max() > 0 else 1
    for i, row in enumerate(data.itertuples(index=False)):
        r, lo, hi = getattr(row, rate), getattr(row, f"{rate}_low"), getattr(row, f"{rate}_high")
        text = f"{int(getattr(row, x)):,}  ({r:.1%}, 95% CI {lo:.1%}–{hi:.1%})" if pd.notna(r) else f"{int(getattr(row, x)):,}"
        if show_times and "median_time_from_previous" in data.columns and i > 0:
            median = _duration(row.median_time_from_previous)
            if median:
                text += f"\nmedian {median} after previous step"
        ax.text(counts[i] + top * 0.01, i, text, va="center", fontsize=9)
    ax.set_yticks(pos, data[y].astype(str).tolist())
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.6)
    ax.set_xlabel("customers reaching the step")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_funnel_breakdown(
    data: pd.DataFrame,
    *,
    hue: str,
    x: str = "step_name",
    y: str = "conversion_from_start",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Conversion per step for each group, with the Wilson interval as error bars.

    ``data`` is a funnel with a breakdown (``funnel(..., by=hue)``).
    """
    _need(data, [hue, x, y, f"{y}_low", f"{y}_high", "step"], "plot_funnel_breakdown")
    ax = ax or plt.gca()
    steps = data.drop_duplicates("step").sort_values("step")[x].astype(str).tolist()
    groups = data[hue].drop_duplicates().tolist()
    width = 0.8 / max(len(groups), 1)
    for i, group in enumerate(groups):
        part = data[(data[hue] == group) if pd.notna(group) else data[hue].isna()].sort_values("step")
        pos = part["step"].to_numpy() - 1 + (i - (len(groups) - 1) / 2) * width
        value = part[y].to_numpy(dtype=float)
        err = np.vstack([value - part[f"{y}_low"].to_numpy(dtype=float), part[f"{y}_high"].to_numpy(dtype=float) - value])
        ax.bar(pos, value, width=width, yerr=np.clip(np.nan_to_num(err), 0, None), capsize=2, label=str(group), **kwargs)
    ax.set_xticks(np.arange(len(steps)), steps, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel(y.replace("_", " "))
    ax.legend(title=hue, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_time_to_convert(
    data: pd.DataFrame,
    *,
    x: str = "hours",
    bins: int = 40,
    log: bool = True,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Distribution of the time to convert (from :func:`jkit.funnels.time_to_convert`), median and p90 marked."""
    _need(data, [x], "plot_time_to_convert")
    ax = ax or plt.gca()
    values = data[x].to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        ax.text(0.5, 0.5, "nobody converted", ha="center", va="center", transform=ax.transAxes)
        return ax
    if log:
        low = max(values[values > 0].min() if (values > 0).any() else 1 / 60, 1 / 60)
        edges = np.geomspace(low, max(values.max(), low * 10), bins + 1)
        ax.hist(np.clip(values, low, None), bins=edges, color="#41b6c4", **kwargs)
        ax.set_xscale("log")
    else:
        ax.hist(values, bins=bins, color="#41b6c4", **kwargs)
    for q, style in ((0.5, "-"), (0.9, "--")):
        v = float(np.quantile(values, q))
        ax.axvline(max(v, 1 / 60) if log else v, color="#333", linestyle=style,
                   label=f"{'median' if q == 0.5 else 'p90'}: {_duration(pd.Timedelta(hours=v))}")
    steps = ""
    if {"from_step", "to_step"} <= set(data.columns) and len(data):
        steps = f" from {data['from_step'].iloc[0]} to {data['to_step'].iloc[0]}"
    ax.set_xlabel(f"hours{steps}")
    ax.set_ylabel("customers")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_cohort_trend(
    data: pd.DataFrame,
    *,
    x: str = "cohort",
    y: str = "conversion",
    hue: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Conversion by entry cohort with its interval band; incomplete cohorts drawn hollow."""
    _need(data, [x, y, f"{y}_low", f"{y}_high"], "plot_cohort_trend")
    ax = ax or plt.gca()
    groups = [(None, data)] if hue is None else list(data.groupby(hue, dropna=False, sort=True))
    for key, part in groups:
        part = part.sort_values(x)
        when = pd.to_datetime(part[x]).dt.tz_localize(None) if getattr(part[x].dtype, "tz", None) else part[x]
        line = ax.plot(when, part[y], marker="o", label=None if key is None else str(key), **kwargs)[0]
        ax.fill_between(when, part[f"{y}_low"], part[f"{y}_high"], color=line.get_color(), alpha=0.15)
        if "complete" in part.columns and (~part["complete"].astype(bool)).any():
            inc = ~part["complete"].astype(bool).to_numpy()
            ax.plot(np.asarray(when)[inc], part[y].to_numpy()[inc], "o", markerfacecolor="white",
                    color=line.get_color())
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel(y)
    ax.set_xlabel("entry cohort")
    if hue is not None:
        ax.legend(title=hue, frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_kpi_intervals(
    data: pd.DataFrame,
    *,
    kpi: str,
    y: str,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """One KPI of :func:`jkit.kpis.kpi_table` per group as a point with its interval."""
    _need(data, ["kpi", "value", "low", "high", y], "plot_kpi_intervals")
    ax = ax or plt.gca()
    part = data[data["kpi"] == kpi].reset_index(drop=True)
    if part.empty:
        raise ParameterError(f"plot_kpi_intervals: no rows for kpi={kpi!r}; kpis are {sorted(set(data['kpi']))}")
    pos = np.arange(len(part))
    value = part["value"].to_numpy(dtype=float)
    err = np.vstack([value - part["low"].to_numpy(dtype=float), part["high"].to_numpy(dtype=float) - value])
    ax.errorbar(value, pos, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", capsize=3, **kwargs)
    ax.set_yticks(pos, part[y].astype(str).tolist())
    ax.invert_yaxis()
    if part["unit"].iloc[0] == "share":
        ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(kpi.replace("_", " "))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
