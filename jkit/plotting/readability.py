"""Helpers that keep figures readable on anyone's data.

- :func:`plain_text`: data strings drawn as text, never as math (``"$$$$"`` is a price tier).
- :func:`wrap_labels`: long category labels broken over lines.
- :func:`group_palette`: distinct colours for many groups, the rest grey as ``"other"``.
- :func:`duration_unit` / :func:`set_duration_axis`: a time axis in the unit its values call for.
- :func:`set_date_axis`: dates that do not overlap, and a single date not drawn on a four-year axis.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter, NullLocator

__all__ = [
    "plain_text",
    "wrap_labels",
    "group_palette",
    "OTHER",
    "OTHER_COLOR",
    "duration_unit",
    "set_duration_axis",
    "set_date_axis",
    "plain_number",
    "set_category_ticks",
]

#: The name and colour of the group that collects everything beyond the named groups.
OTHER = "other"
OTHER_COLOR = "#9e9e9e"

_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0, "years": 365.25 * 86400.0}


def plain_text(value: Any) -> str:
    """``value`` as text matplotlib draws literally: every ``$`` escaped (``"$$$$"`` -> ``r"\\$\\$\\$\\$"``).

    Matplotlib reads text between two ``$`` as math; data (a price tier ``$$$$``, a review with
    ``$5 … $10``, ``$\\foo$``) must never reach its math parser. Apply once, to data strings only.
    """
    return str(value).replace("$", r"\$")


def _wrap(text: str, width: int) -> list[str]:
    """Greedy lines of at most ``width`` characters, breaking after spaces, hyphens and underscores."""
    tokens: list[str] = []
    for token in re.split(r"(?<=[\s_-])", text):
        while len(token.rstrip()) > width:  # a word longer than a line is broken
            tokens.append(token[:width])
            token = token[width:]
        if token:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if line and len((line + token).rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [text]


def wrap_labels(labels: Iterable[Any], width: int = 14, *, max_lines: int = 3) -> list[str]:
    """Each label broken into lines of at most ``width`` characters (at most ``max_lines``, then ``…``).

    Lines break after spaces, hyphens and underscores; a single word longer than ``width`` is
    broken. Labels are returned as plain strings (not yet :func:`plain_text`).
    """
    out = []
    for label in labels:
        text = str(label)
        if len(text) <= width:
            out.append(text)
            continue
        lines = _wrap(text, width)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
        out.append("\n".join(lines))
    return out


def _palette_colors(n: int) -> list[str]:
    """``n`` distinct qualitative colours: tab10 up to 10, then tab20's strong hues before its light ones."""
    if n <= 10:
        return [to_hex(colormaps["tab10"](i)) for i in range(n)]
    tab20 = [to_hex(colormaps["tab20"](i)) for i in range(20)]
    ordered = tab20[0::2] + tab20[1::2]  # ten strong hues, then their light partners
    ordered = [c for c in ordered if c.lower() not in ("#7f7f7f", "#c7c7c7")]  # greys are for "other"
    if n <= len(ordered):
        return ordered[:n]
    extra = [to_hex(c) for c in colormaps["hsv"](np.linspace(0, 1, n - len(ordered), endpoint=False))]
    return ordered + extra


def group_palette(names: Iterable[Any], max_groups: int = 12) -> dict[Any, str]:
    """A colour per group name: distinct colours for up to ``max_groups`` groups, grey for the rest.

    ``names`` in the order of importance (largest group first). With more than ``max_groups``
    names, the first ``max_groups - 1`` get colours and every other name maps to the grey of
    ``"other"`` (also in the dict), so a plot draws them as one "other" group. A group actually
    called ``"other"`` is always grey. Colours are hex strings.
    """
    names = list(dict.fromkeys(names))
    coloured = [n for n in names if str(n) != OTHER]
    overflow = len(coloured) > max_groups
    keep = coloured[: max_groups - 1] if overflow else coloured
    palette = dict(zip(keep, _palette_colors(len(keep)), strict=True))
    for name in names:
        palette.setdefault(name, OTHER_COLOR)
    if overflow or len(coloured) < len(names):
        palette[OTHER] = OTHER_COLOR
    return palette


# --------------------------------------------------------------------------------------------
# numbers and durations on axes


def plain_number(value: float) -> str:
    """A tick value as a plain number: ``0.02``, ``5``, ``1,000`` (no ``10⁻²``, no ``e+05``)."""
    if not np.isfinite(value):
        return ""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return np.format_float_positional(float(value), precision=4, unique=True, trim="-")


def duration_unit(seconds: Iterable[float]) -> tuple[str, float]:
    """The unit (``seconds``, ``minutes``, ``hours``, ``days`` or ``years``) and its length in
    seconds for a set of durations, chosen by their median (as :func:`jkit.notebook.format_duration`)."""
    v = np.asarray(list(seconds), dtype=float)
    v = v[np.isfinite(v)]
    typical = float(np.median(v)) if v.size else 0.0
    if typical < 120:
        unit = "seconds"
    elif typical < 3600:
        unit = "minutes"
    elif typical < 48 * 3600:
        unit = "hours"
    elif typical < 2 * _SECONDS["years"]:
        unit = "days"
    else:
        unit = "years"
    return unit, _SECONDS[unit]


def set_duration_axis(ax: Axes, low: float, high: float, *, log: bool, axis: str = "x") -> None:
    """Ticks of a duration axis (values already in the chosen unit) as plain numbers.

    On a log axis the ticks are 1-2-5 steps (fewer when the range spans many decades) and minor
    ticks carry no labels, so nothing overlaps.
    """
    target = ax.xaxis if axis == "x" else ax.yaxis
    if log:
        low, high = max(low, 1e-12), max(high, low * 1.0001)
        decades = math.log10(high / low)
        subs = (1, 2, 5) if decades <= 2.5 else (1, 3) if decades <= 5 else (1,)
        lo_exp, hi_exp = math.floor(math.log10(low)), math.ceil(math.log10(high))
        ticks = [s * 10.0**e for e in range(lo_exp, hi_exp + 1) for s in subs]
        ticks = [t for t in ticks if low / 1.0001 <= t <= high * 1.0001]
        if len(ticks) < 2:
            ticks = [low, high]
        target.set_major_locator(FixedLocator(ticks))
        target.set_minor_locator(NullLocator())
        target.set_minor_formatter(NullFormatter())
    else:
        target.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(FuncFormatter(lambda v, _: plain_number(v)))


# --------------------------------------------------------------------------------------------
# dates on axes


def _naive(values: Iterable[Any]) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(values)), utc=True))
    return idx.tz_convert("UTC").tz_localize(None)


def set_date_axis(ax: Axes, dates: Sequence[Any], *, margin: float = 0.04, single_pad_days: float = 3.5) -> None:
    """A date x-axis limited to the data with a small margin, with concise, non-overlapping labels.

    One date: the axis spans ``± single_pad_days`` and its one tick is that date. More: automatic
    date ticks (as many as fit the axes' width) with :class:`matplotlib.dates.ConciseDateFormatter`,
    rotated when the labels would still crowd.
    """
    when = _naive(dates).dropna()
    if when.empty:
        return
    first, last = when.min(), when.max()
    if first == last:
        pad = pd.Timedelta(days=single_pad_days)
        ax.set_xlim(mdates.date2num(first - pad), mdates.date2num(last + pad))
        ax.xaxis.set_major_locator(FixedLocator([mdates.date2num(first)]))
        ax.xaxis.set_minor_locator(NullLocator())
        label = f"{first:%Y-%m-%d}" if first == first.normalize() else f"{first:%Y-%m-%d %H:%M}"
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: label))
        return
    pad = (last - first) * margin
    ax.set_xlim(mdates.date2num(first - pad), mdates.date2num(last + pad))
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    max_ticks = int(max(3, min(10, width_in / 0.9)))
    locator = mdates.AutoDateLocator(minticks=2, maxticks=max_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if width_in < 4:
        ax.tick_params(axis="x", labelrotation=30)


def set_category_ticks(ax: Axes, positions: Sequence[float], labels: Iterable[Any], *, axis: str = "x",
                       width: int = 14, max_lines: int = 3, fontsize: float | None = None) -> None:
    """Category tick labels from data: escaped (:func:`plain_text`), wrapped at ``width`` characters,
    and on the x axis rotated when even the wrapped labels would not fit side by side."""
    wrapped = wrap_labels(labels, width=width, max_lines=max_lines)
    shown = [plain_text(s) for s in wrapped]
    kw = {"fontsize": fontsize} if fontsize else {}
    if axis == "y":
        ax.set_yticks(list(positions), shown, **kw)
        return
    ax.set_xticks(list(positions), shown, **kw)
    n = max(len(shown), 1)
    size = fontsize or plt_rc_size()
    longest = max((len(line) for s in wrapped for line in s.split("\n")), default=0)
    need_in = longest * size * 0.6 / 72  # rough width of the longest line
    slot_in = ax.get_position().width * ax.figure.get_figwidth() / n
    if need_in > slot_in * 0.95:
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


def plt_rc_size() -> float:
    """The default tick label font size in points."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = rcParams["xtick.labelsize"]
    return float(FontProperties(size=size).get_size_in_points()) if isinstance(size, str) else float(size)
