"""Persona figures: trait heatmap, 2-D projection, stage reach, shares over time, personas × RFM segments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = [
    "plot_trait_heatmap",
    "plot_persona_projection",
    "plot_persona_funnel",
    "plot_segment_crosstab",
    "plot_persona_selection",
    "plot_persona_shares",
]


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
    im = ax.imshow(table.to_numpy(dtype=float), cmap=kwargs.pop("cmap", "RdBu_r"), vmin=-clip, vmax=clip,
                   aspect="auto", **kwargs)
    ax.set_yticks(range(len(table.index)), table.index)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
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
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Scatter of customers on a 2-D projection (``model.project(features)``), coloured by persona."""
    ax = ax or plt.gca()
    kwargs.setdefault("s", 8)
    kwargs.setdefault("alpha", 0.6)
    for i, (name, grp) in enumerate(data.groupby(hue, sort=True, observed=True)):
        ax.scatter(grp[x], grp[y], label=str(name), color=plt.cm.tab10(i % 10), **kwargs)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(title="persona", fontsize=8, markerscale=2, loc="best")
    ax.set_title("Customers on the first two principal components")
    return ax


def plot_persona_funnel(
    data: pd.DataFrame,
    *,
    x: str = "stage",
    y: str = "reach",
    hue: str = "persona_name",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Stage reach by persona (``persona_funnel(data, assignments)``): one line per persona."""
    ax = ax or plt.gca()
    order = data.drop_duplicates(x).sort_values("stage_index")[x].tolist() if "stage_index" in data else None
    for i, (name, grp) in enumerate(data.groupby(hue, sort=True, observed=True)):
        g = grp.set_index(x).reindex(order) if order else grp.set_index(x)
        ax.plot(range(len(g)), g[y], marker="o", label=str(name), color=plt.cm.tab10(i % 10), **kwargs)
        if {"reach_low", "reach_high"} <= set(g.columns) and y == "reach":
            ax.fill_between(range(len(g)), g["reach_low"], g["reach_high"], color=plt.cm.tab10(i % 10), alpha=0.15)
    labels = order or data[x].unique().tolist()
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel("customers reaching the stage")
    ax.legend(fontsize=8)
    ax.set_title("Stage reach by persona")
    return ax


def plot_segment_crosstab(data: pd.DataFrame, *, ax: Axes | None = None, fmt: str = "{:.0%}", **kwargs) -> Axes:
    """Heatmap of a personas × segments table (``compare_segments(assignments, rfm)``)."""
    ax = ax or plt.gca()
    values = data.to_numpy(dtype=float)
    im = ax.imshow(values, cmap=kwargs.pop("cmap", "Blues"), aspect="auto", vmin=0, **kwargs)
    ax.set_yticks(range(len(data.index)), [str(i) for i in data.index])
    ax.set_xticks(range(len(data.columns)), [str(c) for c in data.columns], rotation=35, ha="right")
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
    """The score of each candidate number of personas (``model.selection_``)."""
    ax = ax or plt.gca()
    ax.plot(data[x], data[y], marker="o", **kwargs)
    if chosen is not None:
        ax.axvline(chosen, color="grey", ls="--", lw=1)
    ax.set_xlabel("number of personas")
    ax.set_ylabel(y)
    ax.set_title("Choosing the number of personas")
    return ax


def plot_persona_shares(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "share",
    hue: str = "persona_name",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Persona shares over time (``persona_shares(data, assignments)``): one line per persona, 95% bands."""
    ax = ax or plt.gca()
    for i, (name, grp) in enumerate(data.groupby(hue, sort=True, observed=True)):
        g = grp.sort_values(x)
        color = plt.cm.tab10(i % 10)
        ax.plot(g[x], g[y], marker="o", label=str(name), color=color, **kwargs)
        if {"share_low", "share_high"} <= set(g.columns) and y == "share":
            ax.fill_between(g[x], g["share_low"], g["share_high"], color=color, alpha=0.15)
    ax.set_ylim(0, None)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel("share of the period's customers")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(fontsize=8)
    ax.set_title("Persona shares over time")
    return ax
