"""Figures for feedback sentiment: distribution, emotion curve, stage × touchpoint heatmap, pain points."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from jkit._rules import require_columns
from jkit.plotting.readability import OTHER_COLOR, group_palette, plain_text, set_category_ticks, wrap_labels

__all__ = [
    "plot_sentiment_distribution",
    "plot_emotion_curve",
    "plot_sentiment_heatmap",
    "plot_pain_points",
    "plot_sentiment_vs_score",
]

_LABEL_COLORS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}


def plot_sentiment_distribution(
    data: pd.DataFrame,
    *,
    x: str = "compound",
    hue: str = "label",
    thresholds: tuple[float, float] = (-0.05, 0.05),
    bins: int = 41,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Histogram of compound scores, stacked by label, with the label thresholds marked.

    Parameters
    ----------
    data : DataFrame
        Scored feedback (columns of :func:`jkit.sentiment.score_sentiment`).
    x, hue : str
        Score and label columns.
    thresholds : (float, float)
        Drawn as dashed lines.
    bins : int, default 41
        Number of bins over -1..1.
    ax : Axes, optional
    **kwargs
        Passed to ``Axes.hist``.
    """
    require_columns(data, [x, hue], "plot_sentiment_distribution")
    ax = ax or plt.gca()
    edges = np.linspace(-1, 1, bins + 1)
    labels = [lab for lab in _LABEL_COLORS if (data[hue] == lab).any()]
    values = [data.loc[data[hue] == lab, x].dropna().to_numpy() for lab in labels]
    ax.hist(values, bins=edges, stacked=True, color=[_LABEL_COLORS[lab] for lab in labels], label=labels, **kwargs)
    for t in thresholds:
        ax.axvline(t, color="#333", linestyle="--", linewidth=0.8)
    ax.set_xlabel("compound sentiment (-1 = most negative, +1 = most positive)")
    ax.set_ylabel("feedback texts")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(title=plain_text(hue))
    return ax


def plot_emotion_curve(
    data: pd.DataFrame,
    *,
    x: str = "stage",
    y: str = "mean_compound",
    low: str = "mean_low",
    high: str = "mean_high",
    share: str | None = "share_negative",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """The emotion curve: mean sentiment per stage with its confidence band (from :func:`jkit.sentiment.emotion_curve`).

    The lowest stage is marked; with ``share`` set, the share of negative feedback is drawn as
    bars on a second axis.
    """
    require_columns(data, [x, y, low, high], "plot_emotion_curve")
    ax = ax or plt.gca()
    pos = np.arange(len(data))
    if share is not None and share in data.columns:
        ax2 = ax.twinx()
        ax2.bar(pos, data[share].astype(float), color=_LABEL_COLORS["negative"], alpha=0.15, width=0.6)
        ax2.set_ylabel("share negative (bars)")
        ax2.set_ylim(0, 1)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
    ax.fill_between(pos, data[low].astype(float), data[high].astype(float), color="#2c7fb8", alpha=0.2, linewidth=0)
    ax.plot(pos, data[y].astype(float), marker="o", color="#2c7fb8", **kwargs)
    ax.axhline(0, color="#333", linewidth=0.6)
    if data[y].notna().any():
        k = int(np.nanargmin(data[y].astype(float).to_numpy()))
        ax.annotate("lowest", (pos[k], float(data[y].iloc[k])), textcoords="offset points", xytext=(0, -16),
                    ha="center", color=_LABEL_COLORS["negative"])
    set_category_ticks(ax, pos, data[x].astype(str), width=14)
    ax.set_xlabel(plain_text(x))
    ax.set_ylabel("mean compound sentiment (95% CI)")
    return ax


def plot_sentiment_heatmap(
    data: pd.DataFrame,
    *,
    x: str = "touchpoint",
    y: str = "stage",
    value: str = "mean_compound",
    count: str | None = "n",
    row_order: list[str] | None = None,
    min_count: int = 5,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of mean sentiment by stage × touchpoint (from ``sentiment_summary(by=["stage", "touchpoint"])``).

    Cells with fewer than ``min_count`` texts are left blank; each cell shows its mean and ``n``.
    """
    require_columns(data, [x, y, value], "plot_sentiment_heatmap")
    ax = ax or plt.gca()
    grid = data.pivot_table(index=y, columns=x, values=value, aggfunc="first")
    counts = data.pivot_table(index=y, columns=x, values=count, aggfunc="first") if count else None
    if row_order is not None:
        grid = grid.reindex([r for r in row_order if r in grid.index])
        counts = counts.reindex(grid.index) if counts is not None else None
    shown = grid.where(counts >= min_count) if counts is not None else grid
    im = ax.imshow(shown.to_numpy(dtype=float), cmap=kwargs.pop("cmap", "RdYlGn"), vmin=-1, vmax=1, aspect="auto", **kwargs)
    for i in range(shown.shape[0]):
        for j in range(shown.shape[1]):
            v = shown.iat[i, j]
            if pd.notna(v):
                n = f"\nn={int(counts.iat[i, j])}" if counts is not None else ""
                ax.text(j, i, f"{v:+.2f}{n}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(shown.shape[1]), [plain_text(c) for c in wrap_labels(shown.columns.astype(str), width=16)],
                  rotation=30, ha="right", rotation_mode="anchor")
    set_category_ticks(ax, range(shown.shape[0]), shown.index.astype(str), axis="y", width=24)
    ax.set_xlabel(plain_text(x))
    ax.set_ylabel(plain_text(y))
    ax.figure.colorbar(im, ax=ax, label="mean compound")
    return ax


def plot_pain_points(
    data: pd.DataFrame,
    *,
    x: str = "z",
    y: str = "phrase",
    hue: str | None = "top_stage",
    top: int = 15,
    max_groups: int = 12,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars of the strongest pain points (from :func:`jkit.sentiment.pain_points`), by z-score."""
    require_columns(data, [x, y], "plot_pain_points")
    ax = ax or plt.gca()
    shown = data.sort_values(x, ascending=False).head(top).iloc[::-1]
    colors = None
    if hue is not None and hue in shown.columns:
        cats = shown[hue].astype(str).value_counts().index.tolist()  # most frequent first
        lookup = group_palette(cats, max_groups=max_groups)
        colors = [lookup[c] for c in shown[hue].astype(str)]
        from matplotlib.patches import Patch

        named = [c for c in cats if lookup[c] != OTHER_COLOR]
        handles = [Patch(color=lookup[c], label=plain_text(c)) for c in named]
        if len(named) < len(cats):
            handles.append(Patch(color=OTHER_COLOR, label=f"other ({len(cats) - len(named)})"))
        ax.legend(handles=handles, title=plain_text(hue), loc="lower right", fontsize=8)
    labels = shown[y].astype(str)
    if "stage" in shown.columns and shown["stage"].nunique() > 1:
        labels = labels + " (" + shown["stage"].astype(str) + ")"
    ax.barh(np.arange(len(shown)), shown[x].astype(float), color=colors, **kwargs)
    set_category_ticks(ax, np.arange(len(shown)), labels, axis="y", width=48, max_lines=1)
    ax.axvline(1.96, color="#333", linestyle="--", linewidth=0.8)
    ax.set_xlabel("over-representation in negative feedback (z of weighted log-odds)")
    return ax


def plot_sentiment_vs_score(
    data: pd.DataFrame,
    *,
    x: str = "nps",
    y: str = "compound",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Mean text sentiment (with 95% interval) at each survey score: a sanity check of the scoring."""
    from jkit.stats import mean_interval

    require_columns(data, [x, y], "plot_sentiment_vs_score")
    ax = ax or plt.gca()
    sub = data[[x, y]].dropna()
    rows = []
    for level, g in sub.groupby(x, sort=True):
        m, lo, hi = mean_interval(g[y].to_numpy(dtype=float))
        rows.append((float(level), m, lo, hi, len(g)))
    if rows:
        lv, m, lo, hi, _ = map(np.array, zip(*rows, strict=True))
        err = np.vstack([m - np.where(np.isnan(lo), m, lo), np.where(np.isnan(hi), m, hi) - m])
        ax.errorbar(lv, m, yerr=err, marker="o", capsize=3, **kwargs)
    ax.axhline(0, color="#333", linewidth=0.6)
    ax.set_xlabel(plain_text(x))
    ax.set_ylabel(plain_text(f"mean {y} (95% CI)"))
    return ax
