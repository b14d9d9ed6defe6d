"""The funnel kernel: vectorised numpy over events sorted by (customer, time, step).

Every engine (pandas, DuckDB, Spark) reduces its input to four integer arrays —
customer code, time in nanoseconds, step code, group code of the event — and hands them to
:func:`solve`. The semantics live here once, so engines cannot disagree on them.

Step codes: ``0 .. n-1`` for the funnel steps, ``n`` (:data:`OTHER`) for any other event
(strict mode only) and ``n + 1`` (:data:`EXCLUDED`) for an excluded event. Events that share
an instant are ordered by step code, then group code: step events in funnel order first, then
other events, then excluded events. Ties in time are therefore "allowed" in every mode.

Sorting is the cost that matters. When ``(customer, time, step, group)`` fits in 63 bits the
four fields are packed into one int64 key and sorted with ``np.sort`` (SIMD, no permutation to
gather). Times are first expressed in the coarsest unit that divides them all (second,
millisecond, microsecond or nanosecond) relative to the first event, which usually makes them
fit. When they do not, customers are split into a few partitions by their high bits, each
packed and sorted on its own; beyond that, ``np.lexsort`` is the (slower) fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jkit.funnels.chains import (
    chain_ordered,
    chain_required,
    chain_strict,
    fill_optional,
    first_best,
    limit_of,
    next_of,
    next_run,
    reach_ordered,
    segments,
)

__all__ = ["KernelResult", "solve", "sort_events", "NAT"]

NAT = np.iinfo(np.int64).min  # the int64 of numpy's NaT
_MAX_PARTITIONS = 1 << 12


@dataclass
class KernelResult:
    """Per entered customer: code, furthest step, step times, group code, excluded flag.

    ``times[:, k]`` is the time (ns since the epoch) at which the counting attempt reached step
    ``k + 1``, :data:`NAT` beyond ``reached`` and for optional steps skipped. With
    ``count="total"`` there is one row per attempt and ``attempt`` numbers them (1, 2, … per
    customer); otherwise ``attempt`` is None.
    """

    customer: np.ndarray  # int64 codes, ascending
    reached: np.ndarray  # int8, 1..n
    times: np.ndarray  # int64 (m, n) ns, NAT when not reached
    group: np.ndarray | None  # int64 group code of the counting attempt's entering event
    excluded: np.ndarray  # bool
    data_start: int | None  # first and last event time seen (ns), None without events
    data_end: int | None
    attempt: np.ndarray | None = None


# --------------------------------------------------------------------------- sorting


def _time_unit(rel: np.ndarray) -> int:
    """The coarsest of 1 s, 1 ms, 1 µs dividing every relative time (1 ns otherwise)."""
    head = rel[:4096]
    for unit in (1_000_000_000, 1_000_000, 1_000):
        if not np.any(head % unit) and not np.any(rel % unit):
            return unit
    return 1


def _bits(max_value: int) -> int:
    return max(int(max_value).bit_length(), 1) if max_value > 0 else 0


def sort_events(
    cust: np.ndarray,
    time_ns: np.ndarray,
    step: np.ndarray,
    group: np.ndarray | None,
    n_codes: int,
    n_groups: int,
    *,
    overwrite: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, int, int]:
    """Sort by (customer, time, step, group); return ``(c, t, s, g, unit, t0)``.

    ``t`` comes back in ``unit`` nanoseconds relative to ``t0`` (the first event time). With
    ``overwrite=True`` the int64 arrays ``cust`` and ``time_ns`` are reused as work space (their
    content is destroyed), which keeps peak memory near 17 bytes per event.
    """
    t0 = int(time_ns.min())
    reuse = overwrite and time_ns.dtype == np.int64 and time_ns.flags.writeable
    rel = time_ns if reuse else time_ns.astype(np.int64, copy=True)
    rel -= t0
    unit = _time_unit(rel)
    if unit > 1:
        rel //= unit
    cb = _bits(int(cust.max()))
    tb = _bits(int(rel.max()))
    sb = _bits(n_codes - 1)
    gb = _bits(n_groups - 1) if group is not None else 0
    low = tb + sb + gb
    if low >= 62 or (cb + low > 63 and (1 << (cb + low - 63)) > _MAX_PARTITIONS):
        order = np.lexsort(tuple(a for a in (group, step, rel, cust) if a is not None))
        return (
            cust[order].astype(np.int64, copy=False),
            rel[order],
            step[order].astype(np.int8, copy=False),
            None if group is None else group[order].astype(np.int64, copy=False),
            unit,
            t0,
        )
    cbits = min(cb, 63 - low)  # customer bits that fit beside the others
    part = (cust >> cbits).astype(np.uint16) if cbits < cb else None
    reuse = overwrite and cust.dtype == np.int64 and cust.flags.writeable
    work = cust if reuse else cust.astype(np.int64, copy=True)
    if part is not None:
        work &= (1 << cbits) - 1
    key = rel
    key <<= sb + gb
    work <<= low
    key |= work
    if gb:
        key |= np.left_shift(step, gb, dtype=np.int64)
        key |= group.astype(np.int64, copy=False)
    else:
        np.bitwise_or(key, step, out=key)
    if part is None:
        key.sort()
    else:  # a few partitions by the customers' high bits, each sorted on its own
        order = np.argsort(part, kind="stable")
        key = key[order]
        del order
        bounds = np.concatenate(([0], np.cumsum(np.bincount(part))))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            key[a:b].sort()
        part = np.repeat(np.arange(len(bounds) - 1, dtype=np.int64), np.diff(bounds))
    if sb:
        np.right_shift(key, gb, out=work)
        work &= (1 << sb) - 1
        s = work.astype(np.int8)
    else:
        s = np.zeros(len(key), np.int8)
    g = np.bitwise_and(key, (1 << gb) - 1) if group is not None else None
    c = np.right_shift(key, low, out=work)
    if part is not None:
        part <<= cbits
        c |= part
        del part
    t = key
    t >>= sb + gb
    t &= (1 << tb) - 1
    return c, t, s, g, unit, t0


# --------------------------------------------------------------------------- helpers


def _run_bounds(c: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal (customer, time)."""
    n = len(c)
    new = np.ones(n, dtype=bool)
    if n > 1:
        np.not_equal(c[1:], c[:-1], out=new[1:])
        new[1:] |= t[1:] != t[:-1]
    return np.flatnonzero(new)


@dataclass
class _Sorted:
    """The sorted events and the funnel, in the kernel's time unit."""

    c: np.ndarray
    t: np.ndarray
    s: np.ndarray
    pos: list[np.ndarray]
    n: int
    order: str
    window: int
    span: int
    optional: tuple[int, ...]
    gaps: list[int | None] | None
    after_run: np.ndarray | None = None


def _matched_attempts(srt: _Sorted, entries: np.ndarray, pick_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """(chosen entries, matched positions) of ordered/strict attempts from ``entries``.

    With ``pick_first`` each customer's attempt that counts is chosen among its entries (the earliest
    reaching the furthest required step); otherwise ``entries`` are one per customer, all kept.
    """
    c, t, pos, n = srt.c, srt.t, srt.pos, srt.n
    required = [k for k in range(n) if k not in srt.optional]
    if srt.order == "strict":
        if srt.after_run is None:
            srt.after_run = next_run(c, srt.s)
        matched = chain_strict(c, t, srt.s, srt.after_run, entries, srt.window, srt.span, n, srt.optional, srt.gaps)
        if pick_first:
            score = np.max(np.where(matched[:, required] >= 0, np.arange(len(required)), 0), axis=1)
            pick = first_best(c[entries], score.astype(np.int64))
            return entries[pick], matched[pick]
        return entries, matched
    if srt.gaps is not None and any(g is not None for g in srt.gaps):
        chosen, matched = chain_required(c, t, pos, required, entries, srt.window, srt.span, srt.gaps,
                                         pick_first=pick_first)
    else:
        req_pos = [pos[k] for k in required]
        if pick_first:
            reach = reach_ordered(c, t, req_pos, entries, srt.window, srt.span)
            chosen = entries[first_best(c[entries], reach)]
        else:
            chosen = entries
        part = chain_ordered(c, t, req_pos, chosen, srt.window, srt.span)
        matched = np.full((len(chosen), n), -1, dtype=np.int64)
        matched[:, required] = part
    if srt.optional:
        matched = fill_optional(c, t, pos, srt.optional, matched, srt.window, srt.span)
    return chosen, matched


def _any_attempts(srt: _Sorted, starts: np.ndarray, pick_first: bool, run_start_of):
    """Order "any": (chosen start, distinct steps reached, sorted step times, last position)."""
    c, t, pos = srt.c, srt.t, srt.pos
    lo = run_start_of(starts)
    limit = limit_of(t[starts], srt.window, srt.span)
    first = np.full((len(starts), srt.n), -1, dtype=np.int64)
    for k in range(srt.n):
        cand, ok = next_of(pos[k], lo)
        ok &= (c[cand] == c[starts]) & (t[cand] <= limit)
        first[ok, k] = cand[ok]
    count = (first >= 0).sum(axis=1).astype(np.int8)
    if pick_first:
        pick = first_best(c[starts], count)
        starts, first, count = starts[pick], first[pick], count[pick]
    big = np.iinfo(np.int64).max
    times = np.where(first >= 0, t[np.maximum(first, 0)], big)
    times.sort(axis=1)  # time at which 1, 2, … distinct steps were reached
    times[times == big] = -1
    return starts, count, times, np.maximum(first.max(axis=1), starts)  # a same-instant event may precede the start


def _attempts(srt: _Sorted, count: str, run_start_of):
    """Every row of the result: (entry, reached, times or -1, last position, attempt number or None)."""
    c, s, n = srt.c, srt.s, srt.n
    entries = np.flatnonzero(s < n) if srt.order == "any" else srt.pos[0].astype(np.int64)

    def one(found: np.ndarray, pick_first: bool):
        if srt.order == "any":
            return _any_attempts(srt, found, pick_first, run_start_of)
        chosen, matched = _matched_attempts(srt, found, pick_first)
        hit = matched >= 0
        reached = (n - np.argmax(hit[:, ::-1], axis=1)).astype(np.int8)
        times = np.where(hit, srt.t[np.maximum(matched, 0)], -1)
        return chosen, reached, times, matched.max(axis=1)

    if count == "unique":
        return (*one(entries, True), None)
    parts = []
    found = entries[segments(c[entries])]  # each customer's first entry
    round_no = 1
    while len(found):
        chosen, reached, times, last = one(found, False)
        parts.append((chosen, reached, times, last, np.full(len(chosen), round_no, dtype=np.int64)))
        nxt, ok = next_of(entries, last + 1)
        ok &= c[nxt] == c[chosen]
        found, round_no = nxt[ok], round_no + 1
    if not parts:
        return entries, np.zeros(0, np.int8), np.zeros((0, n), np.int64), entries, np.zeros(0, np.int64)
    joined = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    order = np.lexsort((joined[4], c[joined[0]]))
    return tuple(a[order] for a in joined)


# --------------------------------------------------------------------------- entry point


def solve(
    cust: np.ndarray,
    time_ns: np.ndarray,
    step: np.ndarray,
    *,
    n_steps: int,
    window_ns: int | None,
    order: str,
    group: np.ndarray | None = None,
    n_groups: int = 1,
    overwrite: bool = False,
    optional: Sequence[int] = (),
    step_windows_ns: Sequence[int | None] | None = None,
    count: str = "unique",
) -> KernelResult:
    """Run the funnel over unsorted coded events.

    Parameters
    ----------
    cust : int array
        Customer code of each event (>= 0); with ``unit="session"`` the engines pass one code per
        (customer, session).
    time_ns : int64 array
        Event time in nanoseconds since the epoch (UTC).
    step : int array
        0..n_steps-1 for step events, n_steps for other events (used by ``order="strict"``),
        n_steps + 1 for excluded events.
    n_steps, window_ns, order
        The funnel; ``window_ns=None`` means no window (as does any window longer than the data).
    group, n_groups
        Optional group code of each event (its value on the entering event is reported).
    overwrite : bool, default False
        Let the kernel reuse ``cust`` and ``time_ns`` (int64) as work space, destroying them.
    optional : sequence of int
        0-based indices of optional steps (never 0).
    step_windows_ns : sequence of int or None, optional
        Per step (index k), the longest time from the previous required step matched; None: none.
    count : {"unique", "total"}
        One attempt per customer, or every non-overlapping attempt (the next one starts after the
        last event matched by the previous one).
    """
    n = n_steps
    if len(cust) == 0:
        return KernelResult(
            np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros((0, n), np.int64),
            None if group is None else np.zeros(0, np.int64), np.zeros(0, bool), None, None,
            None if count == "unique" else np.zeros(0, np.int64),
        )
    c, t, s, g, unit, t0 = sort_events(cust, time_ns, step, group, n + 2, n_groups, overwrite=overwrite)
    span = int(t.max())
    window = span if window_ns is None else min(int(window_ns) // unit, span)
    gaps = None if step_windows_ns is None else \
        [None if w is None else min(int(w) // unit, span) for w in step_windows_ns]
    small = len(s) < np.iinfo(np.int32).max
    pos = [np.flatnonzero(s == k).astype(np.int32) if small else np.flatnonzero(s == k) for k in range(n)]
    srt = _Sorted(c, t, s, pos, n, order, window, span, tuple(optional), gaps)
    runs: np.ndarray | None = None

    def run_start_of(p: np.ndarray) -> np.ndarray:
        nonlocal runs
        if runs is None:
            runs = _run_bounds(c, t)
        return runs[np.searchsorted(runs, p, side="right") - 1]

    def run_end_of(p: np.ndarray) -> np.ndarray:
        nonlocal runs
        if runs is None:
            runs = _run_bounds(c, t)
        nxt = np.searchsorted(runs, p, side="right")
        return np.where(nxt < len(runs), runs[np.minimum(nxt, len(runs) - 1)], len(c)) - 1

    chosen, reached, times, last_pos, attempt = _attempts(srt, count, run_start_of)
    rows = np.arange(len(chosen))
    t_last = times[rows, reached.astype(np.int64) - 1] if len(chosen) else np.zeros(0, np.int64)
    excluded = np.zeros(len(chosen), dtype=bool)
    xpos = np.flatnonzero(s == n + 1)
    if len(xpos) and len(chosen):
        # an excluded event strictly later than the entry and strictly earlier than the last step reached
        last_run_start = run_start_of(last_pos)
        after_entry = run_end_of(chosen)
        between = np.searchsorted(xpos, last_run_start, side="left") - np.searchsorted(xpos, after_entry, side="right")
        excluded = (between > 0) & (t_last > t[chosen])

    out_times = np.where(times >= 0, times * unit + t0, NAT)
    return KernelResult(
        customer=c[chosen],
        reached=reached,
        times=out_times.astype(np.int64),
        group=None if g is None else g[chosen],
        excluded=excluded,
        data_start=t0,
        data_end=span * unit + t0,
        attempt=attempt,
    )
