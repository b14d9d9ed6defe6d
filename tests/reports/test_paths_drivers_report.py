"""The "Paths and drivers" report (07) rendered with the real kernel: on the small sample, on an
events-only study (a study.yaml, customers derived from events, no feedback) and skipped without events.

tests/reports/test_study_shapes.py renders it on every shape with the other reports; this module
renders only 07, so it can be run on its own and it reads the page's content.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from tests.reports.kernel_runs import NOTEBOOKS, SMALL_SAMPLE
from tests.reports.test_study_shapes import _sample, make_events_only, make_zero_events

REPORT = "07-paths-drivers"


def _text(page: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, object]:
    from jkit.reports import run
    from jkit.reports.execute import check_kernel

    check_kernel("jkit")
    root = tmp_path_factory.mktemp("r07")
    base = root / "base"
    _sample(base)
    studies = {"small_sample": SMALL_SAMPLE, "events_only": make_events_only(base, root / "events_only"),
               "zero_events": make_zero_events(base, root / "zero_events")}
    return {name: run([REPORT], notebooks_dir=NOTEBOOKS, reports_dir=root / f"out-{name}", data=path, quiet=True)
            for name, path in studies.items()}


def _page(result) -> str:
    (report,) = result.reports
    assert report.status == "ok", (report.status, report.error, report.reason)
    return _text(Path(report.html).read_text(encoding="utf-8"))


def test_small_sample_renders_every_section(rendered):
    text = _page(rendered["small_sample"])
    for heading in ("Sessions", "Paths", "After dropping out at", "Drivers of reaching the next stage",
                    "Feedback themes and dropping out", "Caveats"):
        assert heading in text, heading
    headlines = text.split("Caveats: what this report")[0]
    for label in ("Sessions per customer (median)", "Events per session (median)",
                  "Most common path from awareness", "Largest drop-off", "Strongest driver of that drop-off"):
        assert label in headlines, label
    # the drivers: one section per consecutive stage pair, each over a whole-day span
    for pair in ("awareness → consideration", "consideration → purchase", "purchase → retention",
                 "retention → advocacy"):
        assert pair in text, pair
    assert re.search(r"observed for \d+D each", text)
    assert "associations, not effects" in text.lower()
    # the filtered counts reach the caveats
    caveats = text[text.rindex("Caveats"):]
    assert "features not tested" in caveats
    assert "Traceback" not in text and "0.00000000" not in text


def test_events_only_study_renders_without_feedback_sections(rendered):
    text = _page(rendered["events_only"])
    assert "The feedback themes against drop-off is left out" in text or \
        "feedback themes against drop-off" in text.lower() and "left out" in text
    assert "Kinds of driver read in this study: events, properties, attributes." in text
    assert "Most common path from awareness" in text and "Traceback" not in text


def test_no_events_skips_with_its_reason(rendered):
    (report,) = rendered["zero_events"].reports
    assert report.status == "skipped" and report.reason.startswith("needs ") and "events" in report.reason
