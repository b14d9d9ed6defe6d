"""lifecycle() against counts computed by hand, and new + returning + resurrecting = active on random logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.kpis import lifecycle
from tests.kpis.retention_log import CUSTOMERS, LOG, MONTHS

COLUMNS = ["period", "new", "returning", "resurrecting", "dormant", "active", "complete"]


def rows(table: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in table[["new", "returning", "resurrecting", "dormant", "active"]].itertuples(index=False)]


def test_hand_computed_any_event():
    # active: a Jan Mar Apr, b Feb Apr, c Jan Feb, d Feb Apr May, e May
    table = lifecycle(LOG)
    assert list(table.columns) == COLUMNS
    assert table["period"].tolist() == [MONTHS[m] for m in ("Jan", "Feb", "Mar", "Apr", "May")]
    assert rows(table) == [
        (2, 0, 0, 0, 2),    # Jan: a, c new
        (2, 1, 0, -1, 3),   # Feb: b, d new; c returning; a dormant
        (0, 0, 1, -3, 1),   # Mar: a resurrecting; b, c, d dormant
        (0, 1, 2, 0, 3),    # Apr: a returning; b, d resurrecting
        (1, 1, 0, -2, 2),   # May: e new; d returning; a, b dormant
    ]
    assert table["complete"].all()


def test_hand_computed_one_event():
    # buys: a Jan Mar, b Feb Apr, d Feb May
    assert rows(lifecycle(LOG, event="buy")) == [
        (1, 0, 0, 0, 1), (2, 0, 0, -1, 2), (0, 0, 1, -2, 1), (0, 0, 1, -1, 1), (0, 0, 1, -1, 1)]


def test_by_a_customer_attribute_and_the_partial_last_period():
    log = pd.concat([LOG, pd.DataFrame({"customer_id": ["a"], "timestamp": [pd.Timestamp("2024-06-03", tz="UTC")],
                                        "event": ["visit"], "channel": ["ads"]})], ignore_index=True)
    table = lifecycle(log, by="plan", customers=CUSTOMERS)
    pro = table[table["plan"] == "pro"]          # a Jan Mar Apr Jun, d Feb Apr May
    assert rows(pro) == [(1, 0, 0, 0, 1), (1, 0, 0, -1, 1), (0, 0, 1, -1, 1), (0, 1, 1, 0, 2), (0, 1, 0, -1, 1),
                         (0, 0, 1, -1, 1)]
    free = table[table["plan"] == "free"]        # b Feb Apr, c Jan Feb, e May
    assert rows(free) == [(1, 0, 0, 0, 1), (1, 1, 0, 0, 2), (0, 0, 0, -2, 0), (0, 0, 1, 0, 1), (1, 0, 0, -1, 1),
                          (0, 0, 0, -1, 0)]
    assert table.groupby("plan")["complete"].apply(list).to_dict() == {p: [True] * 5 + [False] for p in ("free", "pro")}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("code", ["D", "W", "M", "Q"])
def test_statuses_add_up_on_random_logs(seed, code):
    rng = np.random.default_rng(seed)
    n = 500
    log = pd.DataFrame({
        "customer_id": rng.integers(0, 60, n),
        "event": rng.choice(["open", "buy"], n),
        "timestamp": pd.Timestamp("2023-11-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h"),
    })
    table = lifecycle(log, period=code)
    p = pd.PeriodIndex(log["timestamp"].dt.tz_localize(None), freq=code).asi8
    active = pd.Series(log["customer_id"].to_numpy()).groupby(p).nunique()
    starts = pd.PeriodIndex(table["period"].dt.tz_localize(None), freq=code).asi8
    expected = active.reindex(range(p.min(), p.max() + 1), fill_value=0)
    assert table["active"].tolist() == expected.tolist()
    assert (table["new"] + table["returning"] + table["resurrecting"] == table["active"]).all()
    assert (table["dormant"] <= 0).all()
    # each customer is new once; dormant next period = active now - returning next period
    assert table["new"].sum() == log["customer_id"].nunique()
    assert (-table["dormant"].iloc[1:].to_numpy() == table["active"].iloc[:-1].to_numpy()
            - table["returning"].iloc[1:].to_numpy()).all()
    assert list(starts) == list(range(p.min(), p.max() + 1))


def test_bad_input():
    with pytest.raises(ParameterError, match="event='purchase' is not an event of this log"):
        lifecycle(LOG, event="purchase")
    with pytest.raises(ParameterError, match="period='hour'"):
        lifecycle(LOG, period="hour")
    with pytest.raises(ParameterError, match="events is empty"):
        lifecycle(LOG.iloc[0:0])
