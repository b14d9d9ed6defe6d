"""Both engines against the brute-force reference (tests/paths/reference.py) on random logs, and
against each other on Parquet files."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.paths import paths, sessions, step_matrix, transitions
from tests.paths import reference as ref

ENGINES = ["pandas", "duckdb"]
GAP = 30 * 60 * 10**9
SEEDS = [1, 2, 3]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("use_column", [False, True])
def test_sessions_match_the_reference(engine, seed, use_column):
    log = ref.random_log(seed, sessions=use_column)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sessions(log, engine=engine, session_source="column" if use_column else "gap")
    expected = ref.sessions_of(log, GAP, use_column)
    got = {row: (s, n) for row, (s, n) in enumerate(zip(out["session"], out["session_number"], strict=False))}
    assert got == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("unit", "collapse", "by"), [("customer", False, False), ("customer", True, True),
                                                      ("session", False, False), ("session", True, True)])
def test_transitions_match_the_reference(engine, seed, unit, collapse, by):
    log = ref.random_log(seed)
    out = transitions(log, engine=engine, unit=unit, collapse_repeats=collapse, by="touchpoint" if by else None,
                      session_source="gap")
    ref.assert_transitions_match(out, log, unit=unit, collapse=collapse, by=by)
    assert out["share"].between(0, 1).all()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("start", "end", "unit", "collapse"), [
    (None, None, "customer", False), ("view", None, "customer", False), (None, "purchase", "customer", True),
    ("cart", None, "session", False), (None, "cart", "session", True),
])
def test_paths_match_the_reference(engine, seed, start, end, unit, collapse):
    log = ref.random_log(seed)
    out = paths(log, engine=engine, steps=4, start=start, end=end, unit=unit, collapse_repeats=collapse, top=None,
                session_source="gap")
    count = "customers" if unit == "customer" else "sessions"
    got = {tuple(r[f"step_{k}"] for k in range(1, 5)): r[count] for _, r in out.iterrows()}
    assert got == dict(ref.sequences_of(log, 4, start=start, end=end, unit=unit, collapse=collapse))
    assert out[count].is_monotonic_decreasing
    assert out["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_step_matrix_matches_the_reference(seed):
    log = ref.random_log(seed)
    seqs = ref.sequences_of(log, 6)
    n = sum(seqs.values())
    for engine in ENGINES:
        m = step_matrix(log, steps=6, engine=engine)
        for k in range(6):
            at = {}
            for seq, c in seqs.items():
                at[seq[k] or "ENDED"] = at.get(seq[k] or "ENDED", 0) + c
            for name in m.index:
                assert m.loc[name, k + 1] == pytest.approx(at.get(name, 0) / n)
        np.testing.assert_allclose(m.sum(axis=0).to_numpy(), 1.0)


def test_top_groups_the_rest_as_other_identically_on_both_engines():
    log = ref.random_log(7, customers=80)
    a = paths(log, engine="pandas", steps=3, top=5)
    b = paths(log, engine="duckdb", steps=3, top=5)
    pd.testing.assert_frame_equal(a, b)
    assert a["path"].iloc[-1] == "other" and len(a) == 6
    assert a["customers"].sum() == log["customer_id"].nunique()


def test_parquet_files_give_what_the_dataframe_gives(tmp_path):
    log = ref.random_log(4, sessions=True)
    log.iloc[: len(log) // 2].to_parquet(tmp_path / "a.parquet")
    log.iloc[len(log) // 2:].to_parquet(tmp_path / "b.parquet")
    files = str(tmp_path / "*.parquet")
    for engine in ENGINES:
        pd.testing.assert_frame_equal(transitions(files, engine=engine), transitions(log, engine="pandas"))
        pd.testing.assert_frame_equal(paths(files, engine=engine, start="view"), paths(log, start="view"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from_files = sessions(files, engine=engine, session_source="column")
            in_memory = sessions(log, session_source="column")
        assert from_files["session"].tolist() == in_memory["session"].tolist()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("with_ties", [False, True])
def test_the_packed_sort_equals_lexsort_also_when_keys_do_not_fit(seed, with_ties):
    from jkit.paths.engines import pandas as engine

    rng = np.random.default_rng(seed)
    n = 5_000
    c, t, e = rng.integers(0, 40, n), rng.integers(0, 300, n) * 10**9, rng.integers(0, 6, n)  # many exact ties
    tie = rng.integers(0, 3, n) if with_ties else None
    keys = [e, t, c] if tie is None else [e, tie, t, c]
    assert np.array_equal(engine._event_order(c, t, e, tie), np.lexsort(keys))
    many = np.arange(n, dtype=np.int64)[::-1] * 200_000  # codes up to 10^9: the packed key would overflow
    e_many = rng.integers(0, 10**9, n)
    assert (int(many.max()) + 1) * len(np.unique(t)) * (int(e_many.max()) + 1) >= 2**63
    keys = [e_many, t, many] if tie is None else [e_many, tie, t, many]
    assert np.array_equal(engine._event_order(many, t, e_many, tie), np.lexsort(keys))


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_missing_column_in_a_file_lists_only_the_files_columns(engine, tmp_path):
    from jkit.errors import MissingColumnError

    path = tmp_path / "events.parquet"
    ref.random_log(1)[["customer_id", "timestamp", "event"]].to_parquet(path, index=False)
    with pytest.raises(MissingColumnError, match=r"events.parquet: no column by='nope'; found columns "
                                                 r"'customer_id', 'timestamp', 'event'$"):
        transitions(str(path), by="nope", engine=engine)
