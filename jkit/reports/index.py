"""The index page: every report with its title, when its page was made, duration, parameters,
input data fingerprint and status (ok, failed or skipped with its reason). Plain HTML and inline
CSS, no scripts; every value is escaped. A run's own index lists that run's reports; the
``latest`` indexes (``reports/index.html``, ``latest/index.html``) list the newest good page of
every report, whichever run made it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["render_index", "format_duration", "shown_value"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;max-width:1200px;
 padding:0 16px;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em} h2{font-size:1.2em;margin-top:1.8em}
.sub{color:#555;margin-top:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:14px}
td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid #e3e6ea;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:13px;background:#f3f3f3;padding:0 3px;border-radius:3px}
ul.params{margin:0;padding-left:1em}
.status{font-weight:600;padding:1px 8px;border-radius:10px;white-space:nowrap}
.ok{background:#e3f4e6;color:#17612a} .failed{background:#fdecea;color:#8a1c13} .skipped{background:#eee;color:#555}
.note{color:#555;font-size:13px} .err{color:#8a1c13;font-size:13px}
a{color:#1a5fb4}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``'1 min 15 s'``; ``3.04`` -> ``'3.0 s'``."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _time(iso: str | None) -> str:
    """``2026-11-23T08:15:00.123+00:00`` -> ``2026-11-23 08:15:00 UTC``."""
    if not iso:
        return "–"
    return iso[:19].replace("T", " ") + " UTC"


def _link(href: str | None, text: str) -> str:
    return f"<a href='{_e(href)}'>{_e(text)}</a>" if href else _e(text)


def shown_value(value: Any) -> str:
    """A parameter value as text for readers: ``""`` for empty text, else ``str(value)``."""
    return '""' if value == "" else str(value)


def _params_html(params: Mapping[str, Any]) -> str:
    if not params:
        return "<span class='note'>defaults</span>"
    items = "".join(f"<li><code>{_e(k)}</code> = <code>{_e(shown_value(v))}</code></li>" for k, v in params.items())
    return f"<ul class='params'>{items}</ul>"


def _data_html(data: Sequence[Mapping[str, Any]] | None) -> str:
    if not data:
        return "<span class='note'>–</span>"
    rows = []
    for f in data:
        count = f"{f['rows']:,} rows" if isinstance(f.get("rows"), int) else ""
        rows.append(
            f"<li><code>{_e(f['name'])}</code> {_e(count)} "
            f"<span class='note' title='sha256 {_e(f['sha256'])}'>sha256 {_e(str(f['sha256'])[:12])}</span></li>"
        )
    return f"<ul class='params'>{''.join(rows)}</ul>"


def _row_html(r: Mapping[str, Any]) -> str:
    status = r["status"]
    links = [_link(r.get("href"), "report")] if r.get("href") else []
    if r.get("failure_href"):
        links.append(_link(r["failure_href"], "what failed"))
    if r.get("notebook_href"):
        links.append(_link(r["notebook_href"], "notebook"))
    title_cell = f"<b>{_link(r.get('href') or r.get('failure_href'), r['title'])}</b>"
    title_cell += f"<br><span class='note'>{' · '.join([_e(r['name']), *links])}</span>"
    if r.get("error") and status == "failed":
        title_cell += f"<br><span class='err'>{_e(r['error'])}</span>"
    if r.get("reason") and status == "skipped":
        title_cell += f"<br><span class='note'>skipped: {_e(r['reason'])}</span>"
    if r.get("note"):
        title_cell += f"<br><span class='note'>{_e(r['note'])}</span>"
    return (
        "<tr>"
        f"<td>{title_cell}</td>"
        f"<td><span class='status {_e(status)}'>{_e(status)}</span></td>"
        f"<td class='num'>{_e(_time(r.get('started')))}</td>"
        f"<td class='num'>{_e(format_duration(r.get('duration')))}</td>"
        f"<td>{_params_html(r.get('parameters') or {})}</td>"
        f"<td>{_e(r.get('data') or '–')}</td>"
        "</tr>"
    )


def render_index(
    reports: Sequence[Mapping[str, Any]],
    *,
    run: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]] = (),
    title: str = "jkit reports",
    latest: bool = False,
) -> str:
    """The HTML of an index page.

    Parameters
    ----------
    reports : sequence of mappings
        One per report, in display order, with keys ``name``, ``title``, ``status``
        (``"ok"``, ``"failed"``, ``"skipped"``), ``started`` (ISO time), ``duration`` (s),
        ``parameters`` (name -> shown value), ``data`` (``data_dir`` shown form) and the links
        ``href`` (the report), ``notebook_href`` (executed .ipynb), ``failure_href``, plus
        optional ``error``, ``reason`` (of a skipped report) and ``note`` texts.
    run : mapping
        ``name``, ``started``, ``duration`` and ``data`` (shown data folder -> list of files with
        ``name``, ``rows``, ``sha256``).
    runs : sequence of mappings, optional
        Earlier runs for the "Recent runs" list: ``name``, ``href``, ``started``, ``ok``, ``failed``.
    title : str, default "jkit reports"
    latest : bool, default False
        The page lists the newest good page of every report (not only this run's), with when
        each was made.

    Returns
    -------
    str
        A complete HTML document.
    """
    n_ok = sum(r["status"] == "ok" for r in reports)
    n_failed = sum(r["status"] == "failed" for r in reports)
    n_skipped = sum(r["status"] == "skipped" for r in reports)
    counts = f"{len(reports)} reports · {n_ok} ok · {n_failed} failed" + (f" · {n_skipped} skipped" if n_skipped else "")
    scope = ("The newest good page of every report, whichever run made it; newest run " if latest else "Run ")
    head = (
        f"<h1>{_e(title)}</h1><p class='sub'>{scope}<b>{_e(run['name'])}</b> · started "
        f"{_e(_time(run.get('started')))} · took {_e(format_duration(run.get('duration')))} · {_e(counts)}</p>"
    )
    body_rows = [_row_html(r) for r in reports]
    table = (
        "<div class='scroll'><table><thead><tr><th>Report</th><th>Status</th><th>Page made</th><th>Duration</th>"
        f"<th>Parameters</th><th>Data</th></tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>"
    )
    data_parts = []
    for folder, files in (run.get("data") or {}).items():
        data_parts.append(
            "<tr>"
            f"<td><code>{_e(folder)}</code></td><td>{_data_html(files)}</td>"
            "</tr>"
        )
    data_html = (
        "<h2>Input data</h2><div class='scroll'><table><thead><tr><th>Data (folder or study file)</th>"
        f"<th>Files (rows, content hash)</th></tr></thead><tbody>{''.join(data_parts)}</tbody></table></div>"
        if data_parts
        else ""
    )
    runs_html = ""
    if runs:
        items = "".join(
            f"<li>{_link(x.get('href'), x['name'])} — {_e(x.get('ok', 0))} ok, {_e(x.get('failed', 0))} failed"
            + (f", {_e(x['skipped'])} skipped" if x.get("skipped") else "") + "</li>"
            for x in runs
        )
        runs_html = f"<h2>Recent runs</h2><ul>{items}</ul>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)} — {_e(run['name'])}</title><style>{_CSS}</style></head><body>"
        f"{head}{table}{data_html}{runs_html}"
        "<p class='note'>Rendered by <code>jkit run</code>. Times are UTC. Each report opens offline; "
        "its executed notebook sits beside it.</p>"
        "</body></html>\n"
    )
