"""Figures for the drivers of conversion: a forest plot of odds ratios with their intervals."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from jkit._rules import require_columns
from jkit.errors import ParameterError
from jkit.plotting.readability import plain_text

__all__ = ["plot_drivers"]


def _leading_digit(v: float) -> int:
    return int(round(v / 10 ** np.floor(np.log10(v)))) if v > 0 else 0


def _ratio_tick(v: float, _pos: int | None = None) -> str:
    return f"{v:g}" if v > 0 else ""


def _label(row: pd.Series, label_col: str | None) -> str:
    if label_col is not None:
        return plain_text(str(row[label_col]))
    kind, feature, value = str(row.get("kind", "")), str(row.get("feature", "")), str(row.get("value", ""))
    text = f"{feature} = {value}" if kind in ("attribute", "property") else f"{kind}: {value}"
    if "stage" in row.index and "theme" in row.index:
        text = f"{row['theme']} at {row['stage']}"
    return plain_text(text)


def plot_drivers(
    drivers: pd.DataFrame,
    *,
    top: int = 15,
    only_significant: bool = False,
    label_col: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Forest plot of the top drivers: odds ratio (dot) and interval (line) on a log axis, labelled.

    Parameters
    ----------
    drivers : DataFrame
        :func:`jkit.drivers.conversion_drivers` or :func:`jkit.drivers.theme_dropoff` output
        (``odds_ratio, ci_low, ci_high, q_value``, ``n_with`` and the feature columns), best first.
    top : int, default 15
        Rows drawn (the first ``top`` of the table, in its order).
    only_significant : bool, default False
        Draw only the rows with ``significant`` True.
    label_col : str, optional
        Column to label rows with; default "feature = value" or "kind: value" ("theme at stage").
    title : str, optional
        Axes title.
    ax : Axes, optional
        Axes to draw on; a new figure otherwise.

    Returns
    -------
    Axes
    """
    require_columns(drivers, ["odds_ratio", "ci_low", "ci_high", "q_value", "n_with"], "plot_drivers",
                    hint="pass the table conversion_drivers or theme_dropoff returns")
    if not isinstance(top, int | np.integer) or isinstance(top, bool) or top < 1:
        raise ParameterError(f"top={top!r} should be a positive whole number")
    rows = drivers[drivers["significant"].astype(bool)] if only_significant and "significant" in drivers else drivers
    rows = rows.head(top).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=kwargs.pop("figsize", (8, 0.4 * max(len(rows), 3) + 1.2)))
    if rows.empty:
        ax.text(0.5, 0.5, "no driver to show", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    y = np.arange(len(rows))
    odds = rows["odds_ratio"].to_numpy(dtype=float)
    low, high = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
    sig = (rows["q_value"].to_numpy(dtype=float) < 0.05) if "significant" not in rows else rows["significant"].to_numpy(bool)
    colors = np.where(odds >= 1, "#1b7837", "#b2182b")
    for yi, lo, hi, c, s in zip(y, low, high, colors, sig, strict=True):
        ax.plot([lo, hi], [yi, yi], color=c, alpha=1.0 if s else 0.4, lw=2)
    ax.scatter(odds, y, c=list(colors), s=36, zorder=3, edgecolors="black", linewidths=[1.2 if s else 0 for s in sig])
    ax.axvline(1.0, color="grey", lw=1, ls="--")
    ax.set_xscale("log")
    # plain numbers at 1, 2 and 5 of each decade: matplotlib's own minor labels (2×10⁻¹, 3×10⁻¹…) overlap
    ax.xaxis.set_major_formatter(FuncFormatter(_ratio_tick))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: _ratio_tick(v) if _leading_digit(v) in (2, 5) else ""))
    ax.set_yticks(y)
    ax.set_yticklabels([f"{_label(r, label_col)} (n = {int(r['n_with']):,})" for _, r in rows.iterrows()])
    ax.set_xlabel("odds ratio (log scale), 95% interval; outlined: q < 0.05")
    ax.set_title(plain_text(title) if title else "Drivers: associations, not effects")
    return ax
