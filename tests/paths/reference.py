"""A brute-force, pure-Python reading of the paths rules (docs/paths.md), to check the engines against."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict

import pandas as pd

EVENTS = ["visit", "view", "search", "cart", "purchase", "support"]


def random_log(seed: int, customers: int = 40, per: int = 12, sessions: bool = False) -> pd.DataFrame:
    """A random log with ties in time, repeats and (optionally) a session column with gaps."""
    rng = random.Random(seed)
    rows = []
    for c in range(customers):
        t = pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(minutes=rng.randrange(0, 600))
        for _ in range(rng.randrange(1, per)):
            t += pd.Timedelta(minutes=rng.choice([0, 0, 1, 5, 29, 30, 31, 90]))
            s = rng.choice(["s1", "s2", None, ""]) if sessions else None
            rows.append((f"c{c:03d}", t, rng.choice(EVENTS), s, rng.choice(["web", "app"])))
    rng.shuffle(rows)
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event", "session_id", "touchpoint"])


def ordered(events: pd.DataFrame) -> dict[str, list[tuple]]:
    """customer -> [(time ns, event, row, session value, touchpoint)] in the rules' order."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for row, r in enumerate(events.itertuples(index=False)):
        s = r.session_id if isinstance(r.session_id, str) and r.session_id != "" else None
        out[r.customer_id].append((r.timestamp.value, r.event, row, s, r.touchpoint))
    return {c: sorted(v, key=lambda x: (x[0], x[1], x[2])) for c, v in sorted(out.items())}


def sessions_of(events: pd.DataFrame, gap_ns: int, use_column: bool) -> dict[int, tuple[int, int]]:
    """row -> (session over the table, session number within the customer)."""
    result: dict[int, tuple[int, int]] = {}
    index = 0
    for _, evs in ordered(events).items():
        keys, gap_k, last_gap = [], 0, None
        for t, _, _row, s, _ in evs:
            if use_column and s is not None:
                keys.append(("v", s))
                continue
            if last_gap is None or t - last_gap > gap_ns:
                gap_k += 1
            last_gap = t
            keys.append(("g", gap_k))
        first: dict = {}
        for pos, k in enumerate(keys):
            first.setdefault(k, pos)
        number = {k: n for n, k in enumerate(sorted(first, key=first.get), start=1)}
        for (_, _, row, _, _), k in zip(evs, keys, strict=False):
            result[row] = (index + number[k], number[k])
        index += len(number)
    return result


def units(events: pd.DataFrame, unit: str, gap_ns: int, use_column: bool, collapse: bool = False) -> dict:
    """unit key -> (customer, [(t, event, touchpoint)]) in order."""
    sess = sessions_of(events, gap_ns, use_column) if unit == "session" else {}
    out: dict = defaultdict(list)
    cust = {}
    for c, evs in ordered(events).items():
        for t, e, row, _, tp in evs:
            key = sess[row][0] if unit == "session" else c
            out[key].append((t, e, tp))
            cust[key] = c
    if collapse:
        out = {k: [x for i, x in enumerate(v) if i == 0 or v[i - 1][1] != x[1]] for k, v in out.items()}
    return {k: (cust[k], v) for k, v in out.items()}


def transitions_of(events, unit="customer", gap_ns=30 * 60 * 10**9, use_column=False, collapse=False, by=False):
    """(tp?, source, target) -> (transitions, customers, median ns)."""
    pairs: dict = defaultdict(list)
    for _, (c, evs) in units(events, unit, gap_ns, use_column, collapse).items():
        for a, b in zip(evs, evs[1:], strict=False):
            key = (a[2], a[1], b[1]) if by else (a[1], b[1])
            pairs[key].append((c, b[0] - a[0]))
    return {k: (len(v), len({c for c, _ in v}), statistics.median(d for _, d in v)) for k, v in pairs.items()}


def sequences_of(events, steps, start=None, end=None, unit="customer", gap_ns=30 * 60 * 10**9, use_column=False,
                 collapse=False) -> Counter:
    """Counter of path tuples (None-padded as the engines return them)."""
    found: Counter = Counter()
    for _, (_, evs) in units(events, unit, gap_ns, use_column, collapse).items():
        names = [e for _, e, _ in evs]
        if start is not None:
            if start not in names:
                continue
            i = names.index(start)
            seq = names[i:i + steps]
            seq = seq + [None] * (steps - len(seq))
        elif end is not None:
            if end not in names:
                continue
            i = names.index(end)
            seq = names[max(0, i - steps + 1):i + 1]
            seq = [None] * (steps - len(seq)) + seq
        else:
            seq = names[:steps] + [None] * (steps - len(names[:steps]))
        found[tuple(seq)] += 1
    return found


def assert_transitions_match(out, log, *, unit: str, collapse: bool, by: bool) -> None:
    """An engine's transitions table equals :func:`transitions_of` (medians to the nanosecond, rounded)."""
    got = {((r.touchpoint, r.source, r.target) if by else (r.source, r.target)):
           (r.transitions, r.customers, r.median_time.value) for r in out.itertuples()}
    expected = transitions_of(log, unit=unit, collapse=collapse, by=by)
    assert got.keys() == expected.keys()
    for key, (n, c, median) in expected.items():
        assert got[key][:2] == (n, c)
        assert abs(got[key][2] - median) <= 1  # ns: the median of two values is rounded
