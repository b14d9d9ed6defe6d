"""The funnel's chain searches over sorted events: one function per way of matching steps.

All functions work on events sorted by (customer, time, step code) — the arrays ``c`` (customer
code), ``t`` (time, in the kernel's unit, from 0) and ``s`` (step code) of
:func:`jkit.funnels.kernel.sort_events` — and on ``pos[k]``, the sorted positions of the events of
step ``k``. A chain is a row of ``matched`` positions, one column per step, ``-1`` where the step
was not matched. Every search is vectorised over many starts at once (one numpy call per step),
never a Python loop over customers or events.

Time limits never overflow: :func:`limit_of` bounds ``t_start + window`` by the last event time
``span``, so a window as long as the data (or longer, or none) matches everything.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "chain_ordered",
    "chain_required",
    "chain_strict",
    "fill_optional",
    "first_best",
    "limit_of",
    "next_of",
    "next_run",
    "reach_ordered",
    "segments",
]


def limit_of(t_start: np.ndarray, window: int, span: int) -> np.ndarray:
    """``min(t_start + window, span)`` without int64 overflow (``window`` is clipped to ``span`` first)."""
    w = min(int(window), int(span))
    return np.minimum(t_start, span - w) + w


def segments(values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


def first_best(owner: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Index of the first row with the highest score within each run of equal ``owner``."""
    starts = segments(owner)
    best = np.maximum.reduceat(score, starts)
    counts = np.diff(np.append(starts, len(owner)))
    hit = np.flatnonzero(score == np.repeat(best, counts))
    return hit[segments(owner[hit])]


def next_of(positions: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First entry of sorted ``positions`` that is >= each of ``at``: (position, found)."""
    j = np.searchsorted(positions, at.astype(positions.dtype, copy=False))
    found = j < len(positions)
    if len(positions) == 0:
        return np.zeros(len(at), dtype=np.int64), found
    return positions[np.minimum(j, len(positions) - 1)], found


def next_run(c: np.ndarray, s: np.ndarray) -> np.ndarray:
    """For each event, the position of the first later event of another step or customer (``len(c)`` if none).

    This is how strict order skips repeats of the step just reached: ``a b b c`` goes from the
    first ``b`` straight to ``c``.
    """
    size = len(c)
    new = np.ones(size, dtype=bool)
    if size > 1:
        np.not_equal(c[1:], c[:-1], out=new[1:])
        new[1:] |= s[1:] != s[:-1]
    starts = np.flatnonzero(new)
    run = np.cumsum(new) - 1
    return np.append(starts[1:], size)[run]


# --------------------------------------------------------------------------- ordered, every step required


def reach_ordered(c, t, pos, entries, window, span):
    """Furthest step (1-based) each entry reaches by the greedy earliest chain, without keeping it."""
    reach = np.ones(len(entries), dtype=np.int8)
    alive = np.arange(len(entries))
    cur = entries
    limit = limit_of(t[entries], window, span)
    cust = c[entries]
    for k in range(1, len(pos)):
        cand, ok = next_of(pos[k], cur)
        ok &= c[cand] == cust
        ok &= t[cand] <= limit
        alive, cur, limit, cust = alive[ok], cand[ok], limit[ok], cust[ok]
        reach[alive] += 1
        if len(alive) == 0:
            break
    return reach


def chain_ordered(c, t, pos, start, window, span):
    """Greedy earliest chain from each start: matched positions per step (-1 when not reached)."""
    n = len(pos)
    matched = np.full((len(start), n), -1, dtype=np.int64)
    matched[:, 0] = start
    alive = np.arange(len(start))
    cur = start
    limit = limit_of(t[start], window, span)
    cust = c[start]
    for k in range(1, n):
        cand, ok = next_of(pos[k], cur)
        ok &= c[cand] == cust
        ok &= t[cand] <= limit
        alive, cur, limit, cust = alive[ok], cand[ok], limit[ok], cust[ok]
        matched[alive, k] = cur
        if len(alive) == 0:
            break
    return matched


# --------------------------------------------------------------------------- ordered with step windows


def chain_required(c, t, pos, required, entries, window, span, gaps, *, pick_first=True):
    """Chains over the required steps when each may carry its own window from the previous required step.

    Greedy earliest matching is not exact here (an early ``b`` may be too far from ``c``), so two
    passes decide it: forward, the latest entry from which each event can be reached (it is
    non-decreasing along a customer's events, so the last reachable predecessor is the best);
    backward, the earliest time each event can finish its customer's furthest reachable step (also
    non-decreasing, so the first finishing successor is the best). ``required`` are the step
    indices that must be matched, ``gaps[k]`` the window of step ``k`` (None: none). ``entries`` are
    candidate entries; with ``pick_first`` the earliest one of each customer that reaches its
    furthest step is chosen (else they hold one entry per customer). Returns ``(chosen, matched)``
    with -1 for the optional steps (see :func:`fill_optional`).
    """
    n = len(pos)
    if len(entries) == 0:
        return entries, np.full((0, n), -1, dtype=np.int64)
    levels = [pos[k] for k in required]
    levels[0] = entries
    big = np.iinfo(np.int64).max
    gap = [big if gaps[k] is None else int(gaps[k]) for k in required]
    cust_of = np.unique(c[entries])
    best = np.ones(len(cust_of), dtype=np.int8)  # furthest required level reached + 1, per customer
    defined, latest = entries, t[entries]
    for r in range(1, len(levels)):
        e = levels[r]
        jj = np.maximum(np.searchsorted(defined, e) - 1, 0)
        p, lat = defined[jj], latest[jj]
        ok = (p < e) & (c[p] == c[e]) & (t[e] - t[p] <= gap[r]) & (t[e] <= limit_of(lat, window, span))
        defined, latest = e[ok], lat[ok]
        if len(defined) == 0:
            break
        best[np.searchsorted(cust_of, c[defined])] = r + 1
    finish_pos: list[np.ndarray] = [np.zeros(0, np.int64)] * len(levels)
    finish_t: list[np.ndarray] = [np.zeros(0, np.int64)] * len(levels)
    for r in range(len(levels) - 1, -1, -1):
        e = levels[r]
        idx = np.minimum(np.searchsorted(cust_of, c[e]), len(cust_of) - 1)
        target = np.where(cust_of[idx] == c[e], best[idx], 0)
        done = target == r + 1
        pos_r, t_r = e[done], t[e[done]]
        more = np.flatnonzero(target > r + 1)
        if len(more) and len(finish_pos[r + 1]):
            here = e[more]
            k = np.minimum(np.searchsorted(finish_pos[r + 1], here), len(finish_pos[r + 1]) - 1)
            q = finish_pos[r + 1][k]
            found = (q > here) & (c[q] == c[here]) & (t[q] - t[here] <= gap[r + 1])
            pos_r = np.concatenate((pos_r, here[found]))
            t_r = np.concatenate((t_r, finish_t[r + 1][k][found]))
            order = np.argsort(pos_r, kind="stable")
            pos_r, t_r = pos_r[order], t_r[order]
        finish_pos[r], finish_t[r] = pos_r, t_r
    starts = finish_pos[0][finish_t[0] <= limit_of(t[finish_pos[0]], window, span)]
    chosen = starts[segments(c[starts])] if pick_first else starts
    matched = np.full((len(chosen), n), -1, dtype=np.int64)
    matched[:, 0] = chosen
    alive, cur = np.arange(len(chosen)), chosen
    for r in range(1, len(levels)):
        q, found = next_of(finish_pos[r], cur)
        found &= c[q] == c[cur]
        alive, cur = alive[found], q[found]
        matched[alive, required[r]] = cur
        if len(alive) == 0:
            break
    return chosen, matched


def fill_optional(c, t, pos, optional, matched, window, span):
    """Mark the optional steps done within each chain: an event of the step after the step matched
    before it and no later than the next required step matched (or within the window when that
    step was not reached). Optional steps after the first required step not reached stay -1."""
    n = matched.shape[1]
    opt = set(optional)
    limit = limit_of(t[matched[:, 0]], window, span)
    for k in sorted(optional):
        prev = matched[:, :k].max(axis=1)
        nxt_req = next((j for j in range(k + 1, n) if j not in opt), None)
        blocked = np.zeros(len(matched), dtype=bool)
        for j in range(1, k):  # a required step before k that was not reached
            if j not in opt:
                blocked |= matched[:, j] < 0
        cand, ok = next_of(pos[k], prev + 1)
        ok &= ~blocked
        ok &= c[cand] == c[matched[:, 0]]
        ok &= t[cand] <= limit
        if nxt_req is not None:
            after = matched[:, nxt_req]
            ok &= (after < 0) | (cand < after)
        matched[ok, k] = cand[ok]
    return matched


# --------------------------------------------------------------------------- strict order


def chain_strict(c, t, s, after_run, start, window, span, n, optional=(), gaps=None):
    """Strict chains from each start: the next event that is not a repeat of the step just reached
    must be the next step (or a later one when the steps between are optional), within the window
    and within the step's own window (``gaps[k]``) from the previous required step matched."""
    opt = set(optional)
    big = np.iinfo(np.int64).max
    gap = np.array([big if gaps is None or gaps[k] is None else int(gaps[k]) for k in range(n)], dtype=np.int64)
    highest = np.array([next((j for j in range(k + 1, n) if j not in opt), n - 1) for k in range(n)], dtype=np.int64)
    required = np.array([k not in opt for k in range(n)], dtype=bool)
    size = len(c)
    matched = np.full((len(start), n), -1, dtype=np.int64)
    matched[:, 0] = start
    alive, cur, at = np.arange(len(start)), start, np.zeros(len(start), dtype=np.int64)
    limit = limit_of(t[start], window, span)
    last_req = t[start]
    cust = c[start]
    for _ in range(1, n):
        nxt = after_run[cur]
        ok = nxt < size
        nxt = np.minimum(nxt, size - 1)
        sn = s[nxt].astype(np.int64)
        ok &= (c[nxt] == cust) & (sn > at) & (sn <= highest[at]) & (t[nxt] <= limit)
        sn = np.minimum(sn, n - 1)
        ok &= t[nxt] - last_req <= gap[sn]
        alive, cur, at, limit, cust, last_req = alive[ok], nxt[ok], sn[ok], limit[ok], cust[ok], last_req[ok]
        last_req = np.where(required[at], t[cur], last_req)
        matched[alive, at] = cur
        if len(alive) == 0:
            break
    return matched
