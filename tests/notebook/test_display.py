"""Numbers, durations, periods and tables as a reader sees them: hand-computed expectations."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from jkit.notebook import (
    format_duration,
    format_measure,
    format_number,
    format_percent,
    format_period,
    format_table,
    header_html,
)

# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (83, "83 s"),                      # not "0 h"
        (83.4, "83 s"),
        (4.2, "4.2 s"),                    # one decimal below 10 s
        (4.0, "4 s"),                      # a trailing .0 dropped
        (0, "0 s"),
        (119, "119 s"),                    # under 2 minutes: still seconds
        (120, "2 min"),
        (14 * 60, "14 min"),
        (14 * 60 + 20, "14 min"),
        (90 * 60, "1.5 h"),                # from an hour: hours
        (5.2 * 3600, "5.2 h"),
        (31 * 3600, "31 h"),
        (47 * 86400, "47 days"),           # not "1128 h"
        (2.5 * 86400, "2.5 days"),
        (180 * 86400, "180 days"),
        (2.3 * 365.25 * 86400, "2.3 years"),
        (-90, "−90 s"),
    ],
)
def test_format_duration_of_seconds(value, expected):
    assert format_duration(value) == expected


def test_format_duration_of_timedeltas_and_missing():
    assert format_duration(pd.Timedelta("180D")) == "180 days"          # not "180 days 00:00:00"
    assert format_duration(pd.Timedelta(seconds=83)) == "83 s"
    assert format_duration(dt.timedelta(days=47)) == "47 days"
    assert format_duration(np.timedelta64(14, "m")) == "14 min"
    assert format_duration(pd.Timedelta(hours=2, minutes=59)) == "3 h"   # 2.98 h
    for missing in (None, np.nan, float("nan"), pd.NaT, pd.NA):
        assert format_duration(missing) == "n/a"


# --------------------------------------------------------------------------- percentages and numbers


def test_format_percent():
    assert format_percent(0.043) == "4.3%"
    assert format_percent(0.04349) == "4.3%"
    assert format_percent(0.043, decimals=0) == "4%"
    assert format_percent(1) == "100.0%"
    assert format_percent(-0.012) == "-1.2%"
    assert format_percent(12.5) == "1,250.0%"
    assert format_percent(np.nan) == format_percent(None) == "n/a"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.34e5, "134,000"),               # never 1.34e+05
        (133987.4, "133,987"),
        (2.5e9, "2,500,000,000"),
        (23.14, "23.1"),
        (4.567, "4.57"),
        (0.0431, "0.043"),
        (0.5, "0.50"),
        (0.000012, "0.000012"),
        (12.0, "12"),
        (-1234.5, "-1,234"),               # from 100 on: no decimals (Python rounds half to even)
        (np.nan, "n/a"),
    ],
)
def test_format_number_never_scientific(value, expected):
    assert format_number(value) == expected


def test_format_number_with_fixed_decimals():
    assert format_number(1234.5678, decimals=2) == "1,234.57"
    assert format_number(7, decimals=1) == "7.0"


def test_format_measure_uses_the_unit_of_the_column():
    assert format_measure(47, "recency_days") == "47 days"
    assert format_measure(1.5, "days_to_first_purchase") == "36 h"
    assert format_measure(0.431, "tp_web") == "43.1%"
    assert format_measure(0.12, "repeat_rate") == "12.0%"
    assert format_measure(1.34e5, "monetary") == "134,000"
    assert format_measure(3.25, "n_events") == "3.25"
    assert format_measure(np.nan, "monetary") == "n/a"


# --------------------------------------------------------------------------- periods and the header


def test_period_under_two_days_shows_times_and_the_span():
    start, end = pd.Timestamp("2019-10-01 00:00", tz="UTC"), pd.Timestamp("2019-10-01 02:59:30", tz="UTC")
    assert format_period(start, end) == "2019-10-01 00:00 to 02:59 UTC (3 h)"
    over_midnight = format_period(pd.Timestamp("2019-10-01 22:00", tz="UTC"), pd.Timestamp("2019-10-02 01:30", tz="UTC"))
    assert over_midnight == "2019-10-01 22:00 to 2019-10-02 01:30 UTC (3.5 h)"
    assert format_period(start, start) == "2019-10-01 00:00 UTC (a single moment)"


def test_period_of_days_shows_dates_and_days():
    start, end = pd.Timestamp("2019-10-01", tz="UTC"), pd.Timestamp("2019-12-31", tz="UTC")
    assert format_period(start, end) == "2019-10-01 to 2019-12-31 UTC (91 days)"
    # naive times are read as UTC; other zones converted
    assert format_period(pd.Timestamp("2020-01-01"), pd.Timestamp("2023-01-01")) == \
        "2020-01-01 to 2023-01-01 UTC (3 years)"
    assert format_period(None, None) is None


def _data(period=(None, None), feedback_times=None):
    feedback = pd.DataFrame({"timestamp": pd.to_datetime(feedback_times or [], utc=True)})
    return SimpleNamespace(period=period, feedback=feedback,
                           fingerprint=lambda: [{"name": "events", "rows": 12345, "sha256": "ab" * 32}])


def test_header_of_a_three_hour_log():
    data = _data((pd.Timestamp("2019-10-01 00:00", tz="UTC"), pd.Timestamp("2019-10-01 02:59", tz="UTC")))
    page = header_html("Stage funnel", data, params={"window": "90D"})
    assert "2019-10-01 00:00 to 02:59 UTC (3 h)" in page
    assert "2019-10-01 to 2019-10-01" not in page
    assert page.count("<h1") == 1 and "<h1>Stage funnel</h1>" in page
    assert "12,345 rows" in page


def test_header_without_events_uses_feedback_times_or_says_none():
    fb = _data(feedback_times=["2024-05-01 10:00", "2024-05-09 10:00"])
    page = header_html("Feedback sentiment", fb)
    assert "Feedback period:</b> 2024-05-01 to 2024-05-09 UTC (8 days) (no dated events)" in page
    page = header_html("Data overview", _data())
    assert "none (no dated events or feedback)" in page
    assert page.count("<h1") == 1


def test_header_parameters_wrap_and_are_escaped():
    long = "x" * 2000
    page = header_html("T", None, params={"lanes": long, "tag": "<b>"})
    details = re.search(r"<details style='([^']*)'", page).group(1)
    assert "max-width:100%" in details and "overflow-wrap:anywhere" in details
    assert "&lt;b&gt;" in page and "<b>&" not in page
    assert "white-space:pre-wrap" in page


# --------------------------------------------------------------------------- tables


def _cells(styler) -> list[list[str]]:
    html = styler.to_html()
    body = html.split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in body.split("</tr>") if "<td" in row]


def _headers(styler) -> list[str]:
    return re.findall(r"<th[^>]*col_heading[^>]*>(.*?)</th>", styler.to_html())


def test_table_formats_floats_without_scientific_notation():
    frame = pd.DataFrame({"revenue": [1.34e5, 2.5e6, np.nan], "score": [0.1234, 0.5, 0.25], "n": [12000, 5, 7]})
    cells = _cells(format_table(frame))
    assert cells[0] == ["134,000", "0.12", "12,000"]
    assert cells[1] == ["2,500,000", "0.50", "5"]
    assert cells[2] == ["–", "0.25", "7"]          # missing: a dash


def test_table_keeps_small_values_visible_in_a_large_column():
    cells = _cells(format_table(pd.DataFrame({"v": [1.34e5, 2.5e5, 0.004]})))
    assert [c[0] for c in cells] == ["134,000", "250,000", "0.0040"]


def test_table_percent_columns_use_format_percent():
    frame = pd.DataFrame({"share": [0.043, np.nan], "other": [0.043, 0.5]})
    cells = _cells(format_table(frame, percent=["share"]))
    assert cells[0][0] == "4.3%" == format_percent(0.043)
    assert cells[1][0] == "–"
    assert _cells(format_table(frame, percent=["share"], percent_decimals=0))[0][0] == "4%"


def test_table_duration_columns():
    frame = pd.DataFrame({"median": [pd.Timedelta(seconds=83), pd.Timedelta(days=47), pd.NaT],
                          "secs": [840.0, 5.2 * 3600, np.nan], "hours": [0.5, 1128.0, 2.0]})
    cells = _cells(format_table(frame, duration=["secs"]))
    assert [c[0] for c in cells] == ["83 s", "47 days", "–"]      # a Timedelta column, listed or not
    assert [c[1] for c in cells] == ["14 min", "5.2 h", "–"]
    cells = _cells(format_table(frame, duration=["hours"], duration_unit="h"))
    assert [c[2] for c in cells] == ["30 min", "47 days", "2 h"]


def test_table_caller_formats_win():
    frame = pd.DataFrame({"a": [1234.5678], "b": [3.0]})
    cells = _cells(format_table(frame, decimals={"a": 2}, integer=["b"]))
    assert cells[0] == ["1,234.57", "3"]


def test_table_ids_and_years_have_no_thousands_separator():
    frame = pd.DataFrame({"year": [2019], "customer_id": [123456], "customers": [123456]})
    assert _cells(format_table(frame))[0] == ["2019", "123456", "123,456"]


def test_significant_shows_a_dash_where_nothing_was_tested():
    frame = pd.DataFrame({"change": [0.1, np.nan, -0.2], "low": [0.05, np.nan, -0.3], "high": [0.15, np.nan, 0.1],
                          "significant": [True, False, False]})
    assert [c[3] for c in _cells(format_table(frame))] == ["yes", "–", "no"]
    other = frame.rename(columns={"low": "lo", "high": "hi"})
    assert [c[3] for c in _cells(format_table(other, missing_if={"significant": ["lo", "hi"]}))] == ["yes", "–", "no"]


def test_table_fits_the_page_and_escapes_cells_and_headers():
    frame = pd.DataFrame({"<script>": ["<b>x</b>", "y" * 500]})
    styler = format_table(frame)
    page = styler._repr_html_()
    assert page.startswith("<div class='jkit-table' style='overflow-x:auto;max-width:100%'>")
    assert page.endswith("</div>")
    assert _headers(styler) == ["&lt;script&gt;"]
    assert _cells(styler)[0] == ["&lt;b&gt;x&lt;/b&gt;"]
    assert re.search(r"td \{[^}]*overflow-wrap: anywhere", page)
    assert "<th" in page and "row_heading" not in page      # the index is hidden


def test_show_table_displays_the_wrapped_table(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    from jkit.notebook import show_table

    show_table(pd.DataFrame({"share": [0.5]}), percent=["share"])
    assert "overflow-x:auto" in shown[0]._repr_html_() and "50.0%" in shown[0]._repr_html_()


@pytest.mark.parametrize("hostile", ["[x](javascript:alert(1))", "![p](http://host/p.png)", "<img src=x onerror=alert(1)>",
                                     "see http://host/track", "# heading", "**bold** _it_ `code`", "a\n\n# new block"])
def test_escape_markdown_leaves_no_link_image_or_markup(hostile):
    """Issue 16.2: text from data inside Markdown output never becomes a link, an image or markup."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from jkit.notebook import escape_markdown

    rendered = markdown2html_mistune(f"Persona: {escape_markdown(hostile)}")
    assert "<a " not in rendered and "<img" not in rendered and "<h1" not in rendered
    assert "<strong>" not in rendered and "<code>" not in rendered and "<em>" not in rendered
    assert rendered.count("<p>") == 1


def test_column_and_index_names_from_data_are_escaped_like_cells():
    """Issue 16.3: a customers column named <img src=x onerror=alert(1)>, used as a breakdown, ran script."""
    from jkit.notebook import format_table

    hostile = "<img src=x onerror=alert(1)>"
    frame = pd.DataFrame({hostile: ["<script>alert(2)</script>"], "n": [3]}).rename_axis(hostile)
    page = format_table(frame)._repr_html_()
    assert "<img" not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_cells_that_are_not_text_are_escaped_too():
    """pandas escapes only str cells: a dict, list or tuple holding markup from data must not reach the page raw."""
    frame = pd.DataFrame({"touchpoints": [{"<img src=x onerror=alert(1)>": 3}], "phrases": [("a<b", "<i>c</i>")],
                          "text": ["<script>x</script>"], "n": [1200]})
    page = format_table(frame).to_html()
    assert "<img" not in page and "<script>" not in page and "<i>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert ">1,200<" in page
