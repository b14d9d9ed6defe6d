"""Display helpers for report notebooks: a header, formatted tables, "how to read this" notes.

Everything that comes from data is HTML-escaped here, so a notebook never writes raw customer
text into its output. Notebooks call these instead of hand-building HTML::

    from jkit.notebook import show_header, show_table, how_to_read
    show_header("Stage funnel", data, params=dict(window=window))
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["show_header", "show_table", "how_to_read", "show_headlines", "format_table", "escape"]


def escape(value: Any) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(value), quote=True)


def _display(obj_html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(obj_html))


def header_html(title: str, data=None, params: Mapping[str, Any] | None = None) -> str:
    """The HTML of a report header: title, parameters, data period and data fingerprint."""
    parts = [f"<h1>{escape(title)}</h1>"]
    if data is not None:
        start, end = data.period
        if start is not None:
            parts.append(f"<p><b>Data period:</b> {start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC)</p>")
        sources = ", ".join(
            f"{escape(s['name'])} ({s['rows']:,} rows, sha256 {escape(s['sha256'][:12])})" for s in data.fingerprint()
        )
        if sources:
            parts.append(f"<p><b>Data:</b> {sources}</p>")
    if params:
        items = "".join(f"<li><code>{escape(k)}</code> = <code>{escape(v)}</code></li>" for k, v in params.items())
        parts.append(f"<details><summary><b>Parameters</b></summary><ul>{items}</ul></details>")
    return "\n".join(parts)


def show_header(title: str, data=None, params: Mapping[str, Any] | None = None) -> None:
    """Display the report header (title, data period, data fingerprint, parameters)."""
    _display(header_html(title, data, params))


def show_headlines(metrics: Mapping[str, str]) -> None:
    """Display headline numbers as a row of cards: ``{"Customers": "5,000", "Conversion": "12.3%"}``."""
    cards = "".join(
        "<div style='display:inline-block;margin:0 1.5em 1em 0;padding:.6em 1em;border:1px solid #ccc;"
        f"border-radius:6px'><div style='font-size:1.6em;font-weight:bold'>{escape(v)}</div>"
        f"<div style='color:#555'>{escape(k)}</div></div>"
        for k, v in metrics.items()
    )
    _display(f"<div>{cards}</div>")


def how_to_read(text: str) -> None:
    """Display a short "how to read this" note under a figure or table."""
    _display(f"<p style='color:#444;font-size:.95em'><b>How to read this:</b> {escape(text)}</p>")


def format_table(
    frame: pd.DataFrame,
    *,
    percent: Iterable[str] = (),
    integer: Iterable[str] = (),
    decimals: Mapping[str, int] | None = None,
) -> pd.io.formats.style.Styler:
    """A Styler with percentages, thousands separators and fixed decimals; cell text escaped."""
    fmt: dict[str, Any] = {}
    for col in percent:
        fmt[col] = "{:.1%}"
    for col in integer:
        fmt[col] = "{:,.0f}"
    for col, d in (decimals or {}).items():
        fmt[col] = "{:,.%sf}".replace("%s", str(d))
    fmt = {k: v for k, v in fmt.items() if k in frame.columns}
    return frame.style.format(fmt, na_rep="–", escape="html").hide(axis="index")


def show_table(frame: pd.DataFrame, **kwargs: Any) -> None:
    """Display a formatted table (see :func:`format_table` for the keyword arguments)."""
    from IPython.display import display

    display(format_table(frame, **kwargs))
