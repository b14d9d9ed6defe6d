"""Persona figures: trait heatmap, 2-D projection, stage reach, shares over time, personas × RFM segments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from jkit.plotting.readability import (
    OTHER,
    OTHER_COLOR,
    group_palette,
    plain_text,
    set_category_ticks,
    set_date_axis,
    wrap_labels,
)

__all__ = [
    "plot_trait_heatmap",
    "plot_persona_projection",
    "plot_persona_funnel",
    "plot_segment_crosstab",
    "plot_persona_selection",
    "plot_persona_shares",
    "plot_outcome_spread",
]


def _groups(data: pd.DataFrame, hue: str, max_groups: int):
    """(rows, colour, legend label) per group: the largest ``max_groups`` in distinct colours; beyond
    that the rest grey with one legend entry, "other (n)"."""
    parts = list(data.groupby(hue, sort=True, observed=True))
    palette = group_palette([k for k, _ in sorted(parts, key=lambda kv: -len(kv[1]))], max_groups=max_groups)
    grey = [k for k, _ in parts if palette[k] == OTHER_COLOR]
    out, labelled = [], False
    for k, g in parts:
        if palette[k] != OTHER_COLOR or len(grey) == 1:
            label = _legend_label(k)
        elif not labelled:
            label, labelled = f"{OTHER} ({len(grey)})", True
        else:
            label = "_nolegend_"
        out.append((g, palette[k], label))
    return out


def _legend_label(name) -> str:
    return plain_text(wrap_labels([str(name)], width=28)[0])


def _label(row) -> str:
    if pd.notna(row["level"]) and row["kind"] == "category":
        return f"{row['feature']} = {row['level']}"
    return str(row["feature"])


def plot_trait_heatmap(
    data: pd.DataFrame,
    *,
    value: str = "effect",
    names: dict | None = None,
    top: int | None = 20,
    clip: float = 3.0,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Heatmap of traits (rows) by persona (columns), coloured by standardized difference.

    Parameters
    ----------
    data : DataFrame
        ``model.traits_`` (:func:`jkit.personas.persona_traits`).
    value : str, default "effect"
        Column to show (``effect``: persona vs population in population standard deviations).
    names : dict, optional
        Persona id to name (``model.names_``) for the column labels.
    top : int or None, default 20
        Keep the traits with the largest absolute value in any persona (category levels are
        kept only where over-represented somewhere).
    clip : float, default 3.0
        Colour scale limits ``±clip``.
    """
    ax = ax or plt.gca()
    t = data.copy()
    t["trait"] = [_label(r) for _, r in t.iterrows()]
    table = t.pivot_table(index="trait", columns="persona", values=value, aggfunc="first", sort=False)
    if top is not None and len(table) > top:
        table = table.loc[table.abs().max(axis=1).sort_values(ascending=False).index[:top]]
    labels = [f"{p}: {names[p]}" if names and p in names else str(p) for p in table.columns]
    labels = [plain_text(s) for s in wrap_labels(labels, width=18)]
    im = ax.imshow(table.to_numpy(dtype=float), cmap=kwargs.pop("cmap", "RdBu_r"), vmin=-clip, vmax=clip,
                   aspect="auto", **kwargs)
    set_category_ticks(ax, range(len(table.index)), table.index, axis="y", width=40)
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 4 else 0,
                  ha="right" if len(labels) > 4 else "center", rotation_mode="anchor")
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = table.iat[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:+.1f}", ha="center", va="center", fontsize=8,
                        color="white" if abs(v) > clip * 0.6 else "black")
    ax.figure.colorbar(im, ax=ax, label=f"{value} (vs all customers)")
    ax.set_title("Traits by persona")
    return ax


def plot_persona_projection(
    data: pd.DataFrame,
    *,
    x: str = "pc1",
    y: str = "pc2",
    hue: str = "persona_name",
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Scatter of customers on a 2-D projection (``model.project(features)``), coloured by persona."""
    ax = ax or plt.gca()
    kwargs.setdefault("s", 8)
    kwargs.setdefault("alpha", 0.6)
    for grp, color, label in _groups(data, hue, max_groups):
        ax.scatter(grp[x], grp[y], label=label, color=color, **kwargs)
    ax.set_xlabel(plain_text(x))
    ax.set_ylabel(plain_text(y))
    ax.legend(title="persona", fontsize=8, markerscale=2, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Customers on the first two principal components")
    return ax


def plot_persona_funnel(
    data: pd.DataFrame,
    *,
    x: str = "stage",
    y: str = "reach",
    hue: str = "persona_name",
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Stage reach by persona (``persona_funnel(data, assignments)``): one line per persona."""
    ax = ax or plt.gca()
    order = data.drop_duplicates(x).sort_values("stage_index")[x].tolist() if "stage_index" in data else None
    for grp, color, label in _groups(data, hue, max_groups):
        g = grp.set_index(x).reindex(order) if order else grp.set_index(x)
        ax.plot(range(len(g)), g[y], marker="o", label=label, color=color, **kwargs)
        if {"reach_low", "reach_high"} <= set(g.columns) and y == "reach":
            ax.fill_between(range(len(g)), g["reach_low"], g["reach_high"], color=color, alpha=0.15)
    labels = order or data[x].unique().tolist()
    set_category_ticks(ax, range(len(labels)), labels, width=14)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("customers reaching the stage")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Stage reach by persona")
    return ax


def plot_segment_crosstab(data: pd.DataFrame, *, ax: Axes | None = None, fmt: str = "{:.0%}", **kwargs) -> Axes:
    """Heatmap of a personas × segments table (``compare_segments(assignments, rfm)``)."""
    ax = ax or plt.gca()
    values = data.to_numpy(dtype=float)
    im = ax.imshow(values, cmap=kwargs.pop("cmap", "Blues"), aspect="auto", vmin=0, **kwargs)
    set_category_ticks(ax, range(len(data.index)), data.index, axis="y", width=40)
    ax.set_xticks(range(len(data.columns)), [plain_text(c) for c in wrap_labels(data.columns, width=16)],
                  rotation=35, ha="right", rotation_mode="anchor")
    top = np.nanmax(values) if values.size else 1
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if values[i, j]:
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > top * 0.6 else "black")
    ax.figure.colorbar(im, ax=ax)
    ax.set_title("Personas × RFM segments")
    return ax


def plot_persona_selection(data: pd.DataFrame, *, x: str = "n_personas", y: str = "score", chosen: int | None = None,
                           ax: Axes | None = None, **kwargs) -> Axes:
    """The score of each candidate number of personas (``model.k_curve_`` / ``selection_``), beside the same
    score on the shuffled references (mean ± 2 sd) when the table has them: the chosen k beats them most."""
    ax = ax or plt.gca()
    ax.plot(data[x], data[y], marker="o", label="customers", **kwargs)
    if y == "score" and "null_score" in data.columns:
        null, sd = data["null_score"].to_numpy(float), data["null_sd"].to_numpy(float)
        ax.plot(data[x], null, marker="s", color="grey", label="columns shuffled (no structure)")
        ax.fill_between(data[x], null - 2 * sd, null + 2 * sd, color="grey", alpha=0.2)
        ax.legend(fontsize=8)
    if chosen is not None:
        ax.axvline(chosen, color="grey", ls="--", lw=1)
    ax.set_xlabel("number of personas")
    ax.set_ylabel(plain_text(y))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_title("Choosing the number of personas")
    return ax


def plot_persona_shares(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "share",
    hue: str = "persona_name",
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Persona shares over time (``persona_shares(data, assignments)``): one line per persona, 95% bands."""
    ax = ax or plt.gca()
    dated = pd.api.types.is_datetime64_any_dtype(data[x]) or isinstance(data[x].dtype, pd.PeriodDtype)
    when_all = []
    for grp, color, label in _groups(data, hue, max_groups):
        g = grp.sort_values(x)
        when = g[x]
        if isinstance(when.dtype, pd.PeriodDtype):
            when = when.dt.start_time
        if dated:
            when = pd.to_datetime(when, utc=True).dt.tz_localize(None)
            when_all.extend(when.tolist())
        ax.plot(when, g[y], marker="o", label=label, color=color, **kwargs)
        if {"share_low", "share_high"} <= set(g.columns) and y == "share":
            if len(g) == 1:
                ax.vlines(when, g["share_low"].astype(float), g["share_high"].astype(float), color=color, lw=3,
                          alpha=0.35)  # one period: its interval as a short bar
            else:
                ax.fill_between(when, g["share_low"], g["share_high"], color=color, alpha=0.15)
    if dated:
        set_date_axis(ax, when_all)
    else:
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylim(0, None)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of the period's customers")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Persona shares over time")
    return ax


def plot_outcome_spread(data: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """How far apart the personas are on each outcome (``model.outcome_spread_``): the spread with its
    95% interval, beside random splits of the same sizes (95th percentile) and plain k-means."""
    ax = ax or plt.gca()
    y = np.arange(len(data))
    spread = data["spread"].to_numpy(float)
    err = np.vstack([spread - data["spread_low"].to_numpy(float), data["spread_high"].to_numpy(float) - spread])
    ax.barh(y, spread, xerr=np.clip(err, 0, None), color="#4c72b0", label="personas (95% interval)")
    ax.scatter(data["random_high"], y, marker="|", s=300, color="black", label="random splits, 95th percentile")
    if data["kmeans_spread"].notna().any():
        ax.scatter(data["kmeans_spread"], y, marker="x", color="#dd8452", label="plain k-means, same k")
    ax.set_yticks(y, [plain_text(o) for o in data["outcome"]])
    ax.set_xlabel("highest persona mean − lowest")
    ax.legend(fontsize=8)
    ax.set_title("Do the personas differ on outcomes?")
    return ax
