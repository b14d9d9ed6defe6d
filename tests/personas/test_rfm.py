"""RFM segments: quintile scores, the rule table, customers without purchases, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jkit
from jkit.errors import DataValidationError, ParameterError
from jkit.personas.rfm import RFM_SEGMENT_RULES, SEGMENTS, _grid, rfm_segments, rules_markdown, score_quintiles


def study():
    rows = []
    # A: 5 purchases of 100, last on the 30th; B: 4 of 100, last on the 25th; C: 3 of 10, last on the 20th;
    # D: 2 of 150, last on the 10th; E: 1 of 10 on the 1st; F: never buys.
    for cid, n, amount, last in [("A", 5, 100, 30), ("B", 4, 100, 25), ("C", 3, 10, 20), ("D", 2, 150, 10),
                                 ("E", 1, 10, 1)]:
        for i in range(n):
            event = "purchase" if i == 0 else "repeat_purchase"
            rows.append((cid, f"2024-01-{last - i:02d}", event, "web", amount))
    rows.append(("F", "2024-01-31", "product_view", "web", None))
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event", "touchpoint", "revenue"])
    customers = pd.DataFrame({"customer_id": list("ABCDEF"), "signup_date": "2024-01-01"})
    return jkit.load(customers=customers, events=events)


def test_hand_computed_scores_and_segments():
    rfm = rfm_segments(study()).set_index("customer_id")
    # recency from the last event of the study (31 Jan): A 1, B 6, C 11, D 21, E 30 days
    assert list(rfm.loc[list("ABCDE"), "recency_days"]) == [1, 6, 11, 21, 30]
    assert list(rfm.loc[list("ABCDE"), "monetary"]) == [500, 400, 30, 300, 10]
    assert list(rfm.loc[list("ABCDE"), "r_score"]) == [5, 4, 3, 2, 1]
    assert list(rfm.loc[list("ABCDE"), "f_score"]) == [5, 4, 3, 2, 1]
    assert list(rfm.loc[list("ABCDE"), "m_score"]) == [5, 4, 2, 3, 1]
    # fm = (f + m) / 2 rounded half up: C (3+2)/2 = 2.5 -> 3, D (2+3)/2 -> 3
    assert list(rfm.loc[list("ABCDE"), "fm_score"]) == [5, 4, 3, 3, 1]
    assert list(rfm.loc[list("ABCDE"), "rfm"]) == ["555", "444", "332", "223", "111"]
    assert list(rfm.loc[list("ABCDEF"), "segment"]) == [
        "champions", "loyal", "need attention", "at risk", "lost", "no purchase"]
    assert rfm.loc["F", "frequency"] == 0 and pd.isna(rfm.loc["F", "r_score"])
    assert list(rfm["segment"].cat.categories) == SEGMENTS


def test_as_of_and_an_events_frame_alone():
    data = study()
    rfm = rfm_segments(data.events, as_of="2024-02-10").set_index("customer_id")
    assert rfm.loc["A", "recency_days"] == 11 and "F" not in rfm.index


def test_rule_table_covers_every_cell_once():
    grid = _grid()
    cells = [grid[r, fm] for r in range(1, 6) for fm in range(1, 6)]
    assert all(c is not None for c in cells)
    assert set(cells) == set(RFM_SEGMENT_RULES["segment"])
    for name in ("champions", "loyal", "potential loyalist", "at risk", "hibernating", "lost"):
        assert name in SEGMENTS
    assert grid[5, 5] == "champions" and grid[1, 1] == "lost" and grid[2, 1] == "hibernating"
    assert "| champions | 5 | 4–5 |" in rules_markdown()


def test_quintiles_by_hand():
    assert list(score_quintiles(pd.Series(range(10)))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(score_quintiles(pd.Series([7, 7, 7, 7]))) == [3, 3, 3, 3]
    assert score_quintiles(pd.Series([np.nan, 1.0])).isna().tolist() == [True, False]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_quintiles_are_monotone_and_ties_share_a_score(values):
    s = pd.Series(values, dtype="float64")
    scores = score_quintiles(s)
    assert scores.between(1, 5).all()
    order = np.argsort(values, kind="stable")
    assert pd.Series(scores.to_numpy()[order]).is_monotonic_increasing
    for v in set(values):
        assert scores[s == v].nunique() == 1
    if len(set(values)) == len(values) and len(values) % 5 == 0:
        assert (scores.value_counts() == len(values) // 5).all()


def test_bad_input():
    data = study()
    with pytest.raises(DataValidationError, match="events: no column 'event'"):
        rfm_segments(data.events.drop(columns="event"))
    with pytest.raises(DataValidationError, match="column 'timestamp' should hold date/times"):
        rfm_segments(data.events.assign(timestamp="2024-01-01"))
    with pytest.raises(ParameterError, match="as_of='yesterday-ish' should be a date/time"):
        rfm_segments(data, as_of="yesterday-ish")
    with pytest.raises(ParameterError, match="data should be a JourneyData or an events DataFrame"):
        rfm_segments([1, 2])
