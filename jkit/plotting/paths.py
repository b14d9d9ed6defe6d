"""Figures for paths: the flow of the top paths (an alluvial diagram), the transition graph as a heat map,
and the step matrix. Tables in (from :mod:`jkit.paths`), Axes out; nothing is computed beyond layout."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from jkit._rules import require_columns
from jkit.errors import ParameterError
from jkit.plotting.readability import OTHER, group_palette, plain_text, wrap_labels

__all__ = ["plot_path_flow", "plot_step_matrix", "plot_transition_heatmap", "step_columns", "transition_grid"]

TRANSITION_COLUMNS = ("source", "target", "transitions", "customers", "share", "median_time")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def step_columns(table: pd.DataFrame) -> list[str]:
    """The ``step_1 … step_n`` columns of a paths table, in step order (a ParameterError when there are none)."""
    cols = sorted((c for c in table.columns if str(c).startswith("step_") and str(c)[5:].isdigit()),
                  key=lambda c: int(str(c)[5:]))
    if not cols:
        raise ParameterError("the table should be the output of jkit.paths.paths(): no step_1 … columns")
    return cols


def _band(ax: Axes, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], color: str) -> None:
    """A smooth band from the span ``y0`` at ``x0`` to the span ``y1`` at ``x1``."""
    xs = np.linspace(x0, x1, 30)
    s = (1 - np.cos(np.linspace(0, np.pi, 30))) / 2
    low = y0[0] + (y1[0] - y0[0]) * s
    high = y0[1] + (y1[1] - y0[1]) * s
    ax.fill_between(xs, low, high, color=color, alpha=0.35, linewidth=0)


def _layout(table: pd.DataFrame, steps: list[str], count: str, gap: float) -> dict[tuple[int, str], list[float]]:
    """Node spans per (step, name), stacked top-down by size ``gap`` apart, in shares of the units:
    ``[top, bottom, cursor of outgoing bands, cursor of incoming bands]``."""
    total = float(table[count].sum())
    nodes: dict[tuple[int, str], list[float]] = {}
    for k, col in enumerate(steps):
        sizes = table.groupby(col, sort=False)[count].sum().sort_values(ascending=False, kind="stable")
        y = 0.0
        for name, size in sizes.items():
            h = size / total
            nodes[(k, str(name))] = [y, y + h, y, y]
            y += h + gap
    return nodes


def plot_path_flow(paths: pd.DataFrame, *, width: float = 0.12, gap: float = 0.03, label_width: int = 14,
                   max_groups: int = 12, ax: Axes | None = None) -> Axes:
    """The top paths as an alluvial diagram: a column per step, a block per event, bands for the paths.

    Parameters
    ----------
    paths : DataFrame
        The table of :func:`jkit.paths.paths` (or of the drop-out helpers). The ``"other"`` row
        is not drawn; its share is given in the title, and a block's label gives its share of
        the drawn paths.
    width : float, default 0.12
        Width of the blocks (a step is 1 wide).
    gap : float, default 0.03
        Space between blocks, as a share of the height.
    label_width : int, default 14
        Characters per line of a block's label.
    max_groups : int, default 12
        Events with their own colour; the rest are grey.
    ax : Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    Axes
    """
    steps = step_columns(paths)
    count = "customers" if "sessions" not in paths.columns else "sessions"
    require_columns(paths, ["path", count], "paths")
    shown = paths[paths["path"] != OTHER]
    other = paths.loc[paths["path"] == OTHER, "share"].sum() if "share" in paths.columns else 0.0
    ax = _axes(ax, (2.2 * len(steps) + 2, 5.5))
    if shown.empty:
        ax.set_axis_off()
        ax.set_title("No path to draw")
        return ax
    nodes = _layout(shown, steps, count, gap)
    totals: dict[str, float] = {}
    for (_, name), span in nodes.items():
        totals[name] = totals.get(name, 0.0) + span[1] - span[0]
    palette = group_palette(sorted(totals, key=lambda n: (-totals[n], n)), max_groups=max_groups)
    total = float(shown[count].sum())
    for row in shown.itertuples(index=False):
        values = [getattr(row, c) for c in steps]
        h = getattr(row, count) / total
        for k in range(len(steps) - 1):
            a, b = values[k], values[k + 1]
            if a is None or b is None or pd.isna(a) or pd.isna(b):
                continue
            na, nb = nodes[(k, str(a))], nodes[(k + 1, str(b))]
            _band(ax, k + width / 2, k + 1 - width / 2, (na[2], na[2] + h), (nb[3], nb[3] + h), palette[str(b)])
            na[2] += h
            nb[3] += h
    for (k, name), (top, bottom, _, _) in nodes.items():
        ax.add_patch(plt.Rectangle((k - width / 2, top), width, bottom - top, color=palette[name], linewidth=0))
        if bottom - top >= 0.025:
            label = wrap_labels([name], width=label_width)[0]
            ax.text(k + width / 2 + 0.02, (top + bottom) / 2, plain_text(f"{label} {bottom - top:.0%}"),
                    va="center", ha="left", fontsize=8)
    height = max(span[1] for span in nodes.values())
    ax.set_xlim(-0.3, len(steps) - 0.3)
    ax.set_ylim(height + gap, -gap)
    ax.set_xticks(range(len(steps)), [f"step {k + 1}" for k in range(len(steps))])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    title = f"Top {len(shown)} paths"
    if other:
        title += f" ({other:.0%} of {count} on other paths, not drawn)"
    ax.set_title(title)
    return ax


def _heatmap(ax: Axes, values: np.ndarray, rows: list[str], cols: list[str], fmt: str, cmap: str) -> None:
    image = ax.imshow(values, cmap=cmap, aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)), [plain_text(c) for c in wrap_labels(cols, width=12)], rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), [plain_text(r) for r in rows])
    high = np.nanmax(values) if values.size else 0
    if values.size <= 400:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if v and not np.isnan(v):
                    ax.text(j, i, format(v, fmt), ha="center", va="center", fontsize=7,
                            color="white" if v > 0.6 * high else "black")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)


def transition_grid(transitions: pd.DataFrame, *, value: str = "share", top: int = 15) -> pd.DataFrame:
    """The cells of the transition heat map: a row per source, a column per target, of the ``top`` busiest events.

    Parameters
    ----------
    transitions : DataFrame
        The table of :func:`jkit.paths.transitions` (without ``by``, or one group of it).
    value : {"share", "transitions", "customers", "median_time"}, default "share"
        What a cell holds.
    top : int, default 15
        The events with most transitions in or out (ties by name) that get a row or a column.

    Returns
    -------
    DataFrame
        Index ``source``, columns ``target`` (busiest first), NaN where no transition was seen.

    Raises
    ------
    ParameterError
        An unknown ``value``, or a table holding several groups.
    """
    require_columns(transitions, ["source", "target", "transitions", value], "transitions")
    if value not in ("share", "transitions", "customers", "median_time"):
        raise ParameterError(f"value={value!r} should be 'share', 'transitions', 'customers' or 'median_time'")
    groups = [c for c in transitions.columns if c not in TRANSITION_COLUMNS]
    if groups or transitions.duplicated(["source", "target"]).any():
        raise ParameterError(f"the table holds groups ({', '.join(map(str, groups)) or 'by=…'}); draw one group at a "
                             "time (select its rows and drop the group columns)")
    weight = pd.concat([transitions.groupby("source")["transitions"].sum(),
                        transitions.groupby("target")["transitions"].sum()]).groupby(level=0).sum()
    names = sorted(weight.index, key=lambda n: (-weight[n], str(n)))[:top]
    grid = transitions.pivot(index="source", columns="target", values=value)
    return grid.reindex(index=[n for n in names if n in grid.index],
                        columns=[n for n in names if n in grid.columns])


def plot_transition_heatmap(transitions: pd.DataFrame, *, value: str = "share", top: int = 15,
                            ax: Axes | None = None) -> Axes:
    """The transition graph as a heat map: a row per source, a column per target.

    Parameters
    ----------
    transitions : DataFrame
        The table of :func:`jkit.paths.transitions` (without ``by``, or one group of it).
    value : {"share", "transitions", "customers"}, default "share"
        What a cell shows: the share of the source's transitions going to the target, or counts.
    top : int, default 15
        Sources and targets drawn: the ``top`` events with most transitions in or out.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    if value not in ("share", "transitions", "customers"):
        raise ParameterError(f"value={value!r} should be 'share', 'transitions' or 'customers'")
    grid = transition_grid(transitions, value=value, top=top)
    ax = _axes(ax, (0.5 * len(grid.columns) + 3, 0.4 * len(grid.index) + 2))
    fmt = ".0%" if value == "share" else ",.0f"
    _heatmap(ax, grid.to_numpy(dtype=float), [str(i) for i in grid.index], [str(c) for c in grid.columns], fmt,
             "Blues")
    ax.set_xlabel("next event")
    ax.set_ylabel("event")
    ax.set_title("Where customers go next" + (" (share of each row)" if value == "share" else f" ({value})"))
    return ax


def plot_step_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """The step matrix of :func:`jkit.paths.step_matrix` as a heat map (rows: events and ``ENDED``; columns: steps).

    Returns
    -------
    Axes
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.empty:
        raise ParameterError("matrix should be the non-empty output of jkit.paths.step_matrix()")
    ax = _axes(ax, (0.6 * len(matrix.columns) + 3, 0.4 * len(matrix.index) + 2))
    _heatmap(ax, matrix.to_numpy(dtype=float), [str(i) for i in matrix.index], [str(c) for c in matrix.columns],
             kwargs.get("fmt", ".0%"), kwargs.get("cmap", "Greens"))
    ax.tick_params(axis="x", rotation=0)
    ax.set_xlabel("step")
    units = matrix.attrs.get("units")
    ax.set_title("Share at each step" + (f" ({units:,} paths)" if units else ""))
    return ax
