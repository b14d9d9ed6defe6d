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

from dataclasses import dataclass

import numpy as np

__all__ = ["KernelResult", "solve", "NAT"]

NAT = np.iinfo(np.int64).min  # the int64 of numpy's NaT
_MAX_PARTITIONS = 1 << 12


@dataclass
class KernelResult:
    """Per entered customer: code, furthest step, step times, group code, excluded flag.

    ``times[:, k]`` is the time (ns since the epoch) at which the counting attempt reached step
    ``k + 1``, :data:`NAT` beyond ``reached``. ``entry_rank`` is not needed by callers.
    """

    customer: np.ndarray  # int64 codes, ascending
    reached: np.ndarray  # int8, 1..n
    times: np.ndarray  # int64 (m, n) ns, NAT when not reached
    group: np.ndarray | None  # int64 group code of the counting attempt's entering event
    excluded: np.ndarray  # bool
    data_start: int | None  # first and last event time seen (ns), None without events
    data_end: int | None


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


def _segments(values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


def _first_best(owner: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Index of the first row with the highest score within each run of equal ``owner``."""
    starts = _segments(owner)
    best = np.maximum.reduceat(score, starts)
    counts = np.diff(np.append(starts, len(owner)))
    hit = np.flatnonzero(score == np.repeat(best, counts))
    return hit[_segments(owner[hit])]


def _run_bounds(c: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal (customer, time)."""
    n = len(c)
    new = np.ones(n, dtype=bool)
    if n > 1:
        np.not_equal(c[1:], c[:-1], out=new[1:])
        new[1:] |= t[1:] != t[:-1]
    return np.flatnonzero(new)


def _next_of(positions: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First entry of sorted ``positions`` that is >= each of ``at``: (position, found)."""
    j = np.searchsorted(positions, at.astype(positions.dtype, copy=False))
    found = j < len(positions)
    if len(positions) == 0:
        return np.zeros(len(at), dtype=np.int64), found
    return positions[np.minimum(j, len(positions) - 1)], found


# --------------------------------------------------------------------------- modes


def _chain_ordered(c, t, pos, start, window):
    """Greedy earliest chain from each start: matched positions per step (-1 when not reached)."""
    n = len(pos)
    matched = np.full((len(start), n), -1, dtype=np.int64)
    matched[:, 0] = start
    alive = np.arange(len(start))
    cur = start
    limit = t[start] + window
    cust = c[start]
    for k in range(1, n):
        cand, ok = _next_of(pos[k], cur)
        ok &= c[cand] == cust
        ok &= t[cand] <= limit
        alive, cur, limit, cust = alive[ok], cand[ok], limit[ok], cust[ok]
        matched[alive, k] = cur
        if len(alive) == 0:
            break
    return matched


def _reach_ordered(c, t, pos, entries, window):
    """Furthest step (1-based) each entry reaches, without keeping the chain."""
    reach = np.ones(len(entries), dtype=np.int8)
    alive = np.arange(len(entries))
    cur = entries
    limit = t[entries] + window
    cust = c[entries]
    for k in range(1, len(pos)):
        cand, ok = _next_of(pos[k], cur)
        ok &= c[cand] == cust
        ok &= t[cand] <= limit
        alive, cur, limit, cust = alive[ok], cand[ok], limit[ok], cust[ok]
        reach[alive] += 1
        if len(alive) == 0:
            break
    return reach


def _reach_strict(c, t, s, start, window, n):
    """Furthest step each entry reaches when the steps must be consecutive events."""
    reach = np.ones(len(start), dtype=np.int8)
    alive = np.arange(len(start))
    cur = start
    limit = t[start] + window
    cust = c[start]
    size = len(c)
    for k in range(1, n):
        nxt = np.minimum(cur + 1, size - 1)
        ok = (cur + 1 < size) & (c[nxt] == cust) & (s[nxt] == k) & (t[nxt] <= limit)
        alive, cur, limit, cust = alive[ok], nxt[ok], limit[ok], cust[ok]
        reach[alive] += 1
        if len(alive) == 0:
            break
    return reach


def _chain_strict(c, t, s, start, window, n):
    matched = np.full((len(start), n), -1, dtype=np.int64)
    matched[:, 0] = start
    alive = np.arange(len(start))
    cur = start
    limit = t[start] + window
    cust = c[start]
    size = len(c)
    for k in range(1, n):
        nxt = cur + 1
        ok = nxt < size
        nxt = np.minimum(nxt, size - 1)
        ok &= (c[nxt] == cust) & (s[nxt] == k) & (t[nxt] <= limit)
        alive, cur, limit, cust = alive[ok], nxt[ok], limit[ok], cust[ok]
        matched[alive, k] = cur
        if len(alive) == 0:
            break
    return matched


def _any_firsts(c, t, pos, starts, run_start_of, window, *, count_only=False):
    """For each start, the position of each step's first event in [t_start, t_start + window] (-1 if none).

    With ``count_only`` just the number of distinct steps found (int8), without the positions.
    """
    n = len(pos)
    first = None if count_only else np.full((len(starts), n), -1, dtype=np.int64)
    count = np.zeros(len(starts), dtype=np.int8)
    lo = run_start_of(starts)
    limit = t[starts] + window
    cust = c[starts]
    for k in range(n):
        cand, ok = _next_of(pos[k], lo)
        ok &= c[cand] == cust
        ok &= t[cand] <= limit
        if count_only:
            count += ok
        else:
            first[ok, k] = cand[ok]
    return count if count_only else first


# --------------------------------------------------------------------------- entry point


def solve(
    cust: np.ndarray,
    time_ns: np.ndarray,
    step: np.ndarray,
    *,
    n_steps: int,
    window_ns: int,
    order: str,
    group: np.ndarray | None = None,
    n_groups: int = 1,
    overwrite: bool = False,
) -> KernelResult:
    """Run the funnel over unsorted coded events.

    Parameters
    ----------
    cust : int array
        Customer code of each event (>= 0).
    time_ns : int64 array
        Event time in nanoseconds since the epoch (UTC).
    step : int array
        0..n_steps-1 for step events, n_steps for other events (used by ``order="strict"``),
        n_steps + 1 for excluded events.
    n_steps, window_ns, order
        The funnel.
    group, n_groups
        Optional group code of each event (its value on the entering event is reported).
    overwrite : bool, default False
        Let the kernel reuse ``cust`` and ``time_ns`` (int64) as work space, destroying them.
    """
    n = n_steps
    if len(cust) == 0:
        return KernelResult(
            np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros((0, n), np.int64),
            None if group is None else np.zeros(0, np.int64), np.zeros(0, bool), None, None,
        )
    c, t, s, g, unit, t0 = sort_events(cust, time_ns, step, group, n + 2, n_groups, overwrite=overwrite)
    window = window_ns // unit
    data_end = int(t.max())
    small = len(s) < np.iinfo(np.int32).max
    pos = [np.flatnonzero(s == k).astype(np.int32) if small else np.flatnonzero(s == k) for k in range(n)]
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

    if order == "any":
        starts = np.flatnonzero(s < n)
        count = _any_firsts(c, t, pos, starts, run_start_of, window, count_only=True)
        pick = _first_best(c[starts], count)
        chosen = starts[pick]
        chain_pos = _any_firsts(c, t, pos, chosen, run_start_of, window)
        chain_t = np.where(chain_pos >= 0, t[np.maximum(chain_pos, 0)], np.iinfo(np.int64).max)
        chain_t.sort(axis=1)  # time at which 1, 2, … distinct steps were reached
        chain_t[chain_t == np.iinfo(np.int64).max] = 0
        reached = count[pick]
        times = chain_t
        last_pos = chain_pos.max(axis=1)  # positions grow with time within a customer
    else:
        entries = pos[0]
        if order == "strict":
            reach_n = _reach_strict(c, t, s, entries, window, n)
            pick = _first_best(c[entries], reach_n)
            chain_pos = _chain_strict(c, t, s, entries[pick], window, n)
        else:
            reach_n = _reach_ordered(c, t, pos, entries, window)
            pick = _first_best(c[entries], reach_n)
            chain_pos = _chain_ordered(c, t, pos, entries[pick], window)
        chosen = entries[pick]
        reached = reach_n[pick]
        times = np.where(chain_pos >= 0, t[np.maximum(chain_pos, 0)], 0)
        last_pos = chain_pos[np.arange(len(chosen)), reached.astype(np.int64) - 1]

    rows = np.arange(len(chosen))
    t_last = times[rows, reached.astype(np.int64) - 1]
    excluded = np.zeros(len(chosen), dtype=bool)
    xpos = np.flatnonzero(s == n + 1)
    if len(xpos) and len(chosen):
        # an excluded event strictly later than the entry and strictly earlier than the last step reached
        last_run_start = run_start_of(last_pos)
        after_entry = run_end_of(chosen)
        between = np.searchsorted(xpos, last_run_start, side="left") - np.searchsorted(xpos, after_entry, side="right")
        excluded = (between > 0) & (t_last > t[chosen])

    steps_idx = np.arange(n)[None, :]
    out_times = np.where(steps_idx < reached[:, None], times * unit + t0, NAT)
    return KernelResult(
        customer=c[chosen],
        reached=reached,
        times=out_times.astype(np.int64),
        group=None if g is None else g[chosen],
        excluded=excluded,
        data_start=t0,
        data_end=data_end * unit + t0,
    )

