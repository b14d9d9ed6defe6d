"""Interactive charts in report pages: plotly.js lands once per run folder and in latest/, each page links
it with one relative <script src> that resolves from both, and the charts draw offline (real kernel, Chromium)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from jkit.reports.assets import attach, page_assets
from tests.reports import write_notebook

pytest.importorskip("plotly")

HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"
CHART = ("import pandas as pd\nfrom IPython.display import display\n"
         "from jkit.plotting.interactive import interactive_chart, step_matrix_chart\n"
         "m = pd.DataFrame({1: [0.75, 0.25], 2: [0.5, 0.5]}, index=[name, 'ENDED'])\nm.attrs['units'] = 4\n"
         "display(interactive_chart(step_matrix_chart(m)))\ndisplay(interactive_chart(step_matrix_chart(m)))")


def linked_assets(page: str) -> list[str]:
    """The ``src`` of every ``<script src=…>`` of a page."""
    return [html.unescape(m) for m in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)]


def test_attach_links_one_script_per_version_and_writes_the_file_once(tmp_path):
    from jkit.plotting.interactive import asset_name, plotly_version

    version = plotly_version()
    page = (f'<html><head><title>t</title></head><body><div class="jkit-plotly" data-jkit-plotly="{version}">'
            f'</div><div class="jkit-plotly" data-jkit-plotly="{version}"></div></body></html>')
    out, names = attach(page, tmp_path)
    assert names == [asset_name()] and linked_assets(out) == [asset_name()]
    assert out.index(f'src="{asset_name()}"') < out.index("</head>")
    written = (tmp_path / asset_name()).stat().st_mtime_ns
    assert (tmp_path / asset_name()).stat().st_size > 1_000_000  # plotly.js itself, not a stub
    attach(page, tmp_path)
    assert (tmp_path / asset_name()).stat().st_mtime_ns == written  # once per run folder
    # a page without charts, or asking for a version this environment does not have, gets no script
    assert attach("<html><head></head><body>no chart</body></html>", tmp_path) == (
        "<html><head></head><body>no chart</body></html>", [])
    other = page.replace(version, "0.0.1")
    assert page_assets(other) == ["plotly-0.0.1.min.js"]
    assert attach(other, tmp_path) == (other, []) and not (tmp_path / "plotly-0.0.1.min.js").exists()
    # only version-like strings become file names: no path can come from a page
    assert page_assets('<div data-jkit-plotly="../../etc/passwd"></div>') == []


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, kernel_available):
    """Two chart reports in one run; then a second run of one of them (latest/ keeps both)."""
    from jkit.reports import run

    root = tmp_path_factory.mktemp("interactive")
    nbdir = root / "notebooks"
    params = 'data_dir = "../data"  # data folder\nname = "a"  # an event name from the data'
    write_notebook(nbdir / "01-one.ipynb", params, [CHART], title="One")
    write_notebook(nbdir / "02-two.ipynb", params, [CHART], title="Two")
    (root / "data").mkdir()
    (root / "data" / "customers.csv").write_text("customer_id,signup_date\nC1,2025-01-01\n")
    first = run(notebooks_dir=nbdir, reports_dir=root / "reports", data=root / "data",
                parameter_strings=[f"name={HOSTILE}"])
    second = run(["01-one"], notebooks_dir=nbdir, reports_dir=root / "reports", data=root / "data")
    return first, second


def _script_files(page: Path) -> list[Path]:
    return [page.parent / src for src in linked_assets(page.read_text(encoding="utf-8"))]


def test_plotly_js_lands_once_per_run_folder_and_resolves_from_latest(two_runs):
    from jkit.plotting.interactive import asset_name

    first, second = two_runs
    assert first.ok and second.ok, (first.summary(), second.summary())
    for result in (first, second):
        assert sorted(p.name for p in result.run_dir.glob("*.js")) == [asset_name()]
    pages = [r.html for r in first.reports] + [second.reports[0].html]
    latest = first.latest
    pages += [latest / "01-one.html", latest / "02-two.html"]  # 02 in latest/ is from the first run
    for page in pages:
        scripts = _script_files(Path(page))
        assert [s.name for s in scripts] == [asset_name()], page  # one script per page, relative
        assert all(s.is_file() for s in scripts), page
        assert "cdn" not in Path(page).read_text(encoding="utf-8").lower()
    assert sorted(p.name for p in latest.glob("*.js")) == [asset_name()]


@pytest.mark.browser
def test_charts_draw_offline_from_latest_and_data_cannot_run(two_runs, browser):
    first, _ = two_runs
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    seen = {"console": [], "pageerror": [], "dialog": [], "requests": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["pageerror"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialog"].append(d.message), d.dismiss()))

    def block(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            seen["requests"].append(route.request.url)
            route.abort()

    page.route("**/*", block)
    for html_page in (first.latest / "02-two.html", first.reports[0].html):  # latest/ and the run folder
        page.goto(Path(html_page).resolve().as_uri(), wait_until="load")
        page.wait_for_function("document.querySelectorAll('.jkit-plotly svg.main-svg').length >= 2", timeout=15000)
        drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.jkit-plotly')).map(d => ({
            svg: d.querySelectorAll('svg.main-svg').length, note: d.querySelector('.jkit-plotly-note') !== null,
            rows: Array.from(d.querySelectorAll('.ytick text')).map(t => t.textContent)}))""")
        assert len(drawn) == 2 and all(d["svg"] and not d["note"] for d in drawn), drawn
        assert HOSTILE in drawn[0]["rows"]  # the name is shown as text
        buttons = page.evaluate("Array.from(document.querySelectorAll('.jkit-plotly .modebar-btn'))"
                                ".map(b => b.getAttribute('data-title'))")
        assert buttons and not [b for b in buttons if "share" in b.lower() or "cloud" in b.lower()], buttons
        assert page.evaluate("window.__pwned === undefined") and not page.query_selector("img[src='x']")
    assert seen == {"console": [], "pageerror": [], "dialog": [], "requests": []}, seen
    page.close()
