"""The journey map figure: stages across, one lane per view of the journey.

Lanes (top to bottom, each optional): customers reaching the stage with conversion from the
previous one; top actions; touchpoint use (a heat strip); the emotion curve with its confidence
band; the top pain points; the opportunities. Sized for A4 landscape.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jkit._rules import LANES
from jkit.plotting.readability import plain_text, wrap_labels

if TYPE_CHECKING:  # pragma: no cover
    from jkit.journey_map.map import JourneyMap

__all__ = ["plot_journey_map", "LANES"]

_LANE_TITLES = {
    "reach": "Customers\nreaching stage",
    "actions": "Top actions",
    "touchpoints": "Touchpoints",
    "emotion": "Emotion\n(sentiment)",
    "pain_points": "Pain points",
    "opportunities": "Opportunities",
}
_LANE_HEIGHT = {"reach": 1.3, "actions": 0.75, "touchpoints": 1.4, "emotion": 1.4, "pain_points": 0.8, "opportunities": 0.8}


def _text_cells(ax, stages: Sequence[str], items: dict[str, list[str]], *, width: int | None = None,
                color="#222") -> None:
    if width is None:  # characters that fit a stage's column at 7.5 pt
        column_in = ax.get_position().width * ax.figure.get_figwidth() / max(len(stages), 1)
        width = int(min(26, max(10, column_in / 0.065)))
    ax.set_xlim(-0.5, len(stages) - 0.5)
    ax.set_ylim(0, 1)
    for i, stage in enumerate(stages):
        lines = [plain_text(textwrap.shorten(t, width=width, placeholder="…")) for t in items.get(stage, [])]
        ax.text(i, 0.93, "\n".join(lines) if lines else "–", ha="center", va="top", fontsize=7.5, color=color,
                linespacing=1.35)
    ax.set_xticks([])
    ax.set_yticks([])


def _style_lane(ax, title: str) -> None:
    ax.set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9, fontweight="bold", labelpad=8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def plot_journey_map(
    jmap: JourneyMap,
    *,
    lanes: Sequence[str] = LANES,
    title: str | None = None,
    figsize: tuple[float, float] = (11.69, 8.27),
) -> Figure:
    """Draw a :class:`~jkit.journey_map.JourneyMap` as one figure (A4 landscape by default).

    Returns the Figure; nothing is shown or saved.
    """
    lanes = [lane for lane in lanes if lane in LANES]
    stages = list(jmap.stages)
    fig, axes = plt.subplots(
        len(lanes), 1, figsize=figsize, sharex=False,
        gridspec_kw={"height_ratios": [_LANE_HEIGHT[lane] for lane in lanes], "hspace": 0.12},
    )
    axes = np.atleast_1d(axes)
    x = np.arange(len(stages))
    for ax, lane in zip(axes, lanes, strict=True):
        _style_lane(ax, _LANE_TITLES[lane])
        if lane == "reach":
            reach = jmap.reach.set_index("stage").reindex(stages)
            bars = ax.bar(x, reach["customers"], color="#4C72B0", width=0.6)
            top = float(np.nanmax(reach["customers"])) if len(reach) else 1.0
            ax.set_ylim(0, top * 1.45)
            for i, (b, (_, row)) in enumerate(zip(bars, reach.iterrows(), strict=True)):
                label = f"{row['customers']:,.0f}"
                if i > 0 and pd.notna(row.get("conversion_from_previous")):
                    label += f"\n{row['conversion_from_previous']:.0%} of previous"
                ax.text(b.get_x() + b.get_width() / 2, b.get_height() + top * 0.04, label, ha="center", va="bottom",
                        fontsize=7.5)
            names = wrap_labels([s.replace("_", " ").title() for s in stages], width=max(8, int(100 / max(len(stages), 1))))
            ax.set_xticks(x, [plain_text(s) for s in names], fontsize=10 if len(stages) <= 7 else 8, fontweight="bold")
            ax.xaxis.set_ticks_position("top")
            ax.tick_params(axis="x", length=0, pad=6)
            ax.set_yticks([])
            ax.set_xlim(-0.5, len(stages) - 0.5)
        elif lane == "actions":
            items = {
                s: [f"{r.event.replace('_', ' ')} ({r.share:.0%})" for r in g.itertuples()]
                for s, g in jmap.actions.groupby("stage", sort=False)
            }
            _text_cells(ax, stages, items)
        elif lane == "touchpoints":
            tp = jmap.touchpoints.pivot_table(index="touchpoint", columns="stage", values="share", fill_value=0.0)
            tp = tp.reindex(columns=stages, fill_value=0.0)
            grid = tp.to_numpy(dtype=float)
            top = max(float(grid.max()) if grid.size else 0.0, 1e-9)
            ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=top,
                      extent=(-0.5, len(stages) - 0.5, len(tp) - 0.5, -0.5))
            for (r, c), v in np.ndenumerate(grid):
                if v >= 0.005:
                    ax.text(c, r, f"{v:.0%}", ha="center", va="center", fontsize=6.5,
                            color="white" if v > 0.5 * top else "#222")
            ax.set_yticks(range(len(tp)), [plain_text(t) for t in wrap_labels([str(t).replace("_", " ") for t in tp.index],
                                                                                width=22, max_lines=1)], fontsize=7)
            ax.yaxis.tick_right()
            ax.set_xticks([])
        elif lane == "emotion":
            emo = jmap.emotion.set_index("stage").reindex(stages)
            ax.axhline(0, color="#999", lw=0.8, ls="--")
            ax.fill_between(x, emo["low"], emo["high"], color="#DD8452", alpha=0.25, lw=0)
            ax.plot(x, emo["mean"], color="#DD8452", marker="o", lw=2.2)
            for i, v in enumerate(emo["mean"]):
                if pd.notna(v):
                    ax.annotate(f"{v:+.2f}", (i, v), textcoords="offset points", xytext=(0, 7), ha="center",
                                fontsize=7.5)
            lo = np.nanmin(np.r_[emo["low"].to_numpy(dtype=float), -0.1])
            hi = np.nanmax(np.r_[emo["high"].to_numpy(dtype=float), 0.1])
            pad = 0.15 * (hi - lo)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_xlim(-0.5, len(stages) - 0.5)
            ax.set_xticks([])
            ax.tick_params(axis="y", labelsize=7)
        elif lane == "pain_points":
            items = {
                s: [f"{r.phrase} ({r.count:,})" for r in g.itertuples()]
                for s, g in jmap.pain_points.groupby("stage", sort=False)
            }
            _text_cells(ax, stages, items, color="#8B1A1A")
        elif lane == "opportunities":
            items: dict[str, list[str]] = {}
            for r in jmap.opportunities.itertuples():
                items.setdefault(r.stage, []).append(f"#{r.rank} {getattr(r, 'action', None) or r.pain_point}")
            _text_cells(ax, stages, items, color="#1A5E1A")
    fig.suptitle(plain_text(title or jmap.title), fontsize=13, fontweight="bold", y=0.995)
    fig.subplots_adjust(left=0.15, right=0.92, top=0.9, bottom=0.03)
    return fig
