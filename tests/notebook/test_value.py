"""The glue of the "Retention and value" report (jkit.notebook.value), on hand-computed cases and a planted population."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from jkit.clv import simulate_transactions
from jkit.kpis import retention
from jkit.notebook import (
    SEE_HOLDOUT,
    ValueFit,
    check_holds,
    clv_headline,
    events_in_log,
    fit_value,
    holdout_miss,
    period_one_retention,
    purchase_summary,
    value_by_persona,
)


def _events(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def test_events_in_log_keeps_the_defaults_the_log_holds_in_order():
    ev = _events([("a", "2024-01-01", "purchase"), ("b", "2024-01-02", "page_view")])
    assert events_in_log(ev, ["repeat_purchase", "purchase", "purchase"]) == ["purchase"]
    assert events_in_log(ev, ["page_view", "purchase"]) == ["page_view", "purchase"]
    assert events_in_log(ev, ["subscribed"]) == []
    assert events_in_log(ev.drop(columns="event"), ["purchase"]) == []


def test_purchase_summary_counts_purchase_days_not_orders():
    ev = _events([
        ("a", "2024-01-01 09:00", "purchase"), ("a", "2024-01-01 17:00", "purchase"),       # one day: not a repeat
        ("b", "2024-01-01 09:00", "purchase"), ("b", "2024-02-01 09:00", "purchase"),       # two days
        ("c", "2024-01-03 09:00", "page_view"), ("c", "2024-01-04 09:00", "page_view"),     # never bought
        ("d", "2024-01-05 09:00", "purchase"), ("d", "2024-01-09 09:00", "repeat_purchase"),
        ("e", "2024-01-01 23:30", "purchase"), ("e", "2024-01-02 00:30", "purchase"),       # two UTC days
        (None, "2024-01-06 09:00", "purchase"),                                             # no customer
    ])
    out = purchase_summary(ev, ["purchase", "repeat_purchase"])
    assert out == {"customers": 4, "repeat_buyers": 3, "repeat_share": 0.75}
    only_first = purchase_summary(ev, ["purchase"])  # d's repeat_purchase is not a purchase then
    assert only_first["customers"] == 4 and only_first["repeat_buyers"] == 2
    none = purchase_summary(ev, ["subscribed"])
    assert none["customers"] == 0 and np.isnan(none["repeat_share"])


def test_period_one_retention_is_the_latest_cohort_observed_a_full_period_on():
    # January {a, b}: a comes back in February (1 of 2). February {c}: back in March, but the log
    # ends on 15 March, so March is not observed to its end: that cell is dropped.
    ev = _events([("a", "2024-01-05", "buy"), ("a", "2024-02-10", "buy"), ("b", "2024-01-20", "buy"),
                  ("c", "2024-02-03", "buy"), ("c", "2024-03-04", "buy"), ("d", "2024-03-15", "buy")])
    table = retention(ev, period="M", start_event="buy", return_event="buy")
    row = period_one_retention(table)
    assert row["cohort"] == pd.Timestamp("2024-01-01", tz="UTC")
    assert (row["customers"], row["active"], row["retention"]) == (2, 1, 0.5)
    marked = retention(ev, period="M", start_event="buy", return_event="buy", incomplete="mark")
    assert period_one_retention(marked)["cohort"] == pd.Timestamp("2024-01-01", tz="UTC")  # the partial one skipped
    assert period_one_retention(table[table["period"] == 0]) is None


def test_period_one_retention_prefers_the_latest_cohort_of_some_size():
    cells = pd.DataFrame({"cohort": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
                          "period": 1, "customers": [30, 12, 1, 40], "active": [6, 3, 0, 10],
                          "complete": [True, True, True, False]})
    cells["retention"] = cells["active"] / cells["customers"]
    assert period_one_retention(cells)["cohort"] == pd.Timestamp("2024-02-01")  # March has 1, April is partial
    assert period_one_retention(cells, min_customers=1)["cohort"] == pd.Timestamp("2024-03-01")
    assert period_one_retention(cells, min_customers=50)["cohort"] == pd.Timestamp("2024-03-01")  # none that large


def test_holdout_miss_finds_the_sentence_of_the_check():
    miss = ("the BG/NBD model missed the holdout purchases by +103% (predicted 1,278, actual 630): treat its "
            "forecasts and CLV as indicative only")
    assert holdout_miss(["spend and purchase frequency are correlated (r = -0.48)", miss]) == miss
    assert holdout_miss(["the BG/NBD model does not beat the run-rate baseline per customer"]) is None
    assert holdout_miss([]) is None


def _by_persona(clv, low, high, customers=4):
    return pd.DataFrame({"persona": ["x", "total"], "customers": [customers, customers], "clv": [clv, clv],
                         "clv_low": [low, low], "clv_high": [high, high]})


def test_clv_headline_only_when_the_check_holds_and_never_nan():
    fitted = ValueFit(model=object(), caveats=[])
    assert clv_headline(fitted, _by_persona(100.0, 80.0, 120.0)) == "25.00 (90% interval 20.00 – 30.00)"
    missed = ValueFit(model=object(), caveats=["the BG/NBD model missed the holdout purchases by +50% (…)"])
    assert clv_headline(missed, _by_persona(100.0, 80.0, 120.0)) == SEE_HOLDOUT
    assert clv_headline(fitted, _by_persona(np.nan, 80.0, 120.0)) == "n/a (see Customer value)"
    assert clv_headline(fitted, _by_persona(100.0, 80.0, 120.0, customers=0)) == "n/a (see Customer value)"
    assert clv_headline(ValueFit(reason="too few"), None) == "n/a (see Customer value)"
    assert clv_headline(fitted, None) == "n/a (see Customer value)"


def test_a_check_nobody_bought_in_is_no_check():
    """37 calibration customers, none bought in the holdout, 4 predicted: the relative error is undefined."""
    nobody = ValueFit(model=object(), check=SimpleNamespace(total=pd.DataFrame({"relative_error": [np.nan, np.nan]})))
    assert not check_holds(nobody)
    assert clv_headline(nobody, _by_persona(100.0, 80.0, 120.0)) == SEE_HOLDOUT
    held = ValueFit(model=object(), check=SimpleNamespace(total=pd.DataFrame({"relative_error": [-0.12, 0.55]})))
    assert check_holds(held) and clv_headline(held, _by_persona(8.0, 4.0, 12.0)) == "2.00 (90% interval 1.00 – 3.00)"
    assert not check_holds(ValueFit(reason="too few"))


def _orders(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "revenue"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


def test_fit_value_gives_the_reason_instead_of_failing():
    once = _orders([(f"c{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 10.0) for i in range(60)])
    fit = fit_value(once)
    assert fit.model is None and "one day only" in fit.reason
    few = _orders([(f"c{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 10.0) for i in range(60)]
                  + [(f"c{i}", pd.Timestamp("2024-01-20") + pd.Timedelta(days=i), 12.0) for i in range(3)])
    fit = fit_value(few)
    assert fit.model is None and "min_repeat_buyers=10" in fit.reason and "only 3" in fit.reason
    short = _orders([("a", "2024-01-01", 5.0), ("a", "2024-01-05", 5.0), ("b", "2024-01-09", 5.0)])
    fit = fit_value(short)
    assert fit.model is None and "too short" in fit.reason
    assert value_by_persona(fit, 52, 0.1, None) == (None, fit.reason)


@pytest.fixture(scope="module")
def planted():
    """A BG/NBD × Gamma-Gamma population (CDNOW's parameters), 78 weeks: the model the check should accept."""
    return simulate_transactions(3000, weeks=78, seed=4)


def test_fit_value_on_a_planted_population_passes_its_check_and_headlines(planted):
    fit = fit_value(planted, holdout=1 / 3)
    assert fit.model is not None and fit.reason is None
    first, end = planted["timestamp"].min().floor("D"), planted["timestamp"].max().floor("D")
    assert fit.calibration_end == first + pd.Timedelta(days=round((end - first).days * 2 / 3))
    total = fit.check.total.set_index("method")
    assert abs(total.loc["BG/NBD", "relative_error"]) < 0.2  # the planted model predicts its own holdout
    assert total.loc["BG/NBD", "mae"] < total.loc["run rate", "mae"]
    assert holdout_miss(fit.caveats) is None
    table, why = value_by_persona(fit, 52, 0.1, None)
    assert why is None and list(table["persona"]) == ["all customers", "total"]
    per_customer = fit.model.predict_clv(52, 0.1)["clv"]
    assert table["clv"].iloc[-1] == pytest.approx(per_customer.sum())
    assert table["customers"].iloc[-1] == len(per_customer)
    row = table.iloc[-1]
    expected = (f"{row['clv'] / row['customers']:,.2f} (90% interval {row['clv_low'] / row['customers']:,.2f} – "
                f"{row['clv_high'] / row['customers']:,.2f})")
    assert clv_headline(fit, table) == expected
    assert row["clv_low"] < row["clv"] < row["clv_high"]


def test_value_by_persona_sums_to_the_customers_and_says_why_without_amounts(planted):
    fit = fit_value(planted)
    ids = fit.model.summary_.index.astype(str)
    labels = pd.DataFrame({"customer_id": ids, "persona": np.where(np.arange(len(ids)) % 3 == 0, "A", "B")})
    table, why = value_by_persona(fit, 26, 0.0, labels)
    groups = table.set_index("persona")
    assert groups.loc["A", "customers"] == (np.arange(len(ids)) % 3 == 0).sum()
    assert groups.loc["A", "clv"] + groups.loc["B", "clv"] == pytest.approx(groups.loc["total", "clv"])
    no_amounts = fit_value(planted.drop(columns="revenue"))
    table, why = value_by_persona(no_amounts, 26, 0.0, labels)
    assert table is None and why.startswith("no spend model: 0 customers have a positive mean repeat spend")
