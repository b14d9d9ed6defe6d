"""The pandas/numpy paths engine: events sorted once, then sessions, transitions and sequences as array
operations (no Python loop per customer). Parquet files are read whole with pyarrow."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jkit.paths.frames import check_frame, customer_values, event_codes, parquet_files, time_ns
from jkit.paths.spec import PathRequest, Source, source_name

__all__ = ["run"]


def _read(source: Source, request: PathRequest) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    files = parquet_files(source)
    import pyarrow.parquet as pq

    names = pq.read_schema(files[0]).names
    cols = [c for c in request.columns if c in names]
    return pd.concat([pq.read_table(f, columns=cols).to_pandas() for f in files], ignore_index=True)


def _starts(keys: np.ndarray) -> np.ndarray:
    """True where a sorted key array changes (and at 0)."""
    out = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        out[1:] = keys[1:] != keys[:-1]
    return out


def _number_within(starts: np.ndarray) -> np.ndarray:
    """0-based position within each run that ``starts`` opens."""
    idx = np.arange(len(starts))
    return idx - np.maximum.accumulate(np.where(starts, idx, 0))


def _gap_cut(c: np.ndarray, t: np.ndarray, gap: int) -> np.ndarray:
    """1-based session number per event of arrays sorted by customer then time."""
    new = _starts(c)
    if len(t) > 1:
        new[1:] |= (t[1:] - t[:-1]) > gap
    cum = np.cumsum(new)
    return cum - cum[np.flatnonzero(_starts(c))][np.cumsum(_starts(c)) - 1] + 1


def _column_sessions(c: np.ndarray, t: np.ndarray, s: np.ndarray, gap: int) -> np.ndarray:
    """Session numbers from the session column (codes ``s``, -1 for none); events without one are cut by ``gap``."""
    key = s.copy()
    none = s < 0
    if none.any():
        key[none] = s.max() + 1 + _gap_cut(c[none], t[none], gap)
    combo = c * (int(key.max()) + 1) + key
    uniq, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    order = np.lexsort((first, uniq // (int(key.max()) + 1)))
    number = np.empty(len(uniq), dtype=np.int64)
    number[order] = _number_within(_starts((uniq // (int(key.max()) + 1))[order])) + 1
    return number[inverse.reshape(-1)]


def _event_order(c: np.ndarray, t: np.ndarray, e: np.ndarray, tie: np.ndarray | None) -> np.ndarray:
    """The order by customer, time, tie rank, event code, then input position (``np.lexsort``'s result).

    Times are replaced by their rank among the distinct times, so the keys pack into one int64
    when they fit and one stable sort replaces lexsort's three or four (1.5x faster on 10M events).
    """
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    by_time = np.argsort(t, kind="stable")
    sorted_t = t[by_time]
    new = np.empty(len(t), dtype=bool)
    new[0] = True
    np.not_equal(sorted_t[1:], sorted_t[:-1], out=new[1:])
    rank = np.empty(len(t), dtype=np.int64)
    rank[by_time] = np.cumsum(new) - 1
    del by_time, sorted_t, new
    n_t, n_e = int(rank.max()) + 1, int(e.max()) + 1
    n_tie = int(tie.max()) + 1 if tie is not None else 1
    if (int(c.max()) + 1) * n_t * n_tie * n_e >= 2**63:  # too many distinct values to pack: lexsort
        return np.lexsort([e, t, c] if tie is None else [e, tie, t, c])
    key = c * (n_t * n_tie * n_e) + rank * (n_tie * n_e) + e
    if tie is not None:
        key += tie * n_e
    return np.argsort(key, kind="stable")


def _ordered(frame: pd.DataFrame, request: PathRequest, where: str) -> dict[str, np.ndarray]:
    """Arrays sorted by unit then time, event name and input row: c, t, e, row, session, unit (+ names)."""
    check_frame(frame, request, where)
    t = time_ns(frame, request, where)
    e, names = event_codes(frame[request.event_col], request.mapping)
    c, customers = customer_values(frame[request.customer_col])
    tie = np.array([request.tie_rank(n) for n in names], dtype=np.int64)[e] if request.tie_order and len(names) else None
    order = _event_order(c, t, e, tie)
    arrays = {"c": c[order], "t": t[order], "e": e[order], "row": order.astype(np.int64)}
    if request.needs_sessions:
        if request.session_source == "column":
            s_codes, s_values = pd.factorize(frame[request.session_col])
            blank = np.flatnonzero(np.asarray([str(v) == "" for v in s_values], dtype=bool))
            s_codes = np.where(np.isin(s_codes, blank), -1, s_codes)  # an empty id is no id, as in DuckDB's NULLIF
            s = s_codes.astype(np.int64)[order]
            number = _column_sessions(arrays["c"], arrays["t"], s, request.gap_ns)
        else:
            number = _gap_cut(arrays["c"], arrays["t"], request.gap_ns)
        arrays["session_number"] = number
        # sessions over the table, by customer then session number (gap sessions are already in that order)
        pair = np.lexsort((number, arrays["c"])) if request.session_source == "column" else slice(None)
        index = np.empty(len(number), dtype=np.int64)
        index[pair] = np.cumsum(_starts(arrays["c"][pair]) | _starts(number[pair])) - 1
        arrays["session_index"] = index
    arrays["unit"] = arrays["session_index"] if request.unit == "session" else arrays["c"]
    if request.unit == "session" and request.session_source == "column":
        regroup = np.lexsort((np.arange(len(order)), arrays["unit"]))  # stable: time order kept within a session
        arrays = {k: v[regroup] for k, v in arrays.items()}
    if request.collapse and len(e):
        keep = _starts(arrays["unit"])
        keep[1:] |= arrays["e"][1:] != arrays["e"][:-1]
        arrays = {k: v[keep] for k, v in arrays.items()}
    arrays["names"], arrays["customers"] = names, customers
    return arrays


def _sessions(frame: pd.DataFrame, request: PathRequest, arrays: dict) -> pd.DataFrame:
    back = np.argsort(arrays["row"], kind="stable")
    out = frame[list(request.columns)].reset_index(drop=True).copy()
    out["session_number"] = arrays["session_number"][back]
    out["session_index"] = arrays["session_index"][back]
    return out


def _transitions(frame: pd.DataFrame, request: PathRequest, arrays: dict) -> pd.DataFrame:
    u, e, t, c = arrays["unit"], arrays["e"], arrays["t"], arrays["c"]
    same = u[1:] == u[:-1] if len(u) > 1 else np.zeros(0, dtype=bool)
    src = np.flatnonzero(same)
    table = pd.DataFrame({"__s": e[src], "__g": e[src + 1], "__c": c[src], "__dt": t[src + 1] - t[src]})
    by = list(request.by)
    for b in by:
        table[b] = frame[b].to_numpy()[arrays["row"][src]]
    grouped = table.groupby([*by, "__s", "__g"], dropna=False, sort=False, observed=True)
    out = grouped.agg(transitions=("__c", "size"), customers=("__c", "nunique"), median_ns=("__dt", "median"))
    out = out.reset_index()
    names = arrays["names"]
    out.insert(0, "source", names[out.pop("__s").to_numpy()] if len(out) else np.zeros(0, dtype=object))
    out.insert(1, "target", names[out.pop("__g").to_numpy()] if len(out) else np.zeros(0, dtype=object))
    return out


def _sequences(request: PathRequest, arrays: dict) -> pd.DataFrame:
    u, e, c = arrays["unit"], arrays["e"], arrays["c"]
    names, n = arrays["names"], request.steps
    starts = _starts(u)
    pos = _number_within(starts)
    unit_id = np.cumsum(starts) - 1
    n_units = int(unit_id[-1]) + 1 if len(u) else 0
    anchor_event = request.start if request.anchor == "start" else request.end
    if anchor_event is None:
        anchor = np.zeros(n_units, dtype=np.int64)
    else:
        code = np.searchsorted(names, anchor_event)
        hit = (e == code) if code < len(names) and names[code] == anchor_event else np.zeros(len(e), dtype=bool)
        anchor = np.full(n_units, -1, dtype=np.int64)
        first_units, first_at = np.unique(unit_id[hit], return_index=True)
        anchor[first_units] = pos[hit][first_at]
    a = anchor[unit_id]
    col = pos - a if request.anchor == "start" else n - 1 - (a - pos)
    keep = (a >= 0) & (col >= 0) & (col < n)
    wide = np.full((n_units, n), -1, dtype=np.int64)
    wide[unit_id[keep], col[keep]] = e[keep]
    has = anchor >= 0
    wide, unit_customer = wide[has], c[np.flatnonzero(starts)][has]
    if not len(wide):
        return pd.DataFrame({**{f"step_{k}": pd.Series([], dtype=object) for k in range(1, n + 1)},
                             "units": pd.Series([], dtype=np.int64), "customers": pd.Series([], dtype=np.int64)})
    uniq, inverse, units = np.unique(wide, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    pairs = np.unique(np.stack([inverse, unit_customer]), axis=1)
    customers = np.bincount(pairs[0], minlength=len(uniq))
    labels = np.append(names, None).astype(object)  # code -1 -> None
    out = pd.DataFrame({f"step_{k + 1}": labels[uniq[:, k]] for k in range(n)})
    out["units"] = units.astype(np.int64)
    out["customers"] = customers.astype(np.int64)
    return out


def run(source: Source, request: PathRequest) -> pd.DataFrame:
    """The pandas engine: ``run(source, request) -> DataFrame`` (see :mod:`jkit.paths.spec` for what each kind returns)."""
    where = source_name(source)
    frame = _read(source, request)
    arrays = _ordered(frame, request, where)
    if request.kind == "sessions":
        return _sessions(frame, request, arrays)
    if request.kind == "transitions":
        return _transitions(frame, request, arrays)
    return _sequences(request, arrays)
