"""The KPI functions against values computed by hand on tiny tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jkit.errors import ParameterError
from jkit.kpis import (
    average_order_value,
    ces,
    churn_rate,
    clv,
    clv_formula,
    conversion_rate,
    csat,
    historical_revenue_per_customer,
    nps,
    repeat_purchase_rate,
)

T0 = pd.Timestamp("2025-01-01", tz="UTC")
D = pd.Timedelta("1D")
Z = 1.959963984540054


def events(*rows) -> pd.DataFrame:
    """rows: (customer, day, event, touchpoint, revenue)."""
    return pd.DataFrame(
        [(c, T0 + d * D, e, tp, rev) for c, d, e, tp, rev in rows],
        columns=["customer_id", "timestamp", "event", "touchpoint", "revenue"],
    )


EV = events(
    ("a", 0, "product_view", "web", np.nan),
    ("a", 1, "purchase", "web", 100.0),
    ("a", 40, "repeat_purchase", "app", 50.0),
    ("b", 0, "product_view", "app", np.nan),
    ("b", 2, "purchase", "web", 30.0),
    ("c", 10, "ad_click", "web", np.nan),
    ("d", 95, "search", "app", np.nan),
    ("d", 100, "product_view", "app", np.nan),
)


def wilson(k, n):
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def test_conversion_rate_overall_and_by_touchpoint():
    out = conversion_rate(EV)
    assert out[["customers", "converted"]].iloc[0].tolist() == [4, 2]
    assert out["conversion_rate"].iloc[0] == pytest.approx(0.5)
    low, high = wilson(2, 4)
    assert out["conversion_rate_low"].iloc[0] == pytest.approx(low)
    assert out["conversion_rate_high"].iloc[0] == pytest.approx(high)
    by = conversion_rate(EV, by="touchpoint").set_index("touchpoint")
    # web: a, b, c had web events; a and b bought on the web. app: a, b, d; only a bought in the app.
    assert by.loc["web", ["customers", "converted"]].tolist() == [3, 2]
    assert by.loc["app", ["customers", "converted"]].tolist() == [3, 1]


def test_conversion_rate_by_month_and_purchase_event_names():
    by_month = conversion_rate(EV, period="M")
    assert by_month["period"].tolist() == [T0, pd.Timestamp("2025-02-01", tz="UTC"), pd.Timestamp("2025-04-01", tz="UTC")]
    assert by_month["customers"].tolist() == [3, 1, 1]  # Jan: a, b, c; Feb: a; Apr: d (day 95, 100)
    assert by_month["converted"].tolist() == [2, 1, 0]
    only_first = conversion_rate(EV, purchase_events=["repeat_purchase"])
    assert only_first["converted"].tolist() == [1]


def test_churn_counts_customers_silent_for_n_days():
    out = churn_rate(EV, days=30)  # as of day 100: churned if last event before day 70
    assert out[["customers", "churned"]].iloc[0].tolist() == [4, 3]  # a (40), b (2), c (10); d active
    assert out["as_of"].iloc[0] == T0 + 100 * D
    later = churn_rate(EV, days=30, as_of=T0 + 20 * D)  # only events up to day 20: a(1), b(2), c(10)
    assert later[["customers", "churned"]].iloc[0].tolist() == [3, 0]
    by = churn_rate(EV, days=30, by="touchpoint").set_index("touchpoint")  # group of the last event
    assert by.loc["app", ["customers", "churned"]].tolist() == [2, 1]  # a (app, day 40), d
    assert by.loc["web", ["customers", "churned"]].tolist() == [2, 2]  # b, c
    with pytest.raises(ParameterError, match="days=0 should be a positive number"):
        churn_rate(EV, days=0)


def test_repeat_purchase_rate():
    out = repeat_purchase_rate(EV)
    assert out[["buyers", "repeat_buyers"]].iloc[0].tolist() == [2, 1]
    assert out["repeat_purchase_rate"].iloc[0] == pytest.approx(0.5)


def test_average_order_value_with_t_interval():
    out = average_order_value(EV)
    values = np.array([100.0, 50.0, 30.0])
    half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / math.sqrt(3)
    assert out["orders"].tolist() == [3]
    assert out["revenue"].iloc[0] == pytest.approx(180.0)
    assert out["average_order_value"].iloc[0] == pytest.approx(60.0)
    assert out["average_order_value_low"].iloc[0] == pytest.approx(60.0 - half)
    assert out["average_order_value_high"].iloc[0] == pytest.approx(60.0 + half)
    by = average_order_value(EV, by="touchpoint").set_index("touchpoint")
    assert by.loc["web", "average_order_value"] == pytest.approx(65.0)
    assert np.isnan(by.loc["app", "average_order_value_low"])  # one order: no interval


FB = pd.DataFrame({
    "customer_id": ["a", "b", "c", "d", "e", None, "f"],
    "timestamp": [T0] * 7,
    "stage": ["purchase", "purchase", "purchase", "retention", "retention", "retention", "purchase"],
    "nps": pd.array([10, 9, 7, 3, 6, pd.NA, 0], dtype="Int64"),
    "csat": pd.array([5, 4, 3, 1, 2, pd.NA, 4], dtype="Int64"),
    "ces": pd.array([1, 2, 3, 7, 6, pd.NA, 2], dtype="Int64"),
})


def test_nps_from_promoters_and_detractors():
    out = nps(FB)
    # 6 answers: promoters 10, 9 (2); passives 7 (1); detractors 3, 6, 0 (3) -> (2 - 3) / 6 = -16.7
    assert out[["responses", "promoters", "passives", "detractors"]].iloc[0].tolist() == [6, 2, 1, 3]
    assert out["nps"].iloc[0] == pytest.approx(-100 / 6)
    p, d = 2 / 6, 3 / 6
    half = Z * math.sqrt((p + d - (p - d) ** 2) / 6) * 100
    assert out["nps_low"].iloc[0] == pytest.approx(-100 / 6 - half)
    assert out["nps_high"].iloc[0] == pytest.approx(-100 / 6 + half)
    by = nps(FB, by="stage").set_index("stage")
    assert by.loc["purchase", "nps"] == pytest.approx(25.0)  # 10, 9, 7, 0: (2 - 1) / 4
    assert by.loc["retention", "nps"] == pytest.approx(-100.0)
    assert by.loc["retention", "nps_low"] >= -100


def test_csat_and_ces():
    out = csat(FB)
    assert out[["responses", "satisfied"]].iloc[0].tolist() == [6, 3]  # 5, 4, 4
    low, high = wilson(3, 6)
    assert out["csat_low"].iloc[0] == pytest.approx(low)
    assert out["csat_high"].iloc[0] == pytest.approx(high)
    effort = ces(FB)
    values = np.array([1, 2, 3, 7, 6, 2.0])
    assert effort["ces"].iloc[0] == pytest.approx(values.mean())
    half = stats.t.ppf(0.975, 5) * values.std(ddof=1) / math.sqrt(6)
    assert effort["ces_high"].iloc[0] == pytest.approx(values.mean() + half)


def test_scores_out_of_range_are_refused():
    bad = FB.assign(csat=pd.array([6, 4, 3, 1, 2, pd.NA, 4], dtype="Int64"))
    with pytest.raises(ParameterError, match="column 'csat' row 1 holds 6; expected scores from 1 to 5"):
        csat(bad)


def test_clv_formula_and_measured_clv():
    assert clv_formula(120.0, 3, 50) == pytest.approx(310.0)
    assert clv_formula(np.array([100.0, 200.0]), 2).tolist() == [200.0, 400.0]
    with pytest.raises(ParameterError, match="at least 0"):
        clv_formula(100.0, -1)
    out = clv(EV, expected_lifespan_years=2, acquisition_cost=10)
    # data span: day 0 to day 100; revenue per customer a 150, b 30, c 0, d 0 -> scaled by 365.25/100
    scale = 365.25 / 100
    per = np.array([150.0, 30.0, 0.0, 0.0]) * scale
    assert out["customers"].tolist() == [4]
    assert out["annual_revenue_per_customer"].iloc[0] == pytest.approx(per.mean())
    assert out["clv"].iloc[0] == pytest.approx(per.mean() * 2 - 10)
    half = stats.t.ppf(0.975, 3) * per.std(ddof=1) / 2
    assert out["clv_low"].iloc[0] == pytest.approx((per.mean() - half) * 2 - 10)


def test_measured_clv_needs_a_minimum_span():
    from jkit.errors import JkitWarning

    short = EV[EV["timestamp"] <= T0 + 40 * D]       # days 0 to 40 of a, b and c
    with pytest.warns(JkitWarning, match="data spans 40 days, less than min_span=90 days"):
        out = clv(short)
    assert out["customers"].tolist() == [3]
    assert out[["annual_revenue_per_customer", "clv", "clv_low", "clv_high"]].isna().all(axis=None)
    assert clv(short, min_span="40D")["clv"].iloc[0] == pytest.approx((150 + 30) / 3 * 365.25 / 40 * 3)
    with pytest.raises(ParameterError, match="min_span=-1"):
        clv(EV, min_span=-1)


def test_historical_revenue_per_customer_over_a_horizon():
    out = historical_revenue_per_customer(EV, horizon="30D")
    # last event day 100: customers first seen by day 70 are complete: a (0), b (0), c (10); d (95) too recent.
    # a: revenue within 30 days of day 0 = 100 (the day-40 repeat is outside); b 30; c 0.
    assert out[["customers", "too_recent"]].iloc[0].tolist() == [3, 1]
    assert out["revenue_per_customer"].iloc[0] == pytest.approx(130 / 3)
    with pytest.raises(ParameterError, match="positive duration"):
        historical_revenue_per_customer(EV, horizon="0D")


def test_unknown_columns_and_periods():
    with pytest.raises(ParameterError, match="events: no column 'persona'"):
        conversion_rate(EV, by="persona")
    with pytest.raises(ParameterError, match="period='fortnight' should be one of"):
        conversion_rate(EV, period="fortnight")
