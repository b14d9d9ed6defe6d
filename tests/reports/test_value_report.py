"""Report 06 "Retention and value" on the study shapes and the small sample; the formula CLV out of 02's headlines.

The shapes are the renders of tests/reports/test_study_shapes.py (rendered once per session and
shared); the small sample is rendered here, report 06 only.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest

from jkit.notebook import SEE_HOLDOUT
from tests.reports.kernel_runs import NOTEBOOKS, SMALL_SAMPLE
from tests.reports.test_study_shapes import _html, _text, shared_renders

REPORT = "06-retention-value"
CLV_CARD = re.compile(r"(\S+(?: \(90% interval [\d,.]+ – [\d,.]+\)| the holdout check| \(see Customer value\))) "
                      r"Churn-aware CLV per customer, next 52 weeks")


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    return shared_renders(tmp_path_factory)


def _page(renders, shape: str, report: str = REPORT) -> str:
    assert renders[shape]["reports"][report]["status"] == "ok", renders[shape]["reports"][report]
    return html_lib.unescape(_text(_html(renders[shape], report)))


def _headlines(text: str) -> str:
    return text.split("Caveats: what this report", 1)[0]


def _images(renders, shape: str) -> int:
    return len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", _html(renders[shape], REPORT)))


def test_a_transaction_log_gets_cohorts_lifecycle_the_holdout_check_and_clv_by_persona(renders):
    text = _page(renders, "transactions")
    heads = _headlines(text)
    assert re.search(r"47 Customers with purchases 40\.4% Repeat buyers", heads), heads[-400:]
    assert re.search(r"Month-1 retention, 2025-\d\d cohort", heads)
    # the 150-customer study's calibration customers buy nothing in its holdout: no check, no CLV headline
    assert CLV_CARD.search(heads).group(1) == SEE_HOLDOUT
    assert "No calibration customer bought in the holdout" in text
    assert "nan" not in heads.lower().split() and "formula" not in heads.lower()
    for section in ("Retention cohorts", "Retention by persona", "Lifecycle", "Customer value", "The fitted models",
                    "Churn-aware CLV by persona"):
        assert section in text
    assert "method customers actual predicted error relative_error mae rmse BG/NBD" in text and "run rate" in text
    assert "persona customers clv clv_low clv_high clv_per_customer" in text
    assert not re.search(r"(is|are) left out:", text.split("Notes", 1)[0]), "a section of 06 is left out"
    assert _images(renders, "transactions") == 6  # triangle, curves, lifecycle, buckets, p_alive, CLV by persona


def test_without_revenue_the_check_stands_and_the_clv_is_left_out_with_the_reason(renders):
    text = _page(renders, "events_only")
    assert CLV_CARD.search(_headlines(text)).group(1) == "n/a (see Customer value)"
    assert "method customers actual predicted" in text and "The fitted models" in text
    assert "The CLV by persona is left out: no spend model: 0 customers have a positive mean repeat spend" in text


def test_a_three_hour_log_leaves_out_what_it_cannot_show_and_says_why(renders):
    text = _page(renders, "three_hours")
    heads = _headlines(text)
    assert "n/a (no cohort observed a full day on) Day-1 retention" in heads  # a card: its value, then its label
    assert CLV_CARD.search(heads).group(1) == "n/a (see Customer value)"
    assert "The retention triangle is left out: no cohort has been observed a full day after its start" in text
    assert re.search(r"The customer value section is left out: the purchases span 0 day\(s\) .* too short", text)
    caveats = text[text.rindex("Caveats"):]
    assert "cohorts are days instead" in caveats


def test_one_conversion_per_customer_is_no_repeat_buying(renders):
    text = _page(renders, "bank")
    assert re.search(r"The customer value section is left out: every one of the \d+ customers bought on one day "
                     r"only", text)
    assert "subscribed" in text and "Traceback" not in text


def test_report_06_shows_the_journey_maps_personas(renders):
    journey = html_lib.unescape(_html(renders["all_tables"], "01-journey-map"))
    names = [re.sub(r"<[^>]+>", "", n).strip()
             for n in re.findall(r"<h3[^>]*>(.+?) — \d+% of customers entering the journey", journey)]
    assert len(names) >= 2
    text = _page(renders, "all_tables")
    table = text.split("persona customers clv clv_low clv_high clv_per_customer", 1)[1]
    for name in names:
        assert name in table, f"persona {name!r} of the journey map is not in 06's CLV table"


def test_the_formula_clv_is_labelled_and_no_headline_in_the_funnel_report(renders):
    text = _page(renders, "all_tables", "02-stage-funnel")
    assert "CLV" not in _headlines(text) and "clv" not in _headlines(text)
    assert re.search(r"formula CLV \(no churn\) [\d,.]+ [\d,.]+ – [\d,.]+", text), "the KPI row is not labelled"
    assert not re.search(r"\bclv [\d,.]+ ", text), "a bare 'clv' KPI row is left"


@pytest.mark.slow
def test_the_sample_headlines_no_clv_its_holdout_check_rejects(tmp_path, kernel_available):
    from jkit.reports import run

    result = run(["06"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "reports", data=SMALL_SAMPLE)
    assert result.ok, result.summary()
    page = result.reports[0].html.read_text(encoding="utf-8")
    text = html_lib.unescape(_text(page))
    heads = _headlines(text)
    assert "299 Customers with purchases 63.2% Repeat buyers" in heads
    assert CLV_CARD.search(heads).group(1) == SEE_HOLDOUT
    assert "The BG/NBD model missed the holdout purchases by +184% (predicted 315, actual 111)" in text
    assert re.search(r"spend and purchase frequency are correlated \(r = -0\.56", text, re.I)
    # CLV by persona is still shown, flagged as indicative
    assert "read these values as indicative only" in text
    assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", page)) == 6
