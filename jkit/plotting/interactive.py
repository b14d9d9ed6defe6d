"""Interactive versions of the paths figures (plotly): hover for counts and shares, a menu to filter.

Optional: these need ``plotly`` (``pip install 'jkit[interactive]'``); without it :func:`available`
is False and the static figures of :mod:`jkit.plotting.paths` are the whole report. The charts take
the same tables as the static plots and draw the same cells (:func:`~jkit.plotting.paths.transition_grid`).

:func:`chart_html` turns a figure into an HTML fragment that does not carry plotly.js: it marks
itself with the plotly version it needs (``data-jkit-plotly="…"``), and the report runner adds one
``<script src="plotly-<version>.min.js">`` per page and copies that file once into the run folder
(:mod:`jkit.reports.assets`), so a page opens offline and nothing is fetched from a CDN. In
JupyterLab, :class:`InteractiveChart` also offers plotly's own mimetype, which plotly's JupyterLab
extension draws offline; elsewhere the fragment shows a one-line note instead of the chart.

Names come from data: they are HTML-escaped before plotly sees them (plotly.js reads ``<b>``,
``<a href>`` in text as markup), and the figure's JSON escapes ``<``, ``>`` and ``/`` so no name can
close the ``<script>`` it sits in.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import require_columns
from jkit.errors import MissingResourceError, ParameterError
from jkit.formatting import format_duration
from jkit.plotting.paths import step_columns, transition_grid
from jkit.plotting.readability import OTHER, group_palette

__all__ = [
    "FALLBACK_NOTE",
    "InteractiveChart",
    "MISSING_NOTE",
    "VERSION_ATTRIBUTE",
    "asset_name",
    "available",
    "chart_html",
    "flow_chart",
    "interactive_chart",
    "plotly_js",
    "plotly_version",
    "step_matrix_chart",
    "transition_chart",
]

#: the attribute a fragment carries: the plotly version whose plotly.js it needs
VERSION_ATTRIBUTE = "data-jkit-plotly"
MISSING_NOTE = ("Interactive charts are off: plotly is not installed (pip install 'jkit[interactive]'); "
                "the static charts are complete.")
FALLBACK_NOTE = "The interactive chart is drawn in the HTML report page made by jkit run; the static chart above is complete."
# no "Share chart" button (it uploads the chart to Plotly Cloud), no selection tools these charts do not use
CONFIG = {"responsive": True, "displaylogo": False, "showSendToCloud": False, "showLink": False,
          "modeBarButtonsToRemove": ["sendChartToCloud", "select2d", "lasso2d"]}
_SAFE_VERSION = re.compile(r"^[0-9A-Za-z.+-]+$")
_JSON_SWAPS = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def available() -> bool:
    """Whether plotly can be imported (the ``jkit[interactive]`` extra)."""
    try:
        import plotly.graph_objects  # noqa: F401
    except ImportError:
        return False
    return True


def _go():
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise MissingResourceError(MISSING_NOTE) from None
    return go


def plotly_version() -> str:
    """The installed plotly's version (a MissingResourceError without plotly)."""
    _go()
    import plotly

    version = str(plotly.__version__)
    if not _SAFE_VERSION.match(version):
        raise MissingResourceError(f"plotly reports an unusual version {version!r}; reinstall it")
    return version


def asset_name(version: str | None = None) -> str:
    """The file name plotly.js has in a run folder: ``plotly-<version>.min.js`` (the installed version by default)."""
    version = plotly_version() if version is None else version
    if not _SAFE_VERSION.match(version):
        raise ParameterError(f"version={version!r} should be a plotly version such as '6.3.0'")
    return f"plotly-{version}.min.js"


def plotly_js() -> str:
    """The installed plotly's own ``plotly.min.js`` (no network)."""
    _go()
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _text(name: Any) -> str:
    """A name from data as plotly.js shows it literally (it reads ``<br>``, ``<b>``, ``<a href>`` as markup)."""
    return html.escape(str(name), quote=False)


def _rgba(color: str, alpha: float) -> str:
    from matplotlib.colors import to_rgba

    r, g, b, _ = to_rgba(color)
    return f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},{alpha})"


def _sankey(table: pd.DataFrame, steps: list[str], count: str, total: float, palette: dict[str, str], go,
            visible: bool):
    """One Sankey trace of ``table``'s paths: a node per (step, event), a link per consecutive pair."""
    keys: list[tuple[int, str]] = []
    sizes: list[float] = []
    for k, col in enumerate(steps):
        per = table.groupby(col, sort=False)[count].sum().sort_values(ascending=False, kind="stable")
        keys += [(k, str(name)) for name in per.index]
        sizes += per.tolist()
    index = {key: i for i, key in enumerate(keys)}
    source, target, value, share = [], [], [], []
    for k in range(len(steps) - 1):
        pairs = table.dropna(subset=[steps[k], steps[k + 1]]).groupby([steps[k], steps[k + 1]], sort=False)[count].sum()
        for (a, b), n in pairs.items():
            source.append(index[(k, str(a))])
            target.append(index[(k + 1, str(b))])
            value.append(float(n))
            share.append(n / total)
    x = [0.001 + 0.998 * k / max(1, len(steps) - 1) for k, _ in keys]
    node = dict(label=[_text(name) for _, name in keys], pad=12, thickness=14,
                color=[palette[name] for _, name in keys],
                customdata=[[k + 1, n / total] for (k, _), n in zip(keys, sizes, strict=True)],
                hovertemplate=f"%{{label}} at step %{{customdata[0]}}<br>%{{value:,}} {count} "
                              "(%{customdata[1]:.1%} of all)<extra></extra>", x=x,
                y=_stack_y(keys, sizes))
    link = dict(source=source, target=target, value=value, customdata=share,
                color=[_rgba(palette[keys[t][1]], 0.35) for t in target],
                hovertemplate=f"%{{source.label}} → %{{target.label}}<br>%{{value:,}} {count} "
                              "(%{customdata:.1%} of all)<extra></extra>")
    return go.Sankey(node=node, link=link, arrangement="snap", visible=visible)


def _stack_y(keys: list[tuple[int, str]], sizes: list[float]) -> list[float]:
    """Node centres stacked top-down per step by size (plotly needs y as soon as x is fixed)."""
    out, cursor, totals = [], {}, {}
    for (k, _), n in zip(keys, sizes, strict=True):
        totals[k] = totals.get(k, 0.0) + n
    for (k, _), n in zip(keys, sizes, strict=True):
        top = cursor.get(k, 0.0)
        cursor[k] = top + n
        out.append(0.001 + 0.998 * (top + n / 2) / max(totals.values()))
    return out


def _single_events(shown: pd.DataFrame, count: str, total: float, height: int):
    """Paths of one event each have no flow: a bar per path, its count and share on hover."""
    go = _go()
    names = [_text(p) for p in shown["path"]]
    fig = go.Figure(go.Bar(x=shown[count].to_numpy(dtype=float), y=names, orientation="h",
                           customdata=(shown[count] / total).to_numpy(dtype=float), marker_color="#4c72b0",
                           hovertemplate=f"%{{y}}<br>%{{x:,}} {count} (%{{customdata:.1%}} of all)<extra></extra>"))
    fig.update_layout(title=f"Top {len(shown)} paths: each a single event, so nothing flows", height=height,
                      xaxis=dict(title=count), yaxis=dict(autorange="reversed"), plot_bgcolor="white",
                      margin=dict(t=70))
    return fig


def flow_chart(paths: pd.DataFrame, *, tops: tuple[int, ...] = (3, 5, 10), max_groups: int = 12,
               height: int = 520):
    """The top paths as a Sankey diagram: a column per step, a node per event, a band per step-to-step move.

    Parameters
    ----------
    paths : DataFrame
        The table of :func:`jkit.paths.paths` (or of the drop-out helpers), as
        :func:`~jkit.plotting.paths.plot_path_flow` takes it. The ``"other"`` row is not drawn.
    tops : tuple of int, default (3, 5, 10)
        The choices of a menu that shows only the top N paths (all drawn paths is always a choice).
    max_groups : int, default 12
        Events with their own colour (the same colours as the static flow); the rest are grey.
    height : int, default 520
        Height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Hovering a node or a band gives its customers (or sessions) and their share of all.
    """
    go = _go()
    steps = step_columns(paths)
    count = "sessions" if "sessions" in paths.columns else "customers"
    require_columns(paths, ["path", count], "paths")
    total = float(paths[count].sum())
    shown = paths[paths["path"] != OTHER].sort_values(count, ascending=False, kind="stable")
    fig = go.Figure()
    if shown.empty or not total:
        fig.update_layout(title="No path to draw", height=height)
        return fig
    moves = shown[steps[1]].notna().to_numpy() if len(steps) > 1 else np.zeros(len(shown), dtype=bool)
    if not moves.any():  # plotly.js cannot lay out a Sankey without a link ("Invalid array length")
        return _single_events(shown, count, total, height)
    weight = pd.concat([shown.groupby(c)[count].sum() for c in steps]).groupby(level=0).sum()
    palette = group_palette(sorted(map(str, weight.index), key=lambda n: (-weight[n], n)), max_groups=max_groups)
    first_move = int(np.argmax(moves)) + 1  # a menu choice needs at least one path with a move
    choices = sorted({n for n in tops if first_move <= n < len(shown)} | {len(shown)})
    for n in choices:
        fig.add_trace(_sankey(shown.head(n), steps, count, total, palette, go, visible=n == len(shown)))
    other = 1 - shown[count].sum() / total
    title = f"Top {len(shown)} paths" + (f" ({other:.0%} of {count} on other paths, not drawn)" if other > 0 else "")
    fig.update_layout(title=title, height=height, font_size=11, margin=dict(l=10, r=10, t=70, b=10))
    if len(choices) > 1:
        buttons = [dict(label=f"top {n}" if n < len(shown) else f"all {n}", method="restyle",
                        args=[{"visible": [m == n for m in choices]}]) for n in choices]
        fig.update_layout(updatemenus=[dict(buttons=buttons, active=len(choices) - 1, x=1, xanchor="right", y=1.12,
                                            yanchor="top")])
    return fig


def _cells(grid: pd.DataFrame, fmt) -> list[list[str]]:
    return [[fmt(v) if pd.notna(v) else "–" for v in row] for row in grid.to_numpy(dtype=object)]


def transition_chart(transitions: pd.DataFrame, *, value: str = "share", top: int = 15, height: int | None = None):
    """The transition graph as a heat map with hover (share, transitions, customers, median time) and a menu
    that switches what the colour shows.

    Parameters
    ----------
    transitions : DataFrame
        The table of :func:`jkit.paths.transitions` (without ``by``, or one group of it), as
        :func:`~jkit.plotting.paths.plot_transition_heatmap` takes it.
    value : {"share", "transitions", "customers"}, default "share"
        What the colour shows first.
    top : int, default 15
        The busiest events drawn (the same as the static heat map's).
    height : int, optional
        Height in pixels (by the number of rows otherwise).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = _go()
    require_columns(transitions, ["source", "target", "transitions", "customers", "share"], "transitions")
    kinds = ("share", "transitions", "customers")
    if value not in kinds:
        raise ParameterError(f"value={value!r} should be 'share', 'transitions' or 'customers'")
    grids = {v: transition_grid(transitions, value=v, top=top) for v in kinds}
    times = (transition_grid(transitions, value="median_time", top=top) if "median_time" in transitions.columns
             else None)
    grid = grids[value]
    text = [_cells(grids["share"], lambda v: f"{v:.1%}"), _cells(grids["transitions"], lambda v: f"{int(v):,}"),
            _cells(grids["customers"], lambda v: f"{int(v):,}"),
            _cells(times, format_duration) if times is not None else [["–"] * grid.shape[1]] * grid.shape[0]]
    custom = np.stack([np.array(t, dtype=object) for t in text], axis=-1) if grid.size else None
    x, y = [_text(c) for c in grid.columns], [_text(i) for i in grid.index]
    fmt = {"share": ".0%", "transitions": ",.0f", "customers": ",.0f"}
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=x, y=y, customdata=custom, colorscale="Blues", zmin=0, hoverongaps=False,
        colorbar=dict(tickformat=fmt[value]),
        hovertemplate="%{y} → %{x}<br>%{customdata[0]} of the row's transitions<br>%{customdata[1]} transitions "
                      "by %{customdata[2]} customers<br>median time between: %{customdata[3]}<extra></extra>"))
    buttons = [dict(label=v, method="restyle", args=[{"z": [grids[v].to_numpy(dtype=float)],
                                                       "colorbar.tickformat": fmt[v]}]) for v in kinds]
    fig.update_layout(
        title="Where customers go next", height=height or max(360, 28 * len(y) + 200),
        xaxis=dict(title="next event", tickangle=-45, showgrid=False),
        yaxis=dict(title="event", autorange="reversed", showgrid=False), plot_bgcolor="white",  # no pair: blank
        updatemenus=[dict(buttons=buttons, active=kinds.index(value), x=1, xanchor="right", y=1.12, yanchor="top")],
        margin=dict(t=70))
    return fig


def step_matrix_chart(matrix: pd.DataFrame, *, height: int | None = None):
    """The step matrix of :func:`jkit.paths.step_matrix` as a heat map; hovering a cell gives its share and
    how many paths that is (from ``matrix.attrs["units"]``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = _go()
    if not isinstance(matrix, pd.DataFrame) or matrix.empty:
        raise ParameterError("matrix should be the non-empty output of jkit.paths.step_matrix()")
    units = matrix.attrs.get("units")
    values = matrix.to_numpy(dtype=float)
    counts = (np.rint(values * units).astype(int) if units else np.zeros_like(values, dtype=int))
    x = [f"step {c}" for c in matrix.columns]
    y = [_text(i) for i in matrix.index]
    of = f" of {units:,} paths" if units else ""
    hover = "%{y} at %{x}<br>%{z:.1%}" + of + (" (%{customdata:,})" if units else "") + "<extra></extra>"
    fig = go.Figure(go.Heatmap(z=values, x=x, y=y, customdata=counts, colorscale="Greens", zmin=0,
                               colorbar=dict(tickformat=".0%"), hovertemplate=hover))
    fig.update_layout(title="Share at each step" + (f" ({units:,} paths)" if units else ""),
                      height=height or max(320, 26 * len(y) + 160), xaxis=dict(title="step", showgrid=False),
                      yaxis=dict(autorange="reversed", showgrid=False), plot_bgcolor="white", margin=dict(t=60))
    return fig


def _safe_json(text: str) -> str:
    for unsafe, safe in _JSON_SWAPS:
        text = text.replace(unsafe, safe)
    return text


def chart_html(fig, *, div_id: str | None = None) -> str:
    """An HTML fragment that draws ``fig`` with a plotly.js the page loads once (no library, no CDN in it).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart.
    div_id : str, optional
        The id of the chart's element (a random ``jkit-plotly-…`` otherwise); letters, digits, ``-`` and ``_``.

    Returns
    -------
    str
        A ``<div>`` marked with ``data-jkit-plotly="<version>"`` (the report runner links and copies
        that plotly.js) holding a one-line note, and an inline script that replaces the note with
        the chart when ``window.Plotly`` is there.
    """
    import plotly.io as pio

    div_id = div_id or f"jkit-plotly-{uuid.uuid4().hex[:12]}"
    if not re.fullmatch(r"[A-Za-z][\w-]{0,63}", div_id):
        raise ParameterError(f"div_id={div_id!r} should be letters, digits, '-' and '_', starting with a letter")
    spec = _safe_json(pio.to_json(fig, validate=False))
    height = int(fig.layout.height or 500)
    return (f'<div class="jkit-plotly" {VERSION_ATTRIBUTE}="{plotly_version()}">'
            f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px;width:100%;">'
            f'<p class="jkit-plotly-note"><em>{html.escape(FALLBACK_NOTE)}</em></p></div>'
            f'<script>(function(){{var el=document.getElementById("{div_id}");if(!window.Plotly||!el)return;'
            f'var fig={spec};el.innerHTML="";Plotly.newPlot(el,fig.data,fig.layout,{json.dumps(CONFIG)});}})();'
            "</script></div>")


class InteractiveChart:
    """A plotly figure as a notebook output: the :func:`chart_html` fragment for report pages, plotly's
    mimetype for JupyterLab (its extension draws it offline) and a one-line text for the rest."""

    def __init__(self, fig) -> None:
        self.fig = fig

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        import plotly.io as pio

        return {"text/html": chart_html(self.fig),
                "application/vnd.plotly.v1+json": {**json.loads(pio.to_json(self.fig, validate=False)),
                                                   "config": CONFIG},
                "text/plain": "(interactive chart: shown in the HTML report)"}


def interactive_chart(fig) -> InteractiveChart:
    """``fig`` ready for ``display()`` in a notebook (see :class:`InteractiveChart`)."""
    return InteractiveChart(fig)
