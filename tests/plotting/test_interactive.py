"""The interactive (plotly) paths charts: they carry the tables' numbers, load no library from the
network, cannot be made to run a name from data, and say so clearly when plotly is missing."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pandas as pd
import pytest

from jkit.errors import MissingResourceError, ParameterError
from jkit.plotting import interactive
from jkit.plotting.paths import transition_grid

pytest.importorskip("plotly")

HOSTILE = "</script><script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def paths_table() -> pd.DataFrame:
    """Three paths of 6, 3 and 1 customers plus 10 on other paths (20 in all)."""
    return pd.DataFrame({
        "path": ["a → b → c", "a → c", "d → b → c", "other"],
        "step_1": ["a", "a", "d", None], "step_2": ["b", "c", "b", None], "step_3": ["c", None, "c", None],
        "customers": [6, 3, 1, 10], "share": [0.3, 0.15, 0.05, 0.5]})


def transitions_table(names=("a", "b", "c")) -> pd.DataFrame:
    a, b, c = names
    return pd.DataFrame({
        "source": [a, a, b], "target": [b, c, c], "transitions": [8, 2, 5], "customers": [6, 2, 4],
        "share": [0.8, 0.2, 1.0], "median_time": pd.to_timedelta(["5min", "2h", "30s"])})


def visible(fig):
    (trace,) = [t for t in fig.data if t.visible in (True, None)]
    return trace


def test_flow_chart_carries_the_paths_counts():
    fig = interactive.flow_chart(paths_table(), tops=(1, 2))
    assert [t.visible for t in fig.data] == [False, False, True]  # top 1, top 2, all 3 (shown)
    trace = visible(fig)
    labels = list(trace.node.label)
    assert labels == ["a", "d", "b", "c", "c"]  # step 1: a (9), d (1); step 2: b (7), c (3); step 3: c (7)
    moves = {(labels[s], labels[t], s < 2): v for s, t, v in zip(trace.link.source, trace.link.target,
                                                                 trace.link.value, strict=True)}
    assert moves == {("a", "b", True): 6, ("a", "c", True): 3, ("d", "b", True): 1, ("b", "c", False): 7}
    shares = dict(zip(labels[:2], [c[1] for c in trace.node.customdata[:2]], strict=True))
    assert shares == {"a": pytest.approx(9 / 20), "d": pytest.approx(1 / 20)}  # of all 20, "other" included
    assert "50% of customers on other paths" in fig.layout.title.text
    top1 = fig.data[0]
    assert list(top1.link.value) == [6, 6] and list(top1.node.label) == ["a", "b", "c"]
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["top 1", "top 2", "all 3"]
    assert menu.buttons[0].args[0]["visible"] == [True, False, False]


def test_flow_chart_of_sessions_and_of_nothing():
    table = paths_table().rename(columns={"customers": "sessions"})
    assert "sessions" in visible(interactive.flow_chart(table)).link.hovertemplate
    empty = interactive.flow_chart(paths_table().iloc[[3]])
    assert not empty.data and empty.layout.title.text == "No path to draw"
    with pytest.raises(ParameterError, match="step_1"):
        interactive.flow_chart(pd.DataFrame({"path": ["a"], "customers": [1]}))


def test_transition_chart_draws_the_static_cells_with_every_count_on_hover():
    moves = transitions_table()
    fig = interactive.transition_chart(moves)
    (heat,) = fig.data
    grid = transition_grid(moves, value="share")
    np.testing.assert_array_equal(np.asarray(heat.z, dtype=float), grid.to_numpy(dtype=float))
    # busiest first (in + out): b 13, a 10, c 7; rows are the sources among them, columns the targets
    assert list(heat.y) == ["b", "a"] and list(heat.x) == ["b", "c"]
    custom = np.asarray(heat.customdata, dtype=object)
    assert list(custom[1, 0]) == ["80.0%", "8", "6", "5 min"]  # a → b
    assert list(custom[0, 1]) == ["100.0%", "5", "4", "30 s"]  # b → c
    assert custom[0, 0][0] == "–" and np.isnan(np.asarray(heat.z, dtype=float)[0, 0])  # b → b never seen
    buttons = {b.label: b.args[0] for b in fig.layout.updatemenus[0].buttons}
    np.testing.assert_array_equal(np.asarray(buttons["transitions"]["z"][0], dtype=float),
                                  [[np.nan, 5], [8, 2]])
    assert buttons["customers"]["colorbar.tickformat"] == ",.0f"
    with pytest.raises(ParameterError, match="value='time'"):
        interactive.transition_chart(moves, value="time")


def test_step_matrix_chart_gives_shares_and_counts():
    matrix = pd.DataFrame({1: [0.75, 0.25, 0.0], 2: [0.0, 0.5, 0.5]}, index=pd.Index(["a", "b", "ENDED"],
                                                                                       name="event"))
    matrix.attrs["units"] = 4
    fig = interactive.step_matrix_chart(matrix)
    (heat,) = fig.data
    np.testing.assert_array_equal(np.asarray(heat.z), matrix.to_numpy())
    np.testing.assert_array_equal(np.asarray(heat.customdata), [[3, 0], [1, 2], [0, 2]])
    assert list(heat.x) == ["step 1", "step 2"] and list(heat.y) == ["a", "b", "ENDED"]
    assert "of 4 paths" in heat.hovertemplate and "(4 paths)" in fig.layout.title.text
    with pytest.raises(ParameterError, match="step_matrix"):
        interactive.step_matrix_chart(pd.DataFrame())


def test_the_snippet_loads_no_library_and_no_cdn():
    snippet = interactive.chart_html(interactive.flow_chart(paths_table()), div_id="flow")
    assert "cdn" not in snippet.lower() and "https://" not in snippet and "http://" not in snippet
    assert "<script src" not in snippet and len(snippet) < 50_000  # plotly.js (4 MB) is not in it
    version = re.search(r'data-jkit-plotly="([^"]+)"', snippet).group(1)
    import plotly

    assert version == plotly.__version__ and interactive.asset_name() == f"plotly-{version}.min.js"
    assert 'id="flow"' in snippet and interactive.FALLBACK_NOTE in snippet
    with pytest.raises(ParameterError, match="div_id"):
        interactive.chart_html(interactive.flow_chart(paths_table()), div_id='x"><script>')


@pytest.mark.parametrize("name", [HOSTILE, IMG, "<a href='javascript:alert(3)'>x</a>", "a\u2028b"])
def test_names_from_data_cannot_run(name):
    fig = interactive.transition_chart(transitions_table(names=(name, "b", "c")))
    snippet = interactive.chart_html(fig)
    # one script of ours, closed once; no raw markup from the data anywhere in the fragment
    assert snippet.count("<script") == 1 and snippet.lower().count("</script") == 1
    assert "<img" not in snippet and "onerror=\"" not in snippet and "<a " not in snippet and "\u2028" not in snippet
    # the name survives as text: HTML-escaped for plotly.js (which reads <b>, <a> as markup), JSON-escaped for the page
    spec = json.loads(re.search(r"var fig=(\{.*\});el\.innerHTML", snippet).group(1))
    assert name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in spec["data"][0]["y"]
    flow = interactive.chart_html(interactive.flow_chart(paths_table().replace({"a": name})))
    assert flow.count("<script") == 1 and "<img" not in flow


def test_mimebundle_for_jupyterlab_and_report_pages():
    chart = interactive.interactive_chart(interactive.step_matrix_chart(pd.DataFrame({1: [1.0]}, index=["a"])))
    bundle = chart._repr_mimebundle_()
    assert set(bundle) == {"text/html", "application/vnd.plotly.v1+json", "text/plain"}
    assert bundle["application/vnd.plotly.v1+json"]["data"][0]["type"] == "heatmap"
    json.dumps(bundle)  # what the kernel sends must be plain JSON


def test_without_plotly_a_clear_error_and_a_one_line_note(monkeypatch, capsys):
    from jkit.notebook.paths import interactive_charts

    for mod in [m for m in sys.modules if m == "plotly" or m.startswith("plotly.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly → ImportError
    assert not interactive.available()
    with pytest.raises(MissingResourceError, match=r"pip install 'jkit\[interactive\]'"):
        interactive.flow_chart(paths_table())
    assert interactive_charts(False) is False
    assert capsys.readouterr().out == ""
    notes = []
    monkeypatch.setattr("jkit.notebook.support.note", notes.append)
    assert interactive_charts(True) is False
    assert notes == [interactive.MISSING_NOTE]


def test_with_plotly_the_glue_says_yes():
    from jkit.notebook.paths import interactive_charts

    assert interactive_charts(True) is True and interactive_charts(False) is False


def test_real_sample_paths_keep_their_totals(small_sample):
    from jkit.paths import paths, step_matrix

    table = paths(small_sample.events, steps=4, top=8)
    trace = visible(interactive.flow_chart(table))
    shown = table[table["path"] != "other"]
    assert sum(c[1] for c in trace.node.customdata if c[0] == 1) == pytest.approx(
        shown["customers"].sum() / table["customers"].sum())
    matrix = step_matrix(small_sample.events, steps=4)
    heat = interactive.step_matrix_chart(matrix).data[0]
    assert np.asarray(heat.customdata)[:, 0].sum() == matrix.attrs["units"]  # every path is somewhere at step 1


def test_real_ga4_day_charts_every_path_and_transition(shared_data):
    """One real day of Google's GA4 sample: the charts carry the tables' numbers and no customer id."""
    from jkit.io.importers import ga4
    from jkit.paths import paths, step_matrix, transitions

    events = ga4.read_ga4(shared_data / "exports" / "ga4" / "events_20201101.parquet")
    ties = ["first_visit", "session_start", "page_view"]
    moves = transitions(events, tie_order=ties)
    heat = interactive.transition_chart(moves, top=10).data[0]
    counts = transition_grid(moves, value="transitions", top=10)
    custom = np.asarray(heat.customdata, dtype=object)
    assert custom[..., 1].tolist() == [[f"{int(v):,}" if pd.notna(v) else "–" for v in row]
                                       for row in counts.to_numpy()]
    table = paths(events, steps=4, top=10, tie_order=ties)
    trace = visible(interactive.flow_chart(table))
    step1 = sum(v for s, v in zip(trace.link.source, trace.link.value, strict=True)
                if trace.node.customdata[s][0] == 1)
    ended = table.loc[table["path"] != "other"]
    assert step1 == ended.loc[ended["step_2"].notna(), "customers"].sum()  # every drawn path leaves step 1 once
    matrix = step_matrix(events, steps=4, tie_order=ties)
    snippet = "".join(interactive.chart_html(f) for f in (interactive.flow_chart(table),
                                                           interactive.step_matrix_chart(matrix)))
    some_ids = events["customer_id"].astype(str).drop_duplicates().head(50)
    assert not [c for c in some_ids if c in snippet]  # counts only, no customer ids


def single_event_paths() -> pd.DataFrame:
    """Paths of one event each (a study whose customers have one event): 12, 5 and 3 customers."""
    return pd.DataFrame({"path": ["interested", "called", "visited"], "step_1": ["interested", "called", "visited"],
                         "step_2": [None] * 3, "customers": [12, 5, 3], "share": [0.6, 0.25, 0.15]})


def test_paths_of_one_event_are_bars_not_a_sankey_without_links():
    fig = interactive.flow_chart(single_event_paths())
    (bar,) = fig.data
    assert bar.type == "bar" and list(bar.y) == ["interested", "called", "visited"]
    assert list(bar.x) == [12, 5, 3] and list(bar.customdata) == pytest.approx([0.6, 0.25, 0.15])
    assert fig.layout.title.text == "Top 3 paths: each a single event, so nothing flows"


def test_menu_choices_start_where_a_path_moves():
    table = pd.DataFrame({"path": ["x", "a → b", "c → d"], "step_1": ["x", "a", "c"], "step_2": [None, "b", "d"],
                          "customers": [10, 5, 2], "share": [10 / 17, 5 / 17, 2 / 17]})
    fig = interactive.flow_chart(table, tops=(1, 2))
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["top 2", "all 3"]
    assert all(len(t.link.value) for t in fig.data)  # every Sankey trace has a link


@pytest.mark.browser
def test_every_flow_shape_draws_in_a_browser(browser, tmp_path):
    """plotly.js throws "Invalid array length" on a Sankey without links; every shape must draw cleanly."""
    (tmp_path / "plotly.min.js").write_text(interactive.plotly_js(), encoding="utf-8")
    shapes = [paths_table(), single_event_paths(), paths_table().iloc[[3]]]
    body = "".join(interactive.chart_html(interactive.flow_chart(t)) for t in shapes)
    page_file = tmp_path / "page.html"
    page_file.write_text(f'<html><head><script src="plotly.min.js"></script></head><body>{body}</body></html>',
                         encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(page_file.as_uri())
    page.wait_for_timeout(1500)
    drawn = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => d.querySelectorAll('svg').length)")
    page.close()
    assert not errors
    assert len(drawn) == 3 and all(n > 0 for n in drawn)
