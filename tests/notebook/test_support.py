"""jkit.notebook.support: reports skip with a reason, and keep every JkitWarning as a caveat."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import jkit
from jkit.errors import JkitWarning, ReportSkipped
from jkit.notebook.support import caveats_html, collect_caveats, require


def test_require_skips_with_the_reason_when_a_table_or_column_is_missing():
    events_only = jkit.load(events=pd.DataFrame({"customer_id": ["1"], "timestamp": ["2024-01-01"],
                                                 "event": ["purchase"]}))
    require(events_only, "events", "customers")  # derived customers count
    with pytest.raises(ReportSkipped, match="needs feedback text: the study has none"):
        require(events_only, "feedback text")
    feedback = jkit.load(feedback=pd.DataFrame({"text": ["slow"]}))
    require(feedback, "feedback text")
    with pytest.raises(ReportSkipped, match="needs the stage of each feedback text"):
        require(feedback, "feedback stages")
    with pytest.raises(KeyError, match="unknown need"):
        require(feedback, "feedbak")


def test_caveats_keep_jkit_warnings_once_and_in_order():
    before = warnings.showwarning
    try:
        caveats = collect_caveats()
        for text in ("rows set aside", "texts left unscored", "rows set aside"):
            warnings.warn(text, JkitWarning, stacklevel=1)
        assert caveats.messages == ["rows set aside", "texts left unscored"]
        page = caveats_html(caveats)
        assert "id='caveats'" in page and page.index("rows set aside") < page.index("texts left unscored")
        assert "None: nothing" in caveats_html(type(caveats)())
        assert "&lt;b&gt;" in caveats_html(type(caveats)(messages=["<b>"]))
    finally:
        warnings.showwarning = before
