"""Funnel engines: files, and a brute-force reference the pandas and DuckDB engines must both match."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jkit.errors import JkitWarning, ParameterError
from jkit.funnels import funnel, funnel_journeys, funnel_table
from tests.funnels.events import ENGINES, T0, log


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_default_to_duckdb_and_agree_with_pandas(tmp_path, fmt):
    rng = np.random.default_rng(3)
    ev = random_log(rng, 40, 400)
    if fmt == "parquet":
        half = len(ev) // 2
        ev.iloc[:half].to_parquet(tmp_path / "part-1.parquet")
        ev.iloc[half:].to_parquet(tmp_path / "part-2.parquet")
        source = str(tmp_path / "*.parquet")
    else:
        out = ev.assign(timestamp=ev["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        out.to_csv(tmp_path / "events.csv", index=False)
        source = tmp_path / "events.csv"
    steps = ["a", "b", {"c", "d"}]
    from_file = funnel_journeys(source, steps, window="5h", by="touchpoint")
    from_frame = funnel_journeys(ev, steps, window="5h", by="touchpoint", engine="pandas")
    pd.testing.assert_frame_equal(from_file, from_frame, check_dtype=False)
    pandas_file = funnel_journeys(source, steps, window="5h", by="touchpoint", engine="pandas")
    pd.testing.assert_frame_equal(pandas_file, from_frame, check_dtype=False)


def test_missing_file_and_unknown_file_type(tmp_path):
    from jkit.errors import MissingResourceError

    with pytest.raises(MissingResourceError, match="no such file"):
        funnel(tmp_path / "nope.parquet", ["a", "b"])
    (tmp_path / "events.json").write_text("{}")
    with pytest.raises(ParameterError, match="unknown file type"):
        funnel(tmp_path / "events.json", ["a", "b"])


def test_file_with_numeric_times_is_refused(tmp_path):
    pd.DataFrame({"customer_id": ["a"], "timestamp": [1], "event": ["a"]}).to_parquet(tmp_path / "e.parquet")
    with pytest.raises(ParameterError, match="is BIGINT, not a time"):
        funnel(tmp_path / "e.parquet", ["a", "b"])


@pytest.mark.parametrize("ids", ["text", "integer"])
def test_parquet_with_missing_values_and_integer_ids(tmp_path, ids):
    ev = log(("1", 0, "v"), ("1", 1, "c"), ("2", 0, "v"), ("3", 0, "v"), ("3", 2, "c"))
    ev["customer_id"] = ev["customer_id"].astype("string")
    ev.loc[2, "customer_id"] = None
    ev.loc[4, "timestamp"] = pd.NaT
    if ids == "integer":
        ev["customer_id"] = ev["customer_id"].astype("Int64")
    ev.to_parquet(tmp_path / "e.parquet", row_group_size=2)
    with pytest.warns(JkitWarning, match=r"e.parquet: set aside 2 events \(missing customer or time\)"):
        j = funnel_journeys(tmp_path / "e.parquet", ["v", "c"])
    assert j["customer_id"].astype(str).tolist() == ["1", "3"]
    assert j["reached"].tolist() == [2, 1]


def test_csv_file_with_mixed_time_zones_is_read_as_utc(tmp_path):
    ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "event": ["v", "c", "v", "c"],
                       "timestamp": ["2024-01-01T10:00:00+02:00", "2024-01-01T08:30:00Z",
                                     "2024-01-01 08:00:00", "2024-01-01T09:30:00+01:00"]})
    ev.to_csv(tmp_path / "e.csv", index=False)
    j = funnel_journeys(tmp_path / "e.csv", ["v", "c"], window="30min")  # DuckDB engine
    assert j["reached"].tolist() == [2, 2]
    assert j["time_1"].tolist() == [pd.Timestamp("2024-01-01 08:00", tz="UTC")] * 2
    assert (j["time_2"] - j["time_1"]).tolist() == [pd.Timedelta("30min")] * 2
    categorical = ev.assign(customer_id=ev["customer_id"].astype("category"), event=ev["event"].astype("category"))
    for engine in ENGINES:
        pd.testing.assert_frame_equal(funnel_journeys(categorical, ["v", "c"], window="30min", engine=engine), j)


def reference(ev: pd.DataFrame, steps, window: pd.Timedelta, order: str, exclusions=(), by: str | None = None):
    """Per customer (reached, excluded, times, group) straight from the definitions, by search."""
    n = len(steps)
    step_of = {e: k for k, s in enumerate(steps) for e in ([s] if isinstance(s, str) else s)}
    excl = set(exclusions)
    out = {}
    for cust, rows in ev.groupby("customer_id", sort=True):
        items = []
        for t, e, g in zip(rows["timestamp"], rows["event"], rows[by] if by else [""] * len(rows), strict=True):
            rank = step_of.get(e, n + 1 if e in excl else n)
            items.append((t.value, rank, g, e))
        items.sort(key=lambda x: (x[0], x[1], x[2]))
        w = window.value
        attempts = []  # (reach, sort key of the start, times, group)
        if order == "ordered":
            for t0, rank, g, _ in items:
                if rank != 0:
                    continue

                @cache
                def best(k, prev, t0=t0, items=tuple(items), w=w):
                    if k == n:
                        return n
                    nxt = [x[0] for x in items if x[1] == k and prev <= x[0] <= t0 + w]
                    return max([best(k + 1, tt) for tt in nxt], default=k)

                reach = best(1, t0)
                times = [t0]
                for k in range(1, reach):
                    times.append(min(x[0] for x in items if x[1] == k and times[-1] <= x[0] <= t0 + w))
                attempts.append((reach, (t0, rank, g), times, g))
        elif order == "strict":
            for i, (t0, rank, g, _) in enumerate(items):
                if rank != 0:
                    continue
                times = [t0]
                j = i
                for k in range(1, n):
                    j += 1
                    while j < len(items) and items[j][1] == k - 1:  # a repeat of the step just reached
                        j += 1
                    if j < len(items) and items[j][1] == k and items[j][0] <= t0 + w:
                        times.append(items[j][0])
                    else:
                        break
                attempts.append((len(times), (t0, rank, g), times, g))
        else:
            for t0, rank, g, _ in items:
                if rank >= n:
                    continue
                firsts = {}
                for t, r, _, _ in items:
                    if r < n and t0 <= t <= t0 + w and r not in firsts:
                        firsts[r] = t
                attempts.append((len(firsts), (t0, rank, g), sorted(firsts.values()), g))
        if not attempts:
            continue
        top = max(a[0] for a in attempts)
        reach, _, times, g = min((a for a in attempts if a[0] == top), key=lambda a: a[1])
        t_entry, t_last = times[0], times[-1]
        excluded = any(r == n + 1 and t_entry < t < t_last for t, r, _, _ in items)
        out[cust] = (reach, excluded, times, g)
    return out


def random_log(rng, n_customers, n_events, names=("a", "b", "c", "d", "x", "y"), fine=False) -> pd.DataFrame:
    cust = rng.integers(0, n_customers, n_events)
    hours = rng.integers(0, 24, n_events)
    times = T0 + pd.to_timedelta(hours, unit="h")
    if fine:
        times = times + pd.to_timedelta(rng.integers(0, 3, n_events), unit="ns")
    return pd.DataFrame({
        "customer_id": pd.array([f"c{i:03d}" for i in cust], dtype="string"),
        "timestamp": times,
        "event": pd.array(rng.choice(names, n_events), dtype="string"),
        "touchpoint": pd.array(rng.choice(["web", "app", "email"], n_events), dtype="string"),
    })


def assert_matches_reference(ev, steps, window, order, exclusions, by, engine):
    ref = reference(ev, steps, pd.Timedelta(window), order, exclusions, by)
    j = funnel_journeys(ev, steps, window=window, order=order, exclusions=exclusions, by=by, engine=engine)
    assert sorted(ref) == j["customer_id"].tolist()
    for row in j.itertuples(index=False):
        reach, excluded, times, g = ref[row.customer_id]
        assert row.reached == reach, (row.customer_id, order)
        assert row.excluded == excluded, (row.customer_id, order)
        got = [getattr(row, f"time_{k + 1}").value for k in range(row.reached)]
        assert got == times, (row.customer_id, order)
        if by:
            assert getattr(row, by) == g
    return j


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_customers=st.integers(1, 5),
    n_events=st.integers(1, 40),
    order=st.sampled_from(["ordered", "strict", "any"]),
    window=st.sampled_from(["1h", "2h", "3h", "6h", "1D"]),
    steps=st.sampled_from([["a", "b"], ["a", "b", "c"], ["a", {"b", "c"}, "d"], ["b", "a", "c", "d"]]),
    exclude=st.booleans(),
    by=st.sampled_from([None, "touchpoint"]),
    fine=st.booleans(),
)
def test_both_engines_match_the_brute_force_reference(seed, n_customers, n_events, order, window, steps, exclude,
                                                      by, fine):
    rng = np.random.default_rng(seed)
    ev = random_log(rng, n_customers, n_events, fine=fine)
    present = set(ev["event"])
    if any(not ({s} if isinstance(s, str) else set(s)) & present for s in steps):
        with pytest.raises(ParameterError, match="matches no event"):
            funnel_journeys(ev, steps, window=window, order=order)
        return
    exclusions = ["x"] if exclude and "x" in present else []
    results = [assert_matches_reference(ev, steps, window, order, exclusions, by, e) for e in ENGINES]
    pd.testing.assert_frame_equal(results[0], results[1])
    tables = [funnel_table(r, by=by) for r in results]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    if by:
        overall = funnel_table(results[0])
        assert tables[0].groupby("step")["customers"].sum().tolist() == overall["customers"].tolist()
        assert tables[0].groupby("step", sort=True)["excluded"].first().sum() >= 0


def test_engines_agree_on_a_larger_random_log():
    rng = np.random.default_rng(11)
    ev = random_log(rng, 300, 6000, names=tuple("abcdefghij"), fine=True)
    steps = ["a", "b", {"c", "d"}, "e"]
    for order in ("ordered", "strict", "any"):
        ref = reference(ev, steps, pd.Timedelta("4h"), order, ["j"], "touchpoint")
        tables = []
        for engine in ENGINES:
            j = funnel_journeys(ev, steps, window="4h", order=order, exclusions=["j"], by="touchpoint", engine=engine)
            assert dict(zip(j["customer_id"], j["reached"], strict=True)) == {c: r[0] for c, r in ref.items()}
            assert dict(zip(j["customer_id"], j["excluded"], strict=True)) == {c: r[1] for c, r in ref.items()}
            tables.append(funnel_table(j, by="touchpoint"))
        pd.testing.assert_frame_equal(tables[0], tables[1])
