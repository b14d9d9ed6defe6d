"""Issue 20's funnel options — strict order's repeats, windows that cannot overflow, optional steps,
a window per step, total counts and session units — by hand and against a brute-force reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jkit.errors import MissingColumnError, ParameterError
from jkit.funnels import cohort_conversion, funnel, funnel_journeys, funnel_table
from tests.funnels.events import ENGINES, T0, H, log
from tests.funnels.reference import reference_units


def reached(frame: pd.DataFrame, steps, engine: str, **kw) -> dict:
    j = funnel_journeys(frame, steps, engine=engine, **kw)
    return dict(zip(j["customer_id"], j["reached"], strict=True))


# --------------------------------------------------------------------------- strict order


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_repeat_of_the_step_just_reached_does_not_break(engine):
    ev = log(("p", 0, "a"), ("p", 1, "b"), ("p", 2, "b"), ("p", 3, "c"),   # a b b c -> 3
             ("q", 0, "a"), ("q", 1, "b"), ("q", 2, "x"), ("q", 3, "c"),   # a b x c -> 2
             ("r", 0, "a"), ("r", 1, "b"), ("r", 2, "a"), ("r", 3, "c"),   # a b a c -> 2 (a is not the step just reached)
             ("s", 0, "a"), ("s", 1, "a"), ("s", 2, "b"))                  # a a b -> 2
    assert reached(ev, ["a", "b", "c"], engine, order="strict") == {"p": 3, "q": 2, "r": 2, "s": 2}
    j = funnel_journeys(ev, ["a", "b", "c"], engine=engine, order="strict")
    p = j.set_index("customer_id").loc["p"]
    assert (p["time_1"], p["time_2"], p["time_3"]) == (T0, T0 + H, T0 + 3 * H)  # the first b is the step's time


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_repeats_within_a_step_of_several_events(engine):
    ev = log(("p", 0, "a"), ("p", 1, "b1"), ("p", 2, "b2"), ("p", 3, "c"))
    assert reached(ev, ["a", {"b1", "b2"}, "c"], engine, order="strict") == {"p": 3}


# --------------------------------------------------------------------------- windows that cannot overflow


def _overflow_log() -> pd.DataFrame:
    # b enters first, so a's entry is 1 ns after the first event: t_entry + Timedelta.max overflowed int64
    return pd.DataFrame({
        "customer_id": ["b", "a", "a"],
        "timestamp": [T0, T0 + pd.Timedelta(1, "ns"), T0 + pd.Timedelta(days=3, nanoseconds=7)],
        "event": ["v", "v", "c"],
    })


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("window", [pd.Timedelta.max, "106751D", None])
def test_a_window_as_large_as_the_data_or_none_never_overflows(engine, window):
    table = funnel(_overflow_log(), ["v", "c"], window=window, engine=engine)
    assert table["customers"].tolist() == [2, 1]
    j = funnel_journeys(_overflow_log(), ["v", "c"], window=window, engine=engine, order="strict")
    assert j["reached"].tolist() == [2, 1]


def test_no_window_in_the_journeys_and_cohorts():
    j = funnel_journeys(_overflow_log(), ["v", "c"], window=None)
    assert j.attrs["window"] is None
    cohorts = cohort_conversion(j, period="W")
    assert cohorts["complete"].tolist() == [False]  # with no window a cohort can still convert later
    huge = cohort_conversion(funnel_journeys(_overflow_log(), ["v", "c"], window=pd.Timedelta.max), period="W")
    assert huge["complete"].tolist() == [False]


# --------------------------------------------------------------------------- optional steps


@pytest.mark.parametrize("engine", ENGINES)
def test_optional_step_counts_who_did_it_and_later_steps_count_everyone(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "p"),   # did the optional step
             ("b", 0, "v"), ("b", 2, "p"),                   # skipped it
             ("c", 0, "v"), ("c", 1, "c"),                   # did it, did not purchase
             ("d", 0, "v"), ("d", 1, "p"), ("d", 2, "c"))    # c after p: not between v and p
    j = funnel_journeys(ev, ["v", "c", "p"], optional=[2], engine=engine).set_index("customer_id")
    assert j["reached"].to_dict() == {"a": 3, "b": 3, "c": 2, "d": 3}
    assert j["time_2"].notna().to_dict() == {"a": True, "b": False, "c": True, "d": False}
    table = funnel(ev, ["v", "c", "p"], optional=["c"], engine=engine)
    assert table["customers"].tolist() == [4, 2, 3]
    assert table["conversion_from_previous"].tolist() == pytest.approx([1, 2 / 4, 3 / 4])  # both from step 1
    assert table["dropped"].tolist() == [0, 2, 1]
    assert table.loc[2, "median_time_from_previous"] == pd.Timedelta("2h")  # from step 1 (required): 2h, 2h, 1h
    assert table.loc[1, "median_time_from_previous"] == pd.Timedelta("1h")


@pytest.mark.parametrize("engine", ENGINES)
def test_optional_steps_in_strict_order(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "p"),
             ("b", 0, "v"), ("b", 1, "p"),
             ("c", 0, "v"), ("c", 1, "x"), ("c", 2, "p"))
    assert reached(ev, ["v", "c", "p"], engine, order="strict", optional=[2]) == {"a": 3, "b": 3, "c": 1}


def test_optional_step_errors():
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.raises(ParameterError, match="step 1 cannot be optional"):
        funnel(ev, ["v", "c"], optional=[1])
    with pytest.raises(ParameterError, match="at least one step after step 1 must be required"):
        funnel(ev, ["v", "c"], optional=[2])
    with pytest.raises(ParameterError, match="need order='ordered' or 'strict'"):
        funnel(ev, ["v", "c", "p"], optional=[2], order="any")
    with pytest.raises(ParameterError, match="neither a step number"):
        funnel(ev, ["v", "c", "p"], optional=["nope"])
    with pytest.raises(ParameterError, match="not a step number; expected 1 to 3"):
        funnel(ev, ["v", "c", "p"], optional=[4])


# --------------------------------------------------------------------------- a window per step


@pytest.mark.parametrize("engine", ENGINES)
def test_step_window_finds_a_later_event_greedy_matching_would_miss(engine):
    # the first c is 11h before p; the second c 2h: with a 5h window on p only the second works
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 10, "c"), ("a", 12, "p"),
             ("b", 0, "v"), ("b", 1, "c"), ("b", 9, "p"))
    j = funnel_journeys(ev, ["v", "c", "p"], step_windows={3: "5h"}, engine=engine).set_index("customer_id")
    assert j["reached"].to_dict() == {"a": 3, "b": 2}
    assert j.loc["a", "time_2"] == T0 + 10 * H
    same = funnel_journeys(ev, ["v", "c", "p"], step_windows=[None, "5h"], engine=engine)
    assert same["reached"].tolist() == [3, 2]
    # the overall window still applies: 12h > 11h
    assert reached(ev, ["v", "c", "p"], engine, step_windows={3: "5h"}, window="11h") == {"a": 2, "b": 2}
    # strict: a repeat keeps the first c, 11h before p
    assert reached(ev, ["v", "c", "p"], engine, step_windows={3: "5h"}, order="strict") == {"a": 2, "b": 2}


def test_step_window_errors():
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "p"))
    with pytest.raises(ParameterError, match="step 1 has no previous step"):
        funnel(ev, ["v", "c", "p"], step_windows={1: "1h"})
    with pytest.raises(ParameterError, match="expected 2 \\(steps 2 to 3\\)"):
        funnel(ev, ["v", "c", "p"], step_windows=["1h"])
    with pytest.raises(ParameterError, match="step 2 is optional"):
        funnel(ev, ["v", "c", "p"], step_windows={2: "1h"}, optional=[2])
    with pytest.raises(ParameterError, match="positive duration"):
        funnel(ev, ["v", "c", "p"], step_windows={2: "0h"})


# --------------------------------------------------------------------------- unique or total conversions


@pytest.mark.parametrize("engine", ENGINES)
def test_total_counts_every_attempt(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "v"), ("a", 3, "c"), ("a", 4, "v"),
             ("b", 0, "v"), ("b", 0.5, "v"), ("b", 1, "c"))  # b's second v is inside the first attempt
    j = funnel_journeys(ev, ["v", "c"], count="total", engine=engine)
    assert list(zip(j["customer_id"], j["attempt"], j["reached"], strict=True)) == [
        ("a", 1, 2), ("a", 2, 2), ("a", 3, 1), ("b", 1, 2)]
    assert funnel_table(j)["customers"].tolist() == [4, 3]
    assert funnel(ev, ["v", "c"], engine=engine)["customers"].tolist() == [2, 2]
    assert j.attrs["count"] == "total"


# --------------------------------------------------------------------------- sessions


@pytest.mark.parametrize("engine", ENGINES)
def test_session_unit_counts_sessions(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "v"), ("a", 3, "c"), ("b", 0, "v"), ("b", 1, "c"))
    ev["session_id"] = ["s1", "s1", "s2", "s3", "t1", "t2"]
    j = funnel_journeys(ev, ["v", "c"], unit="session", engine=engine)
    assert list(zip(j["customer_id"], j["session_id"], j["reached"], strict=True)) == [
        ("a", "s1", 2), ("a", "s2", 1), ("b", "t1", 1)]
    assert funnel_table(j)["customers"].tolist() == [3, 1]
    assert funnel(ev, ["v", "c"], engine=engine)["customers"].tolist() == [2, 2]
    other = ev.rename(columns={"session_id": "visit"})
    assert funnel_journeys(other, ["v", "c"], unit="session", session_col="visit", engine=engine)["reached"].tolist() \
        == [2, 1, 1]


@pytest.mark.parametrize("engine", ENGINES)
def test_session_unit_without_a_session_column(engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"))
    with pytest.raises(MissingColumnError, match="unit='session' counts by column 'session_id'.*jkit.paths.sessions"):
        funnel(ev, ["v", "c"], unit="session", engine=engine)
    with pytest.raises(ParameterError, match="unit='visit' is not known"):
        funnel(ev, ["v", "c"], unit="visit", engine=engine)
    with pytest.raises(ParameterError, match="count='all' is not known"):
        funnel(ev, ["v", "c"], count="all", engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_session_ids_from_files(tmp_path, engine):
    ev = log(("a", 0, "v"), ("a", 1, "c"), ("a", 2, "v"), ("b", 0, "v"), ("b", 1, "c"))
    ev["session_id"] = pd.array(["s1", "s1", "s2", "t1", None], dtype="string")  # b's c has no session
    ev.to_parquet(tmp_path / "e.parquet")
    j = funnel_journeys(tmp_path / "e.parquet", ["v", "c"], unit="session", engine=engine)
    assert list(zip(j["customer_id"], j["session_id"], j["reached"], strict=True)) == [
        ("a", "s1", 2), ("a", "s2", 1), ("b", "t1", 1)]


# --------------------------------------------------------------------------- many steps


def test_twelve_steps_are_counted_and_drawn():
    from jkit.plotting import plot_funnel

    names = [f"step {k:02d}" for k in range(1, 13)]
    rows = [(f"c{i}", k, names[k]) for i in range(30) for k in range(12 - i % 12)]
    table = funnel(log(*rows), names, window="30D")
    assert table["customers"].tolist() == [sum(1 for i in range(30) if 12 - i % 12 >= k) for k in range(1, 13)]
    ax = plot_funnel(table)
    labels = [t.get_text() for t in ax.get_yticklabels()] or [t.get_text() for t in ax.get_xticklabels()]
    assert len([lab for lab in labels if lab]) == 12


# --------------------------------------------------------------------------- brute force on random logs


def _random_log(rng, n_customers, n_events, with_sessions=False) -> pd.DataFrame:
    cust = rng.integers(0, n_customers, n_events)
    ev = pd.DataFrame({
        "customer_id": pd.array([f"c{i}" for i in cust], dtype="string"),
        "timestamp": T0 + pd.to_timedelta(rng.integers(0, 16, n_events), unit="h"),
        "event": pd.array(rng.choice(list("abcdx"), n_events), dtype="string"),
    })
    if with_sessions:
        ev["session_id"] = pd.array([f"s{i}" for i in rng.integers(0, 2, n_events)], dtype="string")
    return ev


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_events=st.integers(1, 30),
    order=st.sampled_from(["ordered", "strict"]),
    window=st.sampled_from(["3h", "8h", None]),
    optional=st.sampled_from([(), (2,), (2, 3), (3,)]),
    step_windows=st.sampled_from([None, {4: "2h"}, {2: "1h", 4: "3h"}, {3: "2h"}]),
    count=st.sampled_from(["unique", "total"]),
    unit=st.sampled_from(["customer", "session"]),
    exclude=st.booleans(),
)
def test_new_options_match_the_brute_force_reference(seed, n_events, order, window, optional, step_windows, count,
                                                     unit, exclude):
    if step_windows and any(k in optional for k in step_windows):
        return
    rng = np.random.default_rng(seed)
    ev = _random_log(rng, 3, n_events, with_sessions=unit == "session")
    steps = ["a", "b", "c", "d"]
    options = dict(window=window, order=order, optional=optional, step_windows=step_windows, count=count, unit=unit,
                   exclusions=["x"] if exclude else [])
    ref = reference_units(ev, steps, **options)
    frames = []
    for engine in ENGINES:
        with _no_warning_check():
            j = funnel_journeys(ev, steps, engine=engine, missing_steps="warn", **options)
        assert _by_unit(j, unit, 4) == ref, (engine, options)
        frames.append(j)
    pd.testing.assert_frame_equal(frames[0], frames[1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_events=st.integers(1, 30), window=st.sampled_from(["3h", None]),
       unit=st.sampled_from(["customer", "session"]))
def test_any_order_total_counts_match_the_reference(seed, n_events, window, unit):
    rng = np.random.default_rng(seed)
    ev = _random_log(rng, 3, n_events, with_sessions=unit == "session")
    ref = reference_units(ev, ["a", "b", "c"], window=window, order="any", count="total", unit=unit)
    for engine in ENGINES:
        j = funnel_journeys(ev, ["a", "b", "c"], window=window, order="any", count="total", unit=unit,
                            engine=engine, missing_steps="warn")
        assert _by_unit(j, unit, 3) == ref, engine


def _by_unit(journeys: pd.DataFrame, unit: str, n_steps: int) -> dict:
    """Journeys as reference_units gives them: unit -> [(reached, excluded, step times in ns or None)]."""
    got: dict = {}
    for row in journeys.itertuples(index=False):
        key = (row.customer_id, row.session_id) if unit == "session" else row.customer_id
        times = [None if pd.isna(v := getattr(row, f"time_{k + 1}")) else v.value for k in range(n_steps)]
        got.setdefault(key, []).append((row.reached, row.excluded, times))
    return got


class _no_warning_check:
    """Missing steps only warn here (random logs may lack a step); the warnings are not under test."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
