"""Figures for funnels and KPIs: the funnel, time to convert, breakdowns, cohort trends, KPI intervals."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from jkit._rules import require_columns
from jkit.errors import ParameterError
from jkit.formatting import format_duration
from jkit.plotting.readability import (
    OTHER,
    OTHER_COLOR,
    duration_unit,
    group_palette,
    plain_text,
    set_category_ticks,
    set_date_axis,
    set_duration_axis,
    wrap_labels,
)

__all__ = [
    "plot_funnel",
    "plot_funnel_breakdown",
    "plot_time_to_convert",
    "plot_cohort_trend",
    "plot_kpi_intervals",
]


def _duration(td: Any) -> str:
    """A duration for a label ("" when missing), in the unit its size calls for."""
    return "" if pd.isna(td) else format_duration(td)


def _labels(values, width: int = 14) -> list[str]:
    return [plain_text(s) for s in wrap_labels([str(v) for v in values], width=width)]


def plot_funnel(
    data: pd.DataFrame,
    *,
    x: str = "customers",
    y: str = "step_name",
    rate: str = "conversion_from_start",
    show_times: bool = True,
    color: str = "#2c7fb8",
    label_width: int = 16,
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
        Label each step with the median time from the previous step (in seconds, minutes, hours
        or days, by its size).
    label_width : int, default 16
        Step labels longer than this are wrapped.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.barh``.
    """
    require_columns(data, [x, y, rate, f"{rate}_low", f"{rate}_high"], "plot_funnel")
    if data[y].duplicated().any():
        raise ParameterError("plot_funnel draws one funnel; select one group first, or use plot_funnel_breakdown")
    many = len(data) > 8  # long funnels: one line per step, smaller text, a taller figure
    if ax is None:
        ax = plt.gca() if len(data) <= 8 else plt.figure(figsize=(7.5, 1.0 + 0.45 * len(data))).gca()
    pos = np.arange(len(data))
    counts = data[x].to_numpy(dtype=float)
    bars = ax.barh(pos, counts, color=color, **kwargs)
    optional = {int(k) for k in data.attrs.get("optional", ()) or ()}
    for bar, step in zip(bars, data["step"] if "step" in data.columns else pos + 1, strict=True):
        if int(step) in optional:  # optional steps: hatched and lighter
            bar.set_hatch("//")
            bar.set_alpha(0.55)
    top = counts.max() if len(counts) and counts.max() > 0 else 1
    for i, row in enumerate(data.itertuples(index=False)):
        r, lo, hi = getattr(row, rate), getattr(row, f"{rate}_low"), getattr(row, f"{rate}_high")
        n = getattr(row, x)
        text = f"{n:,.0f}" if pd.notna(n) else "–"
        if pd.notna(r):
            text += f"  ({r:.1%}, 95% CI {lo:.1%}–{hi:.1%})" if pd.notna(lo) and pd.notna(hi) else f"  ({r:.1%})"
        if show_times and "median_time_from_previous" in data.columns and i > 0:
            median = _duration(row.median_time_from_previous)
            if median:
                text += f"; median {median} after" if many else f"\nmedian {median} after previous step"
        ax.text(counts[i] + top * 0.01 if np.isfinite(counts[i]) else 0, i, text, va="center", fontsize=8 if many else 9)
    ax.set_yticks(pos, _labels(data[y], label_width))
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.6)
    ax.set_xlabel("customers reaching the step")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _collapse_groups(data: pd.DataFrame, hue: str, keep: list, y: str) -> pd.DataFrame:
    """The groups not in ``keep`` summed into one ``"other"`` group (rates recomputed from counts)."""
    from jkit.stats import wilson_interval

    rest = data[~data[hue].isin(keep)]
    counts = rest.groupby("step", sort=True)["customers"].sum()
    steps = data.drop_duplicates("step").set_index("step")
    out = pd.DataFrame({"step": counts.index, "customers": counts.to_numpy(dtype=float)})
    out[hue] = OTHER
    for col in ("step_name",):
        if col in steps.columns:
            out[col] = out["step"].map(steps[col])
    first = float(counts.iloc[0]) if len(counts) else 0.0
    base = {"conversion_from_start": np.full(len(out), first),
            "conversion_from_previous": np.r_[counts.iloc[:1].to_numpy(dtype=float), counts.to_numpy(dtype=float)[:-1]]}
    for name, trials in base.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(trials > 0, out["customers"] / trials, np.nan)
        low, high = wilson_interval(out["customers"].to_numpy(), trials)
        out[f"{name}_low"], out[f"{name}_high"] = low, high
    if y not in out.columns:
        return out.iloc[0:0]
    return out


def plot_funnel_breakdown(
    data: pd.DataFrame,
    *,
    hue: str,
    x: str = "step_name",
    y: str = "conversion_from_start",
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Conversion per step for each group, with the Wilson interval as error bars.

    ``data`` is a funnel with a breakdown (``funnel(..., by=hue)``). Groups are ordered by the
    customers entering; beyond ``max_groups`` the smallest are summed into one grey ``"other"``
    group (rates recomputed from the counts), so every colour stays distinct.
    """
    require_columns(data, [hue, x, y, f"{y}_low", f"{y}_high", "step"], "plot_funnel_breakdown")
    ax = ax or plt.gca()
    steps = data.drop_duplicates("step").sort_values("step")[x].astype(str).tolist()
    data = data.copy()
    data[hue] = data[hue].astype(object).where(data[hue].notna(), "(missing)")
    groups = data[hue].drop_duplicates().tolist()
    if "customers" in data.columns:
        first = data[data["step"] == data["step"].min()].groupby(hue, sort=False)["customers"].sum()
        groups = sorted(groups, key=lambda g: -float(first.get(g, 0)))
    palette = group_palette(groups, max_groups=max_groups)
    note = ""
    named = [g for g in groups if palette[g] != OTHER_COLOR or str(g) == OTHER]
    if len(named) < len(groups):
        rest = [g for g in groups if g not in named]
        if "customers" in data.columns and y in ("conversion_from_start", "conversion_from_previous"):
            keep = [g for g in named if str(g) != OTHER]
            data = pd.concat([data[data[hue].isin(keep)], _collapse_groups(data, hue, keep, y)], ignore_index=True)
            named = [*keep, OTHER]
        else:
            data = data[data[hue].isin(named)]
            note = f" (largest {len(named)}; {len(rest)} more not drawn)"
        other_label = f"{OTHER} ({len(rest)} groups)" if len(rest) > 1 else str(rest[0])
    else:
        other_label = OTHER
    width = 0.8 / max(len(named), 1)
    for i, group in enumerate(named):
        part = data[data[hue] == group].sort_values("step")
        pos = part["step"].to_numpy() - 1 + (i - (len(named) - 1) / 2) * width
        value = part[y].to_numpy(dtype=float)
        err = np.vstack([value - part[f"{y}_low"].to_numpy(dtype=float), part[f"{y}_high"].to_numpy(dtype=float) - value])
        label = other_label if str(group) == OTHER else str(group)
        ax.bar(pos, value, width=width, yerr=np.clip(np.nan_to_num(err), 0, None), capsize=2,
               label=_labels([label], 28)[0], color=palette.get(group, OTHER_COLOR), **kwargs)
    set_category_ticks(ax, np.arange(len(steps)), steps, width=14)
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(y.replace("_", " "))
    ncol = 1 if len(named) <= 8 else 2
    ax.legend(title=plain_text(hue) + note, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1),
              ncol=ncol)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


_UNIT_OF_COLUMN = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


def plot_time_to_convert(
    data: pd.DataFrame,
    *,
    x: str = "hours",
    bins: int = 40,
    log: bool = True,
    unit: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Distribution of the time to convert (from :func:`jkit.funnels.time_to_convert`), median and p90 marked.

    The axis is in the unit the times call for (seconds, minutes, hours, days or years, by the
    median), its ticks plain numbers of that unit (on a log axis 1-2-5 steps, no ``10⁻²``).

    Parameters
    ----------
    x : str, default "hours"
        A column of numbers (its unit read from the name: ``hours``, ``minutes``, ``seconds``,
        ``days``; else hours) or of Timedeltas. ``time_to_convert`` is used when present and ``x``
        is not.
    log : bool, default True
        Log axis (for long tails); conversions at zero time are drawn at the left edge.
    unit : {"seconds", "minutes", "hours", "days", "years"}, optional
        Force the axis unit.
    """
    if x not in data.columns and "time_to_convert" in data.columns:
        x = "time_to_convert"
    require_columns(data, [x], "plot_time_to_convert")
    ax = ax or plt.gca()
    col = data[x]
    if pd.api.types.is_timedelta64_dtype(col):
        seconds = col.dt.total_seconds().to_numpy(dtype=float)
    else:
        scale = next((v for k, v in _UNIT_OF_COLUMN.items() if k in x.lower()), 3600.0)
        seconds = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float) * scale
    seconds = seconds[np.isfinite(seconds)]
    if len(seconds) == 0:
        ax.text(0.5, 0.5, "nobody converted", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    if unit is None:
        unit, per = duration_unit(seconds)
    else:
        per = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0, "years": 365.25 * 86400.0}[unit]
    values = seconds / per
    kwargs.setdefault("color", "#41b6c4")
    positive = values[values > 0]
    use_log = log and len(positive) > 0 and positive.max() / positive.min() > 10
    if use_log:
        low = float(positive.min())
        high = float(max(values.max(), low * 10))
        edges = np.geomspace(low, high, bins + 1)
        ax.hist(np.clip(values, low, None), bins=edges, **kwargs)
        ax.set_xscale("log")
        ax.set_xlim(low / 1.15, high * 1.15)
        set_duration_axis(ax, low / 1.15, high * 1.15, log=True)
    else:
        hi = float(values.max())
        ax.hist(values, bins=bins if hi > 0 else 1, **kwargs)
        ax.set_xlim(0, hi * 1.05 if hi > 0 else 1)
        set_duration_axis(ax, 0, hi, log=False)
    for q, style in ((0.5, "-"), (0.9, "--")):
        v = float(np.quantile(values, q))
        shown = max(v, float(positive.min())) if use_log else v
        ax.axvline(shown, color="#333", linestyle=style,
                   label=f"{'median' if q == 0.5 else 'p90'}: {format_duration(v * per)}")
    steps = ""
    if {"from_step", "to_step"} <= set(data.columns) and len(data):
        steps = f" from {data['from_step'].iloc[0]} to {data['to_step'].iloc[0]}"
    ax.set_xlabel(plain_text(f"{unit}{steps}" + (" (log scale)" if use_log else "")))
    ax.set_ylabel("customers")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_cohort_trend(
    data: pd.DataFrame,
    *,
    x: str = "cohort",
    y: str = "conversion",
    hue: str | None = None,
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Conversion by entry cohort with its interval band; incomplete cohorts drawn hollow.

    The date axis covers the cohorts with a small margin and its labels do not overlap; a
    single cohort is one point with its interval as a bar, labelled with its date.
    """
    require_columns(data, [x, y, f"{y}_low", f"{y}_high"], "plot_cohort_trend")
    ax = ax or plt.gca()
    palette: dict = {}
    labels: dict = {}
    note = ""
    if hue is None:
        groups = [(None, data)]
    else:
        data = data.copy()
        data[hue] = data[hue].astype(object).where(data[hue].notna(), "(missing)")
        parts = dict(list(data.groupby(hue, sort=True)))
        size = {k: float(p["entered"].sum()) if "entered" in p.columns else 0.0 for k, p in parts.items()}
        order = sorted(parts, key=lambda k: -size[k])
        palette = group_palette(order, max_groups=max_groups)
        keep = [k for k in order if palette[k] != OTHER_COLOR]
        rest = [k for k in order if k not in keep]
        groups = [(k, parts[k]) for k in keep]
        if rest and {"entered", "converted"} <= set(data.columns) and y == "conversion":
            from jkit.stats import wilson_interval

            other = data[data[hue].isin(rest)].groupby(x, sort=True).agg(
                entered=("entered", "sum"), converted=("converted", "sum"),
                **({"complete": ("complete", "all")} if "complete" in data.columns else {})).reset_index()
            with np.errstate(invalid="ignore", divide="ignore"):
                other[y] = other["converted"] / other["entered"].where(other["entered"] > 0)
            other[f"{y}_low"], other[f"{y}_high"] = wilson_interval(other["converted"], other["entered"])
            groups.append((OTHER, other))
            palette[OTHER] = OTHER_COLOR
            labels[OTHER] = f"{OTHER} ({len(rest)} groups)" if len(rest) > 1 else str(rest[0])
        elif rest:
            note = f" (largest {len(keep)}; {len(rest)} more not drawn)"
    all_when = []
    for key, part in groups:
        part = part.sort_values(x)
        when = pd.to_datetime(part[x], utc=True).dt.tz_localize(None)
        all_when.extend(when.tolist())
        value = part[y].to_numpy(dtype=float)
        low, high = part[f"{y}_low"].to_numpy(dtype=float), part[f"{y}_high"].to_numpy(dtype=float)
        style = dict(kwargs)
        if key is not None:
            style.setdefault("color", palette.get(key))
        label = None if key is None else _labels([labels.get(key, key)], 28)[0]
        line = ax.plot(when, value, marker="o", label=label, **style)[0]
        if len(part) == 1:
            ax.vlines(when, low, high, color=line.get_color(), lw=3, alpha=0.35)  # one cohort: its interval as a bar
        else:
            ax.fill_between(when, low, high, color=line.get_color(), alpha=0.15)
        if "complete" in part.columns and (~part["complete"].astype(bool)).any():
            inc = ~part["complete"].astype(bool).to_numpy()
            ax.plot(np.asarray(when)[inc], value[inc], "o", markerfacecolor="white", color=line.get_color())
    set_date_axis(ax, all_when)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(plain_text(y))
    ax.set_xlabel("entry cohort")
    if hue is not None:
        ax.legend(title=plain_text(hue) + note, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
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
    require_columns(data, ["kpi", "value", "low", "high", y], "plot_kpi_intervals")
    ax = ax or plt.gca()
    part = data[data["kpi"] == kpi].reset_index(drop=True)
    if part.empty:
        raise ParameterError(f"plot_kpi_intervals: no rows for kpi={kpi!r}; kpis are {sorted(set(data['kpi']))}")
    pos = np.arange(len(part))
    value = part["value"].to_numpy(dtype=float)
    err = np.vstack([value - part["low"].to_numpy(dtype=float), part["high"].to_numpy(dtype=float) - value])
    ax.errorbar(value, pos, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", capsize=3, **kwargs)
    ax.set_yticks(pos, _labels(part[y], 18))
    ax.invert_yaxis()
    if "unit" in part.columns and part["unit"].iloc[0] == "share":
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        from jkit.plotting.readability import plain_number

        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: plain_number(v)))
    ax.set_xlabel(plain_text(kpi.replace("_", " ")))
    ax.spines[["top", "right"]].set_visible(False)
    return ax
