"""A brute-force funnel straight from the definitions in docs/funnels.md, for the new options.

Exhaustive search over every chain of events (small logs only), written independently of the
vectorised kernel: optional steps, a window per step, unique or total counts, and customers or
sessions as the unit. Returns, per unit, the list of attempts ``(reached, excluded, times)`` where
``times[k]`` is the time of step k+1 (None when not done).
"""

from __future__ import annotations

import pandas as pd


def _items(rows: pd.DataFrame, step_of: dict, excl: set, n: int) -> list[tuple[int, int]]:
    items = []
    for t, e in zip(rows["timestamp"], rows["event"], strict=True):
        items.append((t.value, step_of.get(e, n + 1 if e in excl else n)))
    items.sort()
    return items  # (time, rank) in the kernel's order: time, then step code


def _best_required(items, i0, required, gaps, w):
    """Longest chain over the required steps from entry i0; among the longest, the earliest positions."""
    t0 = items[i0][0]
    best: list[int] = [i0]

    def walk(chain: list[int]) -> None:
        nonlocal best
        r = len(chain)
        if len(chain) > len(best) or (len(chain) == len(best) and chain < best):
            best = list(chain)
        if r == len(required):
            return
        k = required[r]
        for j in range(chain[-1] + 1, len(items)):
            t, rank = items[j]
            if rank == k and t <= t0 + w and (gaps[k] is None or t - items[chain[-1]][0] <= gaps[k]):
                walk([*chain, j])

    walk([i0])
    return best


def _ordered_attempt(items, i0, n, optional, gaps, w):
    required = [k for k in range(n) if k not in optional]
    chain = _best_required(items, i0, required, gaps, w)
    matched: list[int | None] = [None] * n
    for k, j in zip(required, chain, strict=False):
        matched[k] = j
    t0 = items[i0][0]
    for k in sorted(optional):
        if any(matched[j] is None for j in required if j < k):
            continue
        prev = max(m for m in matched[:k] if m is not None)
        nxt = next((matched[j] for j in required if j > k), None)
        for j in range(prev + 1, len(items)):
            if items[j][1] == k and items[j][0] <= t0 + w and (nxt is None or j < nxt):
                matched[k] = j
                break
    return matched


def _strict_attempt(items, i0, n, optional, gaps, w):
    t0 = items[i0][0]
    matched: list[int | None] = [None] * n
    matched[0] = i0
    at, j, last_req = 0, i0, t0
    while at < n - 1:
        j += 1
        while j < len(items) and items[j][1] == at:  # a repeat of the step just reached
            j += 1
        if j >= len(items):
            break
        t, rank = items[j]
        allowed = [k for k in range(at + 1, n)]
        allowed = allowed[: next((i for i, k in enumerate(allowed) if k not in optional), len(allowed) - 1) + 1]
        if rank not in allowed or t > t0 + w or (gaps[rank] is not None and t - last_req > gaps[rank]):
            break
        matched[rank] = j
        at = rank
        if rank not in optional:
            last_req = t
    return matched


def _any_attempt(items, i0, n, w):
    t0 = items[i0][0]
    firsts: dict[int, int] = {}
    for j, (t, rank) in enumerate(items):
        if rank < n and t0 <= t <= t0 + w and rank not in firsts:
            firsts[rank] = j
    return firsts


def reference_units(ev: pd.DataFrame, steps, *, window=None, order="ordered", exclusions=(), optional=(),
                    step_windows=None, count="unique", unit="customer") -> dict:
    """unit key -> list of attempts ``(reached, excluded, times)`` (one attempt unless count="total")."""
    n = len(steps)
    step_of = {e: k for k, s in enumerate(steps) for e in ([s] if isinstance(s, str) else s)}
    excl = set(exclusions)
    opt = {k - 1 for k in optional}
    gaps = [None] * n
    for k, g in (step_windows or {}).items():
        gaps[k - 1] = pd.Timedelta(g).value
    w = 2**62 if window is None else pd.Timedelta(window).value
    keys = ["customer_id", "session_id"] if unit == "session" else ["customer_id"]
    out = {}
    for key, rows in ev.groupby(keys, sort=True):
        items = _items(rows, step_of, excl, n)
        entries = [i for i, (_, r) in enumerate(items) if (r < n if order == "any" else r == 0)]
        if not entries:
            continue
        attempts = []
        for i0 in entries:
            if order == "any":
                firsts = _any_attempt(items, i0, n, w)
                pos = sorted(firsts.values())
                times = [items[j][0] for j in pos] + [None] * (n - len(pos))
                attempts.append((i0, len(pos), times, max(pos)))
                continue
            fn = _strict_attempt if order == "strict" else _ordered_attempt
            matched = fn(items, i0, n, opt, gaps, w)
            reached = max(k + 1 for k, m in enumerate(matched) if m is not None)
            n_req = sum(1 for k, m in enumerate(matched) if m is not None and k not in opt)
            times = [None if m is None else items[m][0] for m in matched]
            attempts.append((i0, reached if order == "any" else (reached, n_req), times,
                             max(m for m in matched if m is not None)))
        if count == "unique":
            score = [a[1] if order == "any" else a[1][1] for a in attempts]
            chosen = [attempts[score.index(max(score))]]
        else:
            chosen, last = [], -1
            for a in attempts:
                if a[0] > last:
                    chosen.append(a)
                    last = a[3]
        result = []
        for i0, reached, times, last in chosen:
            r = reached if order == "any" else reached[0]
            t_entry, t_last = items[i0][0], items[last][0]
            if order == "any":
                t_entry = times[0]
            excluded = any(rank == n + 1 and t_entry < t < t_last for t, rank in items)
            result.append((r, excluded, times))
        out[key if unit == "session" else key[0]] = result
    return out
