"""Figures of the data overview report: events over time by touchpoint, and the reach of each stage.

Tables in (from :mod:`jkit.notebook.overview`), matplotlib Axes out; nothing is computed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from jkit.formatting import format_percent
from jkit.plotting.readability import group_palette, plain_text, set_category_ticks, set_date_axis

__all__ = ["plot_events_over_time", "plot_stage_reach"]


def plot_events_over_time(per_bucket: pd.DataFrame, *, unit: str, by_touchpoint: bool = True,
                          max_groups: int = 9, ax: Axes | None = None) -> Axes:
    """One line of events per ``unit`` (``"week"``…) for each column of ``per_bucket`` (touchpoints).

    ``per_bucket`` is :func:`jkit.notebook.overview.events_per_period`; ``max_groups`` columns get
    their own colour; without ``by_touchpoint`` there is one line and no legend.
    """
    ax = ax or plt.gca()
    palette = group_palette(list(per_bucket.columns), max_groups=max_groups)
    per_bucket.rename(columns=plain_text).plot(ax=ax, linewidth=1.8, marker="o" if len(per_bucket) < 12 else None,
                                               color=[palette[c] for c in per_bucket.columns])
    set_date_axis(ax, per_bucket.index)
    ax.set_title(f"Events per {unit}" + (" by touchpoint" if by_touchpoint else ""))
    ax.set_xlabel(f"{unit} starting (UTC)")
    ax.set_ylabel(f"events per {unit}")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if by_touchpoint:
        ax.legend(title="touchpoint", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    else:
        ax.get_legend().remove()
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_stage_reach(reach: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: the share of customers who reached each stage, labelled with share and count.

    ``reach`` is :func:`jkit.notebook.overview.stage_reach` (``stage, customers, share_of_customers``).
    """
    ax = ax or plt.gca()
    ax.barh(range(len(reach)), reach["share_of_customers"], color="#4C72B0")
    set_category_ticks(ax, range(len(reach)), reach["stage"], axis="y")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1.12)
    for y, (share, n) in enumerate(zip(reach["share_of_customers"], reach["customers"], strict=True)):
        ax.text(share + 0.01, y, f"{format_percent(share)} ({n:,})", va="center", fontsize=9)
    ax.set_title("Share of customers who reached each stage")
    ax.set_xlabel("customers with at least one event of the stage")
    ax.grid(axis="x", alpha=0.3)
    return ax
