"""Figures of retention and lifecycle: the cohort triangle, retention curves with bands, the lifecycle bars.

Tables in (:func:`jkit.kpis.retention`, :func:`jkit.kpis.retention_curve`, :func:`jkit.kpis.lifecycle`),
matplotlib Axes out; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from jkit._rules import period_code, require_columns
from jkit.errors import ParameterError
from jkit.formatting import format_percent
from jkit.plotting.readability import group_palette, plain_text, set_category_ticks, set_date_axis

__all__ = ["cohort_label", "plot_lifecycle", "plot_retention_curves", "plot_retention_triangle"]

_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
#: lifecycle statuses -> bar colour (dormant drawn below zero)
_LIFECYCLE_COLORS = {"new": "#2b8cbe", "returning": "#31a354", "resurrecting": "#fdae6b", "dormant": "#de2d26"}


def cohort_label(start: Any, period: str = "M") -> str:
    """A cohort's period for a reader: ``2024-01-08`` (day, week of), ``2024-01``, ``2024 Q1``, ``2024``."""
    ts = pd.Timestamp(start)
    code = period_code(period)
    if code == "M":
        return f"{ts:%Y-%m}"
    if code == "Q":
        return f"{ts.year} Q{ts.quarter}"
    if code == "Y":
        return f"{ts.year}"
    return f"{ts:%Y-%m-%d}"


def _one_group(table: pd.DataFrame, what: str) -> None:
    extra = [c for c in table.columns if c not in {"cohort", "period", "customers", "active", "retention", "ci_low",
                                                    "ci_high", "complete"}]
    for col in extra:
        if table[col].nunique(dropna=False) > 1:
            raise ParameterError(f"{what} draws one group; select one value of {col!r} first "
                                 "(or use plot_retention_curves with hue)")


def plot_retention_triangle(table: pd.DataFrame, *, period: str = "M", max_periods: int | None = None,
                            cmap: str = "Blues", ax: Axes | None = None) -> Axes:
    """The retention triangle: one row per cohort, one column per period since, each cell the % and count active.

    Parameters
    ----------
    table : DataFrame
        One group of :func:`jkit.kpis.retention` (``cohort``, ``period``, ``customers``,
        ``active``, ``retention``); cells with ``complete`` False are hatched.
    period : str, default "M"
        The period the table was computed with (labels the cohorts and the axis).
    max_periods : int, optional
        Draw periods 0 … ``max_periods`` only.
    cmap : str, default "Blues"
    ax : Axes, optional
    """
    require_columns(table, ["cohort", "period", "customers", "active", "retention"], "plot_retention_triangle")
    _one_group(table, "plot_retention_triangle")
    if max_periods is not None:
        table = table[table["period"] <= max_periods]
    ax = ax or plt.gca()
    cohorts = sorted(table["cohort"].unique())
    periods = list(range(int(table["period"].max()) + 1)) if len(table) else []
    grid = table.pivot(index="cohort", columns="period", values="retention").reindex(index=cohorts, columns=periods)
    counts = table.pivot(index="cohort", columns="period", values="active").reindex(index=cohorts, columns=periods)
    values = grid.to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    partial = set()
    if "complete" in table.columns:
        partial = {(c, int(k)) for c, k in table.loc[~table["complete"].astype(bool), ["cohort", "period"]]
                   .itertuples(index=False)}
    for i, cohort in enumerate(cohorts):
        for j in periods:
            v = values[i, j]
            if np.isnan(v):
                continue
            ax.text(j, i, f"{format_percent(v, 0)}\n({int(counts.iat[i, j]):,})", ha="center", va="center",
                    fontsize=7, color="white" if v > 0.6 else "black")
            if (cohort, j) in partial:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="grey", lw=0))
    sizes = table.drop_duplicates("cohort").set_index("cohort")["customers"].reindex(cohorts)
    labels = [f"{cohort_label(c, period)} (n={int(n):,})" for c, n in zip(cohorts, sizes, strict=True)]
    set_category_ticks(ax, range(len(cohorts)), labels, axis="y", width=30)
    ax.set_xticks(periods, [str(k) for k in periods])
    unit = _UNITS[period_code(period)]
    ax.set_xlabel(f"{unit}s since the cohort's first {unit}")
    ax.set_ylabel("cohort (customers)")
    ax.set_title(f"Retention by {unit}ly cohort: % (and customers) active")
    return ax


def plot_retention_curves(table: pd.DataFrame, *, hue: str = "cohort", period: str = "M", max_groups: int = 10,
                          bands: bool = True, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Retention against periods since the cohort's start: one line per cohort or group, Wilson bands.

    Parameters
    ----------
    table : DataFrame
        :func:`jkit.kpis.retention` (``hue="cohort"``) or :func:`jkit.kpis.retention_curve`
        with ``by=hue`` (one curve per group, cohorts pooled), with ``ci_low``/``ci_high``.
    hue : str, default "cohort"
        The column whose values get a line each.
    period : str, default "M"
        The period the table was computed with.
    max_groups : int, default 10
        Groups past this many are drawn in grey without a legend entry.
    bands : bool, default True
        Shade each line's Wilson interval.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.plot``.
    """
    require_columns(table, [hue, "period", "retention", "ci_low", "ci_high"], "plot_retention_curves")
    ax = ax or plt.gca()
    names = list(dict.fromkeys(table[hue].tolist()))
    palette = group_palette(names, max_groups=max_groups)
    for i, name in enumerate(names):
        part = table[table[hue] == name].sort_values("period") if pd.notna(name) else table[table[hue].isna()]
        label = cohort_label(name, period) if hue == "cohort" else plain_text(name)
        color = palette[name]
        ax.plot(part["period"], part["retention"], marker="o", ms=3, color=color,
                label=label if i < max_groups else "_nolegend_", **kwargs)
        if bands:
            ax.fill_between(part["period"], part["ci_low"].astype(float), part["ci_high"].astype(float), color=color,
                            alpha=0.12, lw=0)
    unit = _UNITS[period_code(period)]
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{unit}s since the cohort's first {unit}")
    ax.set_ylabel("customers active (95% band)")
    ax.set_title("Retention curves by " + ("cohort" if hue == "cohort" else plain_text(hue)))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
              title="cohort" if hue == "cohort" else plain_text(hue))
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_lifecycle(table: pd.DataFrame, *, period: str = "M", ax: Axes | None = None) -> Axes:
    """Lifecycle bars per period: new, returning and resurrecting stacked above zero, dormant below.

    ``table`` is one group of :func:`jkit.kpis.lifecycle` (``period``, ``new``, ``returning``,
    ``resurrecting``, ``dormant`` as 0 or negative numbers); a period with ``complete`` False is
    drawn lighter and labelled "(partial)".
    """
    require_columns(table, ["period", "new", "returning", "resurrecting", "dormant"], "plot_lifecycle")
    ax = ax or plt.gca()
    table = table.sort_values("period")
    when = pd.to_datetime(table["period"], utc=True).dt.tz_localize(None)
    code = period_code(period)
    width = {"D": 0.8, "W": 5.5, "M": 24, "Q": 75, "Y": 300}[code]
    alpha = np.where(table["complete"].to_numpy(dtype=bool), 1.0, 0.45) if "complete" in table.columns else \
        np.ones(len(table))
    bottom = np.zeros(len(table))
    for status in ("new", "returning", "resurrecting"):
        heights = table[status].to_numpy(dtype=float)
        bars = ax.bar(when, heights, width=width, bottom=bottom, color=_LIFECYCLE_COLORS[status], label=status)
        for bar, a in zip(bars, alpha, strict=True):
            bar.set_alpha(a)
        bottom += heights
    dormant = table["dormant"].to_numpy(dtype=float)
    bars = ax.bar(when, -np.abs(dormant), width=width, color=_LIFECYCLE_COLORS["dormant"], label="dormant")
    for bar, a in zip(bars, alpha, strict=True):
        bar.set_alpha(a)
    ax.axhline(0, color="black", lw=0.8)
    set_date_axis(ax, when.tolist())
    unit = _UNITS[code]
    ax.set_xlabel(f"{unit} starting (UTC)")
    ax.set_ylabel(f"customers per {unit} (dormant below 0)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.set_title(f"Lifecycle: new, returning, resurrecting and dormant customers per {unit}")
    if "complete" in table.columns and not table["complete"].all():
        last = when.iloc[-1]
        ax.annotate("(partial)", (last, bottom[-1]), textcoords="offset points", xytext=(0, 3), ha="center",
                    fontsize=8, color="grey")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax
