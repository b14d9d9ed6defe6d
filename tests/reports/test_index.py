"""The index page of the runs (jkit.reports.index).
"""

from __future__ import annotations

from jkit.reports.index import format_duration, render_index


def test_index_escapes_everything_from_data_and_parameters():
    page = render_index(
        [{"name": "x", "title": "<script>alert(1)</script>", "status": "failed", "started": "2026-11-23T08:15:00+00:00",
          "duration": 75.2, "parameters": {"q": "<img src=x onerror=alert(2)>"}, "data": "d&d",
          "href": None, "failure_href": "x.failed.html", "error": "ValueError: <b>bad</b>"}],
        run={"name": "r", "started": "2026-11-23T08:15:00+00:00", "duration": 80,
             "data": {"d&d": [{"name": "<e>.csv", "rows": 1234, "sha256": "ab" * 32}]}},
    )
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bad" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;e&gt;.csv" in page and "1,234 rows" in page
    assert "1 reports · 0 ok · 1 failed" in page and "2026-11-23 08:15:00 UTC" in page and "1 min 15 s" in page
    assert format_duration(3.04) == "3.0 s" and format_duration(3725) == "1 h 2 min"
