"""Display helpers for report notebooks: a header, formatted tables, "how to read this" notes.

Everything that comes from data is HTML-escaped here, so a notebook never writes raw customer
text into its output. Notebooks call these instead of hand-building HTML::

    from jkit.notebook import show_header, show_table, how_to_read
    show_header("Stage funnel", data, params=dict(window=window))

Numbers read one way everywhere: :func:`format_duration` (``"83 s"``, ``"14 min"``, ``"5.2 h"``,
``"47 days"``), :func:`format_percent` (``"4.3%"``) and :func:`format_number` (``"134,000"``, never
``1.34e+05``). :func:`format_table` uses them for its columns.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from jkit.formatting import (  # the text rules live there; re-exported for notebooks
    MISSING,
    auto_decimals,
    format_duration,
    format_measure,
    format_number,
    format_percent,
    format_period,
)

__all__ = [
    "escape_markdown",
    "show_header",
    "show_table",
    "how_to_read",
    "show_headlines",
    "format_table",
    "escape",
    "format_duration",
    "format_percent",
    "format_number",
    "format_measure",
    "format_period",
    "header_html",
    "MISSING",
]



def escape(value: Any) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(value), quote=True)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$<>])")


def escape_markdown(value: Any) -> str:
    """Text from data made safe inside a Markdown cell or ``Markdown(...)`` output.

    HTML-escaping alone is not enough there: ``[x](javascript:alert(1))`` would still become a
    link and ``![p](http://host/p.png)`` an image fetched when the page opens. Every Markdown
    punctuation character is backslash-escaped (and ``$`` too, so no math is typeset) and colons
    become ``&#58;`` (so no URL is autolinked), after the text is HTML-escaped.
    """
    text = " ".join(str(value).splitlines())
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=True))
    return escaped.replace(":", "&#58;")  # no autolinked URLs (http://…) either: a colon as an entity


def _display(obj_html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(obj_html))


def _feedback_period(data) -> tuple[Any, Any]:
    feedback = getattr(data, "feedback", None)
    if feedback is None or "timestamp" not in getattr(feedback, "columns", ()) or feedback["timestamp"].isna().all():
        return None, None
    return feedback["timestamp"].min(), feedback["timestamp"].max()


_WRAP = "max-width:100%;overflow-wrap:anywhere;word-break:normal"


def header_html(title: str, data=None, params: Mapping[str, Any] | None = None) -> str:
    """The HTML of a report header: title, parameters, data period and data fingerprint.

    The title is the page's only ``<h1>``. The period is that of the events, or of the
    feedback when there are no dated events; long parameter values and sources wrap.
    """
    parts = [f"<h1>{escape(title)}</h1>"]
    if data is not None:
        period = getattr(data, "period", (None, None)) or (None, None)
        shown = format_period(*period)
        if shown is not None:
            parts.append(f"<p><b>Data period:</b> {escape(shown)}</p>")
        else:
            feedback = format_period(*_feedback_period(data))
            if feedback is not None:
                parts.append(f"<p><b>Feedback period:</b> {escape(feedback)} (no dated events)</p>")
            else:
                parts.append("<p><b>Data period:</b> none (no dated events or feedback)</p>")
        fingerprint = data.fingerprint() if hasattr(data, "fingerprint") else []
        sources = ", ".join(
            f"{escape(s['name'])} ({s['rows']:,} rows, sha256 {escape(s['sha256'][:12])})" for s in fingerprint
        )
        if sources:
            parts.append(f"<p><b>Data:</b> {sources}</p>")
    if params:
        items = "".join(
            f"<li><code>{escape(k)}</code> = <code style='white-space:pre-wrap;{_WRAP}'>{escape(v)}</code></li>"
            for k, v in params.items()
        )
        parts.append(f"<details style='{_WRAP}'><summary><b>Parameters</b></summary>"
                     f"<ul style='{_WRAP};padding-left:1.5em'>{items}</ul></details>")
    return f"<div class='jkit-header' style='{_WRAP}'>\n" + "\n".join(parts) + "\n</div>"


def show_header(title: str, data=None, params: Mapping[str, Any] | None = None) -> None:
    """Display the report header (title, data period, data fingerprint, parameters)."""
    _display(header_html(title, data, params))


def show_headlines(metrics: Mapping[str, str]) -> None:
    """Display headline numbers as a row of cards: ``{"Customers": "5,000", "Conversion": "12.3%"}``.

    Values that are not text are formatted: Timedelta as :func:`format_duration`, numbers as
    :func:`format_number`, missing as ``"n/a"``.
    """
    def text(v: Any) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, pd.Timedelta | _dt.timedelta | np.timedelta64):
            return format_duration(v)
        return format_number(v)

    cards = "".join(
        "<div style='display:inline-block;vertical-align:top;max-width:100%;margin:0 1.5em 1em 0;padding:.6em 1em;"
        f"border:1px solid #ccc;border-radius:6px;{_WRAP}'><div style='font-size:1.6em;font-weight:bold'>"
        f"{escape(text(v))}</div><div style='color:#555'>{escape(k)}</div></div>"
        for k, v in metrics.items()
    )
    _display(f"<div style='{_WRAP}'>{cards}</div>")


def how_to_read(text: str) -> None:
    """Display a short "how to read this" note under a figure or table."""
    _display(f"<p style='color:#444;font-size:.95em;{_WRAP}'><b>How to read this:</b> {escape(text)}</p>")


# --------------------------------------------------------------------------------------------
# tables


class PageTable(Styler):
    """A Styler that displays inside a box as wide as the page, scrolling sideways if it must."""

    def _repr_html_(self) -> str:  # what Jupyter and nbconvert show
        return ("<div class='jkit-table' style='overflow-x:auto;max-width:100%'>"
                f"{self.to_html()}</div>")


_TABLE_STYLES = [
    {"selector": "", "props": [("border-collapse", "collapse"), ("max-width", "100%")]},
    {"selector": "td", "props": [("overflow-wrap", "anywhere"), ("word-break", "normal"), ("max-width", "36em"),
                                 ("white-space", "normal"), ("vertical-align", "top")]},
    {"selector": "th", "props": [("overflow-wrap", "anywhere"), ("white-space", "normal"), ("vertical-align", "bottom")]},
]


def _percent_fmt(decimals: int):
    return lambda x: format_percent(x, decimals)


def _number_fmt(decimals: int, thousands: bool = True, keep_small: bool = False):
    """Fixed decimals; with ``keep_small``, a nonzero value those decimals would show as 0 keeps
    two significant digits (a column's default decimals never hide a value)."""
    sep = "," if thousands else ""

    def fmt(x: Any) -> str:
        if isinstance(x, bool | np.bool_):
            return "yes" if x else "no"
        x = float(x)
        if not math.isfinite(x):
            return format_number(x)
        text = f"{x:{sep}.{decimals}f}"
        if keep_small and x != 0 and float(text.replace(",", "")) == 0:
            return format_number(x)
        return text

    return fmt


def _float_decimals(values: pd.Series) -> int:
    """One number of decimals for a whole float column, from its typical size."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    v = np.abs(v[np.isfinite(v)])
    if v.size == 0 or np.all(v == np.round(v)):
        return 0
    nonzero = v[v > 0]
    return auto_decimals(float(np.median(nonzero))) if nonzero.size else 0


def _escaped(formatter: Any) -> Any:
    """``formatter`` whose text is HTML-escaped, whatever the cell held."""
    return lambda value: html.escape(str(formatter(value)), quote=True)


def _cell(value: Any) -> str:
    """The default text of a cell in a text or mixed column (before HTML escaping)."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timedelta | _dt.timedelta | np.timedelta64):
        return format_duration(value)
    if isinstance(value, float | np.floating):
        return format_number(value)
    if isinstance(value, pd.Timestamp):
        return _timestamp(value)
    return str(value)


def _timestamp(value: Any) -> str:
    ts = pd.Timestamp(value)
    tz = " UTC" if ts.tzinfo is not None and str(ts.tzinfo) in ("UTC", "utc") else ""
    if ts == ts.normalize():
        return f"{ts:%Y-%m-%d}"
    return f"{ts:%Y-%m-%d %H:%M}{tz}"


def _looks_like_id_or_year(col: Any) -> bool:
    name = str(col).lower()
    return name in ("id", "year") or name.endswith(("_id", "id", "year", "_code", "zip", "postcode"))


def format_table(
    frame: pd.DataFrame,
    *,
    percent: Iterable[str] = (),
    integer: Iterable[str] = (),
    decimals: Mapping[str, int] | None = None,
    duration: Iterable[str] = (),
    duration_unit: str = "s",
    percent_decimals: int = 1,
    missing_if: Mapping[str, Iterable[str]] | None = None,
) -> Styler:
    """A Styler with percentages, durations, thousands separators and decimals; cell text escaped.

    Parameters
    ----------
    frame : DataFrame
    percent : column names
        Shares (fractions) shown as ``"4.3%"`` (:func:`format_percent`).
    integer : column names
        Shown with no decimals and thousands separators.
    decimals : {column: int}, optional
        Fixed decimals (with thousands separators).
    duration : column names
        Timedelta columns, or numbers of ``duration_unit`` (``"s"``, ``"min"``, ``"h"``, ``"D"``),
        shown as :func:`format_duration` (``"83 s"``, ``"47 days"``). Timedelta columns are shown
        so even when not listed.
    percent_decimals : int, default 1
    missing_if : {column: [columns]}, optional
        Show the column's cell as missing where any of the other columns is missing; by default a
        ``significant`` column is missing where ``low`` or ``high`` is (nothing was tested there).

    Every other float column gets thousands separators and one number of decimals chosen by
    the column's typical size (never scientific notation); integer columns get thousands
    separators (not ids or years); booleans show as yes/no; missing values as ``"–"``. The
    table is wrapped to the page's width (:class:`PageTable`).
    """
    frame = frame.copy()
    missing_if = dict(missing_if) if missing_if is not None else {}
    if not missing_if and "significant" in frame.columns and {"low", "high"} <= set(frame.columns):
        missing_if = {"significant": ["low", "high"]}
    for col, others in missing_if.items():
        others = [c for c in others if c in frame.columns]
        if col in frame.columns and others:
            mask = frame[others].isna().any(axis=1)
            if mask.any():
                frame[col] = frame[col].astype(object).where(~mask, None)

    unit_seconds = pd.Timedelta(1, unit=duration_unit).total_seconds()
    fmt: dict[Any, Any] = {}
    for col in frame.columns.unique():
        s = frame[col]
        if isinstance(s, pd.DataFrame):  # a repeated column name: left to pandas
            continue
        if pd.api.types.is_bool_dtype(s):
            fmt[col] = lambda x: "yes" if x else "no"
        elif pd.api.types.is_timedelta64_dtype(s):
            fmt[col] = format_duration
        elif pd.api.types.is_datetime64_any_dtype(s):
            fmt[col] = _timestamp
        elif pd.api.types.is_float_dtype(s):
            fmt[col] = _number_fmt(_float_decimals(s), keep_small=True)
        elif pd.api.types.is_integer_dtype(s):
            fmt[col] = _number_fmt(0, thousands=not _looks_like_id_or_year(col))
    for col in duration:
        if col in frame.columns:
            if pd.api.types.is_timedelta64_dtype(frame[col]) or not pd.api.types.is_numeric_dtype(frame[col]):
                fmt[col] = format_duration
            else:
                fmt[col] = lambda x, k=unit_seconds: format_duration(float(x) * k)
    for col in percent:
        fmt[col] = _percent_fmt(percent_decimals)
    for col in integer:
        fmt[col] = _number_fmt(0)
    for col, d in (decimals or {}).items():
        fmt[col] = _number_fmt(int(d))
    fmt = {k: v for k, v in fmt.items() if k in frame.columns}
    # every cell's final text is escaped here: pandas' escape="html" escapes only cells that are str
    # before formatting, so a dict, list or other object from data would reach the page as raw HTML
    safe = {col: _escaped(fmt.get(col, _cell)) for col in frame.columns.unique()
            if not isinstance(frame[col], pd.DataFrame)}
    styler = PageTable(frame)
    return (styler.format(safe, na_rep=MISSING)
            .format_index(escape="html", axis=1)
            .hide(axis="index")
            .set_table_styles(_TABLE_STYLES, overwrite=False))


def show_table(frame: pd.DataFrame, **kwargs: Any) -> None:
    """Display a formatted table (see :func:`format_table` for the keyword arguments)."""
    from IPython.display import display

    display(format_table(frame, **kwargs))
