"""retention() against matrices computed by hand on a small log, and a brute-force count on random logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jkit
from jkit.errors import MissingColumnError, ParameterError
from jkit.kpis import retention
from jkit.stats import wilson_interval
from tests.kpis.retention_log import CUSTOMERS, LOG, MONTHS


def matrix(table: pd.DataFrame, *group) -> dict[str, list[int]]:
    """{cohort month: [active in period 0, 1, …]} of one group (the ``by`` values in ``group``)."""
    by = [c for c in table.columns if c not in {"cohort", "period", "customers", "active", "retention", "ci_low",
                                                  "ci_high", "complete"}]
    if group:
        table = table[(table[by] == list(group)).all(axis=1)]
    names = {v: k for k, v in MONTHS.items()}
    out: dict[str, list[int]] = {}
    for cohort, part in table.groupby("cohort", sort=True):
        assert part["period"].tolist() == list(range(len(part)))
        assert (part["customers"] == part["active"].iloc[0]).all()
        out[names[cohort]] = part["active"].tolist()
    return out


# kind, criterion -> {cohort: active per period}; start "signup", return "buy"
EXPECTED = {
    ("first_time", "on"): {"Jan": [2, 0, 1, 0, 0], "Feb": [1, 0, 1, 0], "Apr": [1, 1], "May": [1]},
    ("first_time", "on_or_after"): {"Jan": [2, 1, 1, 0, 0], "Feb": [1, 1, 1, 0], "Apr": [1, 1], "May": [1]},
    ("recurring", "on"): {"Jan": [2, 0, 1, 0, 0], "Feb": [1, 0, 1, 0], "Mar": [1, 0, 0], "Apr": [1, 1], "May": [1]},
    ("recurring", "on_or_after"): {"Jan": [2, 1, 1, 0, 0], "Feb": [1, 1, 1, 0], "Mar": [1, 0, 0], "Apr": [1, 1],
                                   "May": [1]},
}


@pytest.mark.parametrize(("kind", "criterion"), list(EXPECTED))
def test_hand_computed_matrix_for_each_kind_and_criterion(kind, criterion):
    table = retention(LOG, start_event="signup", return_event="buy", kind=kind, criterion=criterion)
    assert matrix(table) == EXPECTED[kind, criterion]
    assert table["complete"].all()
    assert list(table.columns) == ["cohort", "period", "customers", "active", "retention", "ci_low", "ci_high",
                                   "complete"]


def test_any_event_starts_and_returns_by_default():
    # first events: a, c in Jan; b, d in Feb; e in May
    table = retention(LOG)
    assert matrix(table) == {"Jan": [2, 1, 1, 1, 0], "Feb": [2, 0, 2, 1], "May": [1]}


def test_retention_and_wilson_interval():
    table = retention(LOG, start_event="signup", return_event="buy", criterion="on_or_after")
    jan = table[table["cohort"] == MONTHS["Jan"]]
    assert jan["retention"].tolist() == [1.0, 0.5, 0.5, 0.0, 0.0]
    low, high = wilson_interval(1, 2)
    assert jan["ci_low"].iloc[1] == pytest.approx(float(low))
    assert jan["ci_high"].iloc[1] == pytest.approx(float(high))
    assert jan["ci_low"].iloc[1] == pytest.approx(0.0945, abs=1e-4)   # Wilson 1/2 at 95%
    assert jan["ci_high"].iloc[3] == pytest.approx(0.6576, abs=1e-4)  # Wilson 0/2


def test_by_a_customer_attribute():
    table = retention(LOG, start_event="signup", return_event="buy", by="plan", customers=CUSTOMERS)
    assert list(table.columns[:2]) == ["plan", "cohort"]
    assert matrix(table, "free") == {"Jan": [1, 0, 0, 0, 0], "Feb": [1, 0, 1, 0], "May": [1]}
    assert matrix(table, "pro") == {"Jan": [1, 0, 1, 0, 0], "Apr": [1, 1]}


def test_by_an_events_column_is_read_on_the_cohort_start_event():
    # a signs up in Jan on ads and in Mar on email: its recurring Mar cohort is email's
    table = retention(LOG, start_event="signup", return_event="buy", kind="recurring", by="channel")
    assert matrix(table, "email") == {"Jan": [1, 0, 0, 0, 0], "Mar": [1, 0, 0]}
    assert matrix(table, "ads") == {"Jan": [1, 0, 1, 0, 0], "Feb": [1, 0, 1, 0], "Apr": [1, 1], "May": [1]}


def test_journey_data_gives_its_customers(small_sample_dir):
    data = jkit.load(small_sample_dir)
    attribute = next(c for c in ("region", "segment", "channel", "acquisition_channel") if c in data.customers.columns)
    table = retention(data, period="M", by=attribute)
    direct = retention(data.events, period="M", by=attribute, customers=data.customers)
    pd.testing.assert_frame_equal(table, direct)
    sizes = table[table["period"] == 0].groupby(attribute, dropna=False)["customers"].sum()
    # first-time cohorts: every customer with an event once, in the group of their attribute
    active = data.events.dropna(subset=["customer_id"])
    seen = data.customers[data.customers["customer_id"].isin(active["customer_id"])]
    last_complete = retention(data, incomplete="mark")
    dropped = last_complete[(last_complete["period"] == 0) & ~last_complete["complete"]]["customers"].sum()
    assert sizes.sum() + dropped == len(seen)


def test_incomplete_periods_are_dropped_or_marked():
    log = pd.concat([LOG, pd.DataFrame({"customer_id": ["f"], "timestamp": [pd.Timestamp("2024-06-10", tz="UTC")],
                                        "event": ["visit"], "channel": ["ads"]})], ignore_index=True)
    dropped = retention(log, start_event="signup", return_event="buy")
    assert matrix(dropped) == EXPECTED["first_time", "on"]   # June is not over: none of its cells
    marked = retention(log, start_event="signup", return_event="buy", incomplete="mark")
    june = marked[~marked["complete"]]
    assert (june["cohort"].dt.month + june["period"] == 6).all()
    assert sorted(june["period"].tolist()) == [1, 2, 4, 5]   # May, Apr, Feb, Jan cohorts reach June
    assert (june["active"] == 0).all()
    assert matrix(marked[marked["complete"]]) == EXPECTED["first_time", "on"]


def test_max_periods_and_as_of():
    table = retention(LOG, start_event="signup", return_event="buy", max_periods=1)
    assert matrix(table) == {"Jan": [2, 0], "Feb": [1, 0], "Apr": [1, 1], "May": [1]}
    early = retention(LOG, start_event="signup", return_event="buy", as_of="2024-03-31")
    assert matrix(early) == {"Jan": [2, 0, 1], "Feb": [1, 0]}


def test_weeks_start_on_monday():
    log = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["x", "x", "x"],
                        "timestamp": pd.to_datetime(["2024-01-07", "2024-01-08", "2024-01-14"], utc=True)})
    table = retention(log, period="W")
    # Sun 7 Jan is in the week of Mon 1 Jan; Mon 8 and Sun 14 in the next
    assert table["cohort"].drop_duplicates().tolist() == [pd.Timestamp("2024-01-01", tz="UTC"),
                                                           pd.Timestamp("2024-01-08", tz="UTC")]
    assert table["active"].tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- brute force


def brute_force(log: pd.DataFrame, kind: str, criterion: str, start: str, back: str, code: str) -> dict:
    """{(cohort ordinal, k): (customers, active)} by looping over customers and periods."""
    p = pd.PeriodIndex(log["timestamp"].dt.tz_localize(None), freq=code).asi8
    last = int(p.max())
    out: dict[tuple[int, int], list[int]] = {}
    for customer in log["customer_id"].unique():
        mine = log["customer_id"].to_numpy() == customer
        starts = sorted(set(p[mine & (log["event"].to_numpy() == start)].tolist()))
        returns = set(p[mine & (log["event"].to_numpy() == back)].tolist())
        for c in (starts[:1] if kind == "first_time" else starts):
            for k in range(last - c + 1):
                if k == 0:
                    hit = True
                elif criterion == "on":
                    hit = (c + k) in returns
                else:
                    hit = any(r >= c + k for r in returns)
                cell = out.setdefault((c, k), [0, 0])
                cell[0] += 1
                cell[1] += int(hit)
    return {key: tuple(v) for key, v in out.items()}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("code", ["D", "W", "M"])
def test_matches_brute_force_on_random_logs(seed, code):
    rng = np.random.default_rng(seed)
    n = 400
    log = pd.DataFrame({
        "customer_id": rng.integers(0, 40, n).astype(str),
        "event": rng.choice(["open", "buy", "view"], n, p=[0.3, 0.3, 0.4]),
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 120 * 24, n), unit="h"),
    })
    for kind in ("first_time", "recurring"):
        for criterion in ("on", "on_or_after"):
            table = retention(log, period=code, start_event="open", return_event="buy", kind=kind,
                              criterion=criterion, incomplete="mark")
            cohort = pd.PeriodIndex(table["cohort"].dt.tz_localize(None), freq=code).asi8
            got = {(int(c), int(k)): (int(s), int(a)) for c, k, s, a in
                   zip(cohort, table["period"], table["customers"], table["active"], strict=True)}
            assert got == brute_force(log, kind, criterion, "open", "buy", code), (kind, criterion)


# --------------------------------------------------------------------------- bad input


def test_unknown_start_event_is_named():
    with pytest.raises(ParameterError, match=r"start_event='sign_up' is not an event of this log; its events "
                                             r"include 'buy', 'signup', 'visit'"):
        retention(LOG, start_event="sign_up")
    with pytest.raises(ParameterError, match="return_event='purchase'"):
        retention(LOG, return_event=["buy", "purchase"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"period": "fortnight"}, "period='fortnight' should be one of 'D', 'W', 'M', 'Q'"),
    ({"kind": "first"}, "kind='first' should be one of 'first_time', 'recurring'"),
    ({"criterion": "after"}, "criterion='after' should be one of 'on', 'on_or_after'"),
    ({"incomplete": "keep"}, "incomplete='keep'"),
    ({"max_periods": -1}, "max_periods=-1"),
    ({"by": "country"}, "by='country' is not a column of the events or customers"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        retention(LOG, **kwargs)


def test_empty_log_missing_columns_and_bad_times():
    with pytest.raises(ParameterError, match="events is empty"):
        retention(LOG.iloc[0:0])
    with pytest.raises(MissingColumnError, match="events: no column 'timestamp'"):
        retention(LOG.drop(columns="timestamp"))
    bad = LOG.astype({"timestamp": object})
    bad.loc[3, "timestamp"] = "next tuesday"
    with pytest.raises(ParameterError, match="column 'timestamp' row 3 holds 'next tuesday'"):
        retention(bad)
    with pytest.raises(ParameterError, match="JourneyData .* or an events DataFrame, not list"):
        retention([1, 2])
    twice = pd.concat([CUSTOMERS, CUSTOMERS.iloc[:1]], ignore_index=True)
    with pytest.raises(ParameterError, match="customer_id 'a' appears twice"):
        retention(LOG, by="plan", customers=twice)


def test_events_without_a_customer_are_counted_not_silently_dropped():
    log = pd.concat([LOG, LOG.iloc[:2].assign(customer_id=None)], ignore_index=True)
    with pytest.warns(jkit.errors.JkitWarning, match="2 of 16 events have no customer_id"):
        table = retention(log, start_event="signup", return_event="buy")
    assert matrix(table) == EXPECTED["first_time", "on"]
