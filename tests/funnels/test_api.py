"""Funnels: hand-checked rules, a brute-force reference against both engines, the planted truth."""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jkit.errors import JkitWarning, ParameterError
from jkit.funnels import (
    cohort_conversion,
    dropped_after,
    funnel,
    funnel_journeys,
    funnel_table,
    next_after_drop,
    stage_funnel,
    stage_journeys,
    time_to_convert,
)
from jkit.funnels.kernel import sort_events

T0 = pd.Timestamp("2024-03-01", tz="UTC")
H = pd.Timedelta("1h")
ENGINES = ["pandas", "duckdb"]


def log(*rows) -> pd.DataFrame:
    """rows: (customer, hours after T0, event[, touchpoint])."""
    data = [(r[0], T0 + r[1] * H, r[2], r[3] if len(r) > 3 else "web") for r in rows]
    return pd.DataFrame(data, columns=["customer_id", "timestamp", "event", "touchpoint"])


def reached(frame: pd.DataFrame, steps, engine: str, **kw) -> dict:
    j = funnel_journeys(frame, steps, engine=engine, **kw)
    return dict(zip(j["customer_id"], j["reached"], strict=True))


# --------------------------------------------------------------------------- hand-checked rules


@pytest.mark.parametrize("engine", ENGINES)
def test_ordered_basic_counts_and_table(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "p"), ("b", 0, "v"), ("b", 5, "c"), ("c", 0, "v"),
             ("d", 0, "c"), ("d", 1, "p"))  # d never enters
    table = funnel(ev, ["v", "c", "p"], window="7D", engine=engine)
    assert table["customers"].tolist() == [3, 2, 1]
    assert table["dropped"].tolist() == [0, 1, 1]
    assert table["conversion_from_start"].tolist() == pytest.approx([1, 2 / 3, 1 / 3])
    assert table["conversion_from_previous"].tolist() == pytest.approx([1, 2 / 3, 1 / 2])
    assert table["step_name"].tolist() == ["v", "c", "p"]
    # Wilson 95% for 2/3: centre (p + z²/2n)/(1 + z²/n)
    z, n, p = 1.959963984540054, 3, 2 / 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert table.loc[1, "conversion_from_start_low"] == pytest.approx(centre - half)
    assert table.loc[1, "conversion_from_start_high"] == pytest.approx(centre + half)
    # v->c gaps: a 1h, b 5h -> median 3h; c->p: a 1h
    assert table.loc[1, "median_time_from_previous"] == pd.Timedelta("3h")
    assert table.loc[1, "p90_time_from_previous"] == pd.Timedelta("4.6h")
    assert table.loc[2, "median_time_from_previous"] == pd.Timedelta("1h")
    assert pd.isna(table.loc[0, "median_time_from_previous"])


@pytest.mark.parametrize("engine", ENGINES)
def test_ties_in_time_are_allowed_in_any_row_order(engine):
    # c happens at the same instant as v, and p at the same instant as c; rows deliberately reversed
    ev = log(("a", 3, "p"), ("a", 3, "c"), ("a", 3, "v"))
    assert reached(ev, ["v", "c", "p"], engine) == {"a": 3}


@pytest.mark.parametrize("engine", ENGINES)
def test_step_event_before_entry_does_not_count(engine):
    ev = log(("a", 0, "c"), ("a", 1, "v"), ("a", 2, "p"))
    assert reached(ev, ["v", "c", "p"], engine) == {"a": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_step_events_count_once(engine):
    ev = log(("a", 0, "v"), ("a", 1, "v"), ("a", 2, "c"), ("a", 3, "c"), ("b", 0, "p"))
    table = funnel(ev, ["v", "c", "p"], engine=engine)
    assert table["customers"].tolist() == [1, 1, 0]


@pytest.mark.parametrize("engine", ENGINES)
def test_later_entry_that_goes_further_counts(engine):
    # first entry at 0 reaches c at 1 but p only at 200h (outside 7D); second entry at 190h reaches p
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 190, "v"), ("a", 195, "c"), ("a", 200, "p"))
    j = funnel_journeys(ev, ["v", "c", "p"], window="7D", engine=engine)
    assert j["reached"].tolist() == [3]
    assert j["time_1"].tolist() == [T0 + 190 * H]  # the attempt that counts
    assert j["time_2"].tolist() == [T0 + 195 * H]


@pytest.mark.parametrize("engine", ENGINES)
def test_earliest_entry_counts_when_entries_tie(engine):
    ev = log(("a", 0, "v", "email"), ("a", 1, "c"), ("a", 50, "v", "app"), ("a", 51, "c"))
    j = funnel_journeys(ev, ["v", "c"], window="7D", engine=engine, by="touchpoint")
    assert j["time_1"].tolist() == [T0] and j["touchpoint"].tolist() == ["email"]


@pytest.mark.parametrize("engine", ENGINES)
def test_window_boundary_is_inclusive(engine):
    ev = log(("in", 0, "v"), ("in", 24, "c"), ("out", 0, "v"))
    ev = pd.concat([ev, pd.DataFrame({"customer_id": ["out"], "timestamp": [T0 + pd.Timedelta("24h 1ns")],
                                      "event": ["c"], "touchpoint": ["web"]})], ignore_index=True)
    assert reached(ev, ["v", "c"], engine, window="1D") == {"in": 2, "out": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_window_counts_from_the_entry_not_the_previous_step(engine):
    ev = log(("a", 0, "v"), ("a", 20, "c"), ("a", 30, "p"))
    assert reached(ev, ["v", "c", "p"], engine, window="1D") == {"a": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_order_breaks_on_other_events(engine):
    ev = log(("a", 0, "v"), ("a", 1, "x"), ("a", 2, "c"),  # broken by x
             ("b", 0, "v"), ("b", 1, "c"), ("b", 2, "p"),  # consecutive
             ("c", 0, "v"), ("c", 1, "v"), ("c", 2, "c"),  # second v is a new entry: reaches c
             ("d", 0, "v"), ("d", 1, "c"), ("d", 2, "c"), ("d", 3, "p"))  # repeated c breaks
    got = reached(ev, ["v", "c", "p"], engine, order="strict")
    assert got == {"a": 1, "b": 3, "c": 2, "d": 2}
    assert reached(ev, ["v", "c", "p"], engine, order="ordered") == {"a": 2, "b": 3, "c": 2, "d": 3}


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_ties_put_step_events_before_other_events(engine):
    ev = log(("a", 0, "v"), ("a", 1, "x"), ("a", 1, "c"))  # c and x simultaneous: c first
    assert reached(ev, ["v", "c", "x"], engine, order="strict") == {"a": 3}
    assert reached(ev, ["v", "c"], engine, order="strict") == {"a": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_any_order(engine):
    ev = log(("a", 0, "p"), ("a", 1, "v"), ("a", 2, "c"),  # all three, any order
             ("b", 0, "c"), ("b", 100, "v"),  # two steps but 100h apart
             ("c", 0, "c"), ("c", 0, "c"))
    got = reached(ev, ["v", "c", "p"], engine, order="any", window="1D")
    assert got == {"a": 3, "b": 1, "c": 1}
    table = funnel(ev, ["v", "c", "p"], order="any", window="1D", engine=engine)
    assert table["step_name"].tolist() == ["1 of 3 steps", "2 of 3 steps", "3 of 3 steps"]


@pytest.mark.parametrize("engine", ENGINES)
def test_exclusions_remove_customers_and_are_counted(engine):
    ev = log(("a", 0, "v"), ("a", 1, "refund"), ("a", 2, "c"),  # excluded between steps
             ("b", 0, "v"), ("b", 1, "c"), ("b", 2, "refund"),  # after the last step reached: kept
             ("c", 0, "refund"), ("c", 0, "v"), ("c", 1, "c"),  # at the entry instant: not between
             ("d", 0, "v"), ("d", 1, "refund"))  # reached step 1 only: nothing between
    table = funnel(ev, ["v", "c"], exclusions=["refund"], engine=engine)
    assert table["customers"].tolist() == [3, 2]
    assert table["excluded"].tolist() == [1, 1]
    j = funnel_journeys(ev, ["v", "c"], exclusions=["refund"], engine=engine)
    assert j.loc[j["excluded"], "customer_id"].tolist() == ["a"]


@pytest.mark.parametrize("engine", ENGINES)
def test_breakdown_by_entering_event_adds_up(engine):
    ev = log(("a", 0, "v", "web"), ("a", 1, "c"), ("b", 0, "v", "app"), ("c", 0, "v", "web"), ("c", 3, "c"),
             ("d", 5, "v", "app"), ("d", 6, "c"), ("d", 7, "p"))
    overall = funnel(ev, ["v", "c", "p"], engine=engine)
    table = funnel(ev, ["v", "c", "p"], by="touchpoint", engine=engine)
    assert table["touchpoint"].unique().tolist() == ["app", "web"]
    assert table.groupby("step")["customers"].sum().tolist() == overall["customers"].tolist()
    web = table[table["touchpoint"] == "web"]["customers"].tolist()
    assert web == [2, 2, 0]


def test_step_sets_and_step_names():
    ev = log(("a", 0, "ad"), ("a", 1, "search"), ("b", 0, "ad"), ("b", 1, "view"), ("b", 2, "buy"))
    table = funnel(ev, ["ad", {"view", "search"}, "buy"])
    assert table["step_name"].tolist() == ["ad", "search or view", "buy"]
    assert table["customers"].tolist() == [2, 2, 1]
    named = funnel(ev, ["ad", {"view", "search"}, "buy"], step_names=["aware", "consider", "buy"])
    assert named["step_name"].tolist() == ["aware", "consider", "buy"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": ["v"]}, "at least two steps"),
        ({"steps": "v"}, "should be a list"),
        ({"steps": ["v", "nope"]}, r"step 2 \('nope'.*matches no event"),
        ({"window": "0D"}, r"window='0D' should be a positive duration"),
        ({"window": "-3h"}, "positive duration"),
        ({"window": 7}, "should be a duration"),
        ({"window": "soon"}, "should be a duration"),
        ({"order": "loose"}, "order='loose' is not known"),
        ({"engine": "spark2"}, "engine='spark2' is not known"),
        ({"time_col": "when"}, "no column time_col='when'"),
        ({"by": "persona"}, "no column by='persona'"),
        ({"steps": ["v", {"c", "v"}]}, "event 'v' is in step 1 and step 2"),
        ({"exclusions": ["v"]}, "also funnel steps"),
    ],
)
def test_bad_parameters_raise_clear_errors(kwargs, match):
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    args = {"steps": ["v", "c"], **kwargs}
    with pytest.raises(ParameterError, match=match):
        funnel(ev, **args)


def test_numeric_times_and_unreadable_times_are_refused():
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.raises(ParameterError, match="holds numbers"):
        funnel(ev.assign(timestamp=np.arange(2)), ["v", "c"])
    with pytest.raises(ParameterError, match=r"row 2: cannot read 'later'"):
        funnel(ev.assign(timestamp=["2024-01-01T00:00:00Z", "later"]), ["v", "c"])


@pytest.mark.parametrize("engine", ENGINES)
def test_mixed_time_zones_and_naive_times_are_utc(engine):
    ev = pd.DataFrame({"customer_id": ["a", "a"], "event": ["v", "c"],
                       "timestamp": ["2024-01-01T10:00:00+02:00", "2024-01-01T08:30:00Z"]})
    j = funnel_journeys(ev, ["v", "c"], window="1h", engine=engine)
    assert j["reached"].tolist() == [2]
    assert j["time_2"].iloc[0] - j["time_1"].iloc[0] == pd.Timedelta("30min")
    naive = ev.assign(timestamp=pd.to_datetime(["2024-01-01 08:00", "2024-01-01 08:30"]))
    j2 = funnel_journeys(naive, ["v", "c"], window="1h", engine=engine)
    assert j2["time_1"].iloc[0] == pd.Timestamp("2024-01-01 08:00", tz="UTC")


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_with_missing_customer_or_time_are_set_aside_with_a_warning(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("b", 0, "v"))
    ev.loc[2, "customer_id"] = None
    ev["customer_id"] = ev["customer_id"].astype("string")
    with pytest.warns(JkitWarning, match=r"set aside 1 events \(missing customer or time\)"):
        table = funnel(ev, ["v", "c"], engine=engine)
    assert table["customers"].tolist() == [1, 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_events_after_end_are_set_aside(engine):
    ev = log(("a", 0, "v"), ("a", 48, "c"))
    with pytest.warns(JkitWarning, match=r"set aside 1 events \(after end\)"):
        table = funnel(ev, ["v", "c"], end=T0 + 24 * H, engine=engine)
    assert table["customers"].tolist() == [1, 0]


def test_unmatched_exclusion_warns():
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.warns(JkitWarning, match="no event matches exclusions"):
        funnel(ev, ["v", "c"], exclusions=["refund"])


# --------------------------------------------------------------------------- files


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


# --------------------------------------------------------------------------- brute-force reference


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
                for k in range(1, n):
                    j = i + k
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


# --------------------------------------------------------------------------- the sort paths of the kernel


@pytest.mark.parametrize(("t_span", "cust_max"), [(2**20, 2**10), (2**45, 2**20), (2**61, 2**20)])
def test_kernel_sort_paths_agree_with_lexsort(t_span, cust_max):
    rng = np.random.default_rng(5)
    n = 20000
    cust = rng.integers(0, cust_max, n)
    t = rng.integers(0, t_span, n) + 1_700_000_000 * 10**9
    t[: n // 2] = t[n // 2 :]  # ties
    s = rng.integers(0, 6, n).astype(np.int8)
    g = rng.integers(0, 3, n)
    order = np.lexsort((g, s, t, cust))
    c2, t2, s2, g2, unit, t0 = sort_events(cust.copy(), t.copy(), s, g, 6, 3, overwrite=True)
    assert np.array_equal(c2, cust[order])
    assert np.array_equal(t2 * unit + t0, t[order])
    assert np.array_equal(s2, s[order])
    assert np.array_equal(g2, g[order])


# --------------------------------------------------------------------------- follow-ups


def follow_up_log() -> pd.DataFrame:
    return log(("a", 0, "v", "web"), ("a", 2, "c", "web"), ("a", 5, "p", "app"),
               ("b", 0, "v", "web"), ("b", 1, "c", "web"), ("b", 3, "help", "support"),
               ("c", 24 * 8, "v", "email"), ("c", 24 * 8 + 4, "c", "app"), ("c", 24 * 8 + 5, "search", "web"),
               ("d", 24 * 9, "v", "app"), ("d", 24 * 9, "c", "app"))


def test_time_to_convert_between_any_two_steps():
    j = funnel_journeys(follow_up_log(), ["v", "c", "p"], window="2D")
    ttc = time_to_convert(j, from_step="v", to_step="c")
    assert ttc.set_index("customer_id")["hours"].to_dict() == {"a": 2.0, "b": 1.0, "c": 4.0, "d": 0.0}
    full = time_to_convert(j)  # first to last
    assert full["customer_id"].tolist() == ["a"] and full["time_to_convert"].tolist() == [pd.Timedelta("5h")]
    with pytest.raises(ParameterError, match="should come after"):
        time_to_convert(j, from_step=3, to_step=2)
    with pytest.raises(ParameterError, match="step number 1..3 or a step name"):
        time_to_convert(j, to_step="nope")


def test_cohort_conversion_by_week():
    j = funnel_journeys(follow_up_log(), ["v", "c", "p"], window="2D")
    cohorts = cohort_conversion(j, period="W", to_step="c")
    # T0 is Friday 1 March 2024: a, b enter in the week of Monday 26 Feb; c (Sat 9 Mar) and d (Sun 10 Mar)
    # in the week of Monday 4 March. The data end on 10 March: only the first week had its whole 2-day window.
    assert cohorts["cohort"].tolist() == [pd.Timestamp("2024-02-26", tz="UTC"), pd.Timestamp("2024-03-04", tz="UTC")]
    assert cohorts["entered"].tolist() == [2, 2]
    assert cohorts["converted"].tolist() == [2, 2]
    assert cohorts["complete"].tolist() == [True, False]
    monthly = cohort_conversion(j, period="M")
    assert monthly["entered"].tolist() == [4] and monthly["converted"].tolist() == [1]
    with pytest.raises(ParameterError, match="period='Y' should be one of"):
        cohort_conversion(j, period="Y")


def test_dropped_after_and_what_they_did_next():
    ev = follow_up_log()
    j = funnel_journeys(ev, ["v", "c", "p"], window="2D", by="touchpoint")
    dropped = dropped_after(j, "c")
    assert dropped["customer_id"].tolist() == ["b", "c", "d"]
    assert dropped["last_step_at"].tolist() == [T0 + H, T0 + (24 * 8 + 4) * H, T0 + 24 * 9 * H]
    nxt = next_after_drop(j, ev, "c")
    assert dict(zip(nxt["event"], nxt["customers"], strict=True)) == {"help": 1, "search": 1, "(nothing)": 1}
    assert nxt["share"].sum() == pytest.approx(1.0)
    tp = next_after_drop(j, ev, 2, column="touchpoint", top=1)
    assert tp["customers"].sum() == 3 and tp["touchpoint"].tolist()[-1] == "(nothing)"


# --------------------------------------------------------------------------- the stage model


def stage_data():
    import jkit

    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01"] * 3,
                              "region": ["north", "south", "north"]})
    events = log(("a", 0, "ad_click", "social"), ("a", 2, "product_view"), ("a", 3, "purchase"),
                 ("a", 800, "repeat_purchase"),  # 33 days later: outside 30D
                 ("b", 0, "email_open", "email"), ("b", 1, "search"),
                 ("c", 0, "landing_visit", "web"))
    return jkit.load(customers=customers, events=events)


def test_stage_funnel_uses_stage_names_and_customer_attributes():
    data = stage_data()
    with pytest.warns(JkitWarning, match=r"step 5 \('advocacy'.*matches no event.*nobody can reach it"):
        table = stage_funnel(data, window="30D")
    assert table["step_name"].tolist() == data.stages.names
    assert table["customers"].tolist() == [3, 2, 1, 0, 0]
    with pytest.warns(JkitWarning):
        by_region = stage_funnel(data, window="30D", by="region")
    assert by_region.groupby("step")["customers"].sum().tolist() == table["customers"].tolist()
    assert by_region[by_region["region"] == "north"]["customers"].tolist() == [2, 1, 1, 0, 0]
    with pytest.warns(JkitWarning):
        by_tp = stage_journeys(data, window="30D", by="touchpoint")
    assert dict(zip(by_tp["customer_id"], by_tp["touchpoint"], strict=True)) == {"a": "social", "b": "email", "c": "web"}
    with pytest.raises(ParameterError, match="by='persona' is neither a column of the events"):
        stage_funnel(data, by="persona")


def test_planted_stage_conversion_is_recovered(small_sample_dir, small_sample):
    truth = json.loads((small_sample_dir / "truth.json").read_text())["stage_conversion"]
    data = small_sample
    journeys = stage_journeys(data, window=truth["window"])
    table = funnel_table(journeys, confidence=0.95)
    names = data.stages.names
    misses = []
    for _, row in table.iloc[1:].iterrows():
        planted = truth["overall"][row["step_name"]] if isinstance(truth["overall"], dict) else \
            truth["overall"][names.index(row["step_name"])]
        if not row["conversion_from_previous_low"] <= planted <= row["conversion_from_previous_high"]:
            misses.append((row["step_name"], planted, row["conversion_from_previous"]))
    assert not misses, misses
    personas_file = small_sample_dir / "personas_truth.csv"
    if "by_persona" in truth and personas_file.exists():
        personas = pd.read_csv(personas_file, dtype=str)
        events = data.events.merge(personas[["customer_id", "persona"]], on="customer_id", how="left")
        n_cells = sum(len(r) for r in truth["by_persona"].values())
        # family-wise 95% over all persona × stage cells (Bonferroni), so one test, one 5% risk
        by = funnel(events, data.stages.steps(), step_names=names, window=truth["window"], by="persona",
                    confidence=1 - 0.05 / n_cells)
        checked = 0
        for persona, rates in truth["by_persona"].items():
            rows = by[by["persona"] == persona].set_index("step_name")
            for stage, planted in (rates.items() if isinstance(rates, dict) else zip(names, rates, strict=False)):
                if stage == names[0] or stage not in rows.index or rows.loc[stage, "customers"] == 0:
                    continue
                row = rows.loc[stage]
                checked += 1
                if not row["conversion_from_previous_low"] <= planted <= row["conversion_from_previous_high"]:
                    misses.append((persona, stage, planted, row["conversion_from_previous"]))
        assert checked > 0
        assert not misses, misses


# --------------------------------------------------------------------------- figures


def test_funnel_figures_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jkit.plotting import plot_cohort_trend, plot_funnel, plot_funnel_breakdown, plot_time_to_convert

    ev = follow_up_log()
    j = funnel_journeys(ev, ["v", "c", "p"], window="2D", by="touchpoint")
    fig, axes = plt.subplots(2, 2)
    ax = plot_funnel(funnel_table(j), ax=axes[0, 0])
    assert [round(p.get_width()) for p in ax.patches] == [4, 4, 1]
    assert "100.0%" in ax.texts[0].get_text() and "median 1.5 h" in ax.texts[1].get_text()
    ax = plot_funnel_breakdown(funnel_table(j, by="touchpoint"), hue="touchpoint", ax=axes[0, 1])
    assert len(ax.patches) == 3 * 3  # 3 touchpoints × 3 steps
    ax = plot_time_to_convert(time_to_convert(j, to_step=2), ax=axes[1, 0])
    assert sum(p.get_height() for p in ax.patches) == 4
    ax = plot_cohort_trend(cohort_conversion(j, period="W", to_step=2), ax=axes[1, 1])
    assert len(ax.lines[0].get_xdata()) == 2
    with pytest.raises(ParameterError, match="draws one funnel"):
        plot_funnel(funnel_table(j, by="touchpoint"))
    plt.close(fig)


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


def test_stage_funnel_with_extra_customer_attributes():
    data = stage_data()
    personas = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["p1", "p2", "p1"]})
    with pytest.warns(JkitWarning):
        table = stage_funnel(data, window="30D", by="persona", attributes=personas)
    assert table[table["persona"] == "p1"]["customers"].tolist() == [2, 1, 1, 0, 0]
    assert "persona" not in data.customers.columns  # the study is not changed
