"""Pages fit the page: the banner wraps, wide tables scroll in their own box; one title per page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import nbformat
import pytest

from jkit.reports.render import dedupe_title, render_report
from jkit.reports.results import ReportResult
from jkit.reports.runner import _banner

CHROMIUM = "/usr/bin/chromium"


def executed_notebook(title_cell: str, header_h1: str | None, wide_columns: int = 0):
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(title_cell)]
    if header_h1 is not None:
        cell = nbformat.v4.new_code_cell("show_header(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<h1>{header_h1}</h1><p>x</p>"})]
        cells.append(cell)
    if wide_columns:
        head = "".join(f"<th>a_rather_long_column_name_{i}</th>" for i in range(wide_columns))
        row = "".join(f"<td>{i * 1234567.891:,.2f}</td>" for i in range(wide_columns))
        cell = nbformat.v4.new_code_cell("show_table(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            "text/html": f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"})]
        cells.append(cell)
    nb.cells = cells
    return nb


def long_banner() -> str:
    result = ReportResult(name="x", title="X", notebook=Path("x.ipynb"), status="ok",
                          started=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc), duration=1.0,  # noqa: UP017
                          parameters={f"parameter_{i}": "a,very,long,comma,separated,value,without,spaces" * 2
                                      for i in range(12)})
    return _banner(result, "2026-12-01_000000")


def test_one_title_per_page():
    nb = executed_notebook("# Stage funnel\n\nHow customers move.", "Stage funnel")
    page = render_report(nb, title="Stage funnel")
    assert len(re.findall(r"<h1[^>]*>\s*Stage funnel", page)) == 1
    assert "How customers move." in page
    only_title = dedupe_title(executed_notebook("# Personas", "Personas"))
    assert [c.cell_type for c in only_title.cells] == ["code"]  # the emptied title cell is gone
    kept = dedupe_title(executed_notebook("# Personas", None))
    assert kept.cells[0].source == "# Personas"  # no header output: the markdown title stays


def test_tables_are_wrapped_and_the_banner_can_wrap():
    page = render_report(executed_notebook("# T", None, wide_columns=30), title="T", banner=long_banner())
    assert '<div class="jkit-table-scroll"><table>' in page
    assert re.search(r"\.jkit-banner\{[^}]*max-width:100%", page) and "overflow-wrap:anywhere" in page
    assert re.search(r"\.jkit-table-scroll\{overflow-x:auto", page)


@pytest.mark.browser
def test_no_horizontal_page_scroll_at_1400px(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found")
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "wide.html"
    page_file.write_text(render_report(executed_notebook("# T", None, wide_columns=40), title="T",
                                       banner=long_banner()))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            sizes = page.evaluate("""() => ({
                page: document.documentElement.scrollWidth, view: window.innerWidth,
                banner: document.querySelector('.jkit-banner').getBoundingClientRect().width,
                box: document.querySelector('.jkit-table-scroll').scrollWidth,
                boxView: document.querySelector('.jkit-table-scroll').clientWidth})""")
        finally:
            browser.close()
    assert sizes["page"] <= sizes["view"], sizes
    assert sizes["banner"] <= 1400, sizes
    assert sizes["box"] > sizes["boxView"], sizes  # the table scrolls inside its own box
