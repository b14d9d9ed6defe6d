"""The funnel's engine interface: the validated request (:class:`FunnelSpec`), what an engine returns
(:class:`EngineResult`), building a spec from the user's arguments, and the sources engines read.

An engine turns an events source (a DataFrame, or Parquet/CSV files) and a :class:`FunnelSpec`
into an :class:`EngineResult`: one row per customer who entered the funnel. The semantics are
not the engine's business — kernel-based engines code their events and call
:func:`jkit.funnels.kernel.solve`, then :func:`jkit.funnels.coding.engine_result`.

An engine is a module with ``run(source, spec) -> EngineResult`` named in
:data:`jkit.funnels.engines.ENGINES`; it imports this module, :mod:`jkit.funnels.kernel` and
:mod:`jkit.funnels.coding` only, so adding one touches the ``engines`` folder alone.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list, column_list, require_roles, to_utc
from jkit.errors import MissingColumnError, MissingResourceError, ParameterError

__all__ = [
    "COUNTS",
    "ORDERS",
    "UNITS",
    "SET_ASIDE_AFTER_END",
    "SET_ASIDE_MISSING",
    "EngineResult",
    "FunnelSpec",
    "Source",
    "Step",
    "check_columns",
    "expand_paths",
    "file_kind",
    "make_spec",
    "parse_window",
    "source_name",
]

Source = pd.DataFrame | str | Path | Sequence[str | Path]
Step = str | Iterable[str]

ORDERS = ("ordered", "strict", "any")
COUNTS = ("unique", "total")
UNITS = ("customer", "session")
SET_ASIDE_MISSING = "missing customer or time"
SET_ASIDE_AFTER_END = "after end"


@dataclass(frozen=True)
class FunnelSpec:
    """A validated funnel request, as every engine receives it."""

    steps: tuple[frozenset[str], ...]
    names: tuple[str, ...]
    window: pd.Timedelta | None
    order: str
    by: tuple[str, ...] = ()
    exclusions: frozenset[str] = frozenset()
    customer_col: str = "customer_id"
    time_col: str = "timestamp"
    event_col: str = "event"
    end: pd.Timestamp | None = None
    optional: tuple[int, ...] = ()  # 0-based step indices
    step_windows: tuple[pd.Timedelta | None, ...] | None = None  # per step index; None at step 0
    count: str = "unique"
    unit: str = "customer"
    session_col: str = "session_id"

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def window_ns(self) -> int | None:
        """The window in nanoseconds; None without a window."""
        return None if self.window is None else int(self.window.value)

    @property
    def unit_cols(self) -> list[str]:
        """The columns that identify what is counted: the customer, and the session with ``unit="session"``."""
        return [self.customer_col, self.session_col] if self.unit == "session" else [self.customer_col]

    def kernel_options(self) -> dict:
        """The keyword arguments of :func:`jkit.funnels.kernel.solve` that come from the spec."""
        gaps = None if self.step_windows is None else [None if w is None else int(w.value) for w in self.step_windows]
        return {"n_steps": self.n, "window_ns": self.window_ns, "order": self.order, "optional": self.optional,
                "step_windows_ns": gaps, "count": self.count}

    @property
    def code_of(self) -> dict[str, int]:
        """Event name -> step code (0..n-1 steps, n+1 exclusions)."""
        codes = {e: k for k, step in enumerate(self.steps) for e in step}
        codes.update({e: self.n + 1 for e in self.exclusions})
        return codes

    @property
    def columns(self) -> list[str]:
        cols = [*self.unit_cols, self.time_col, self.event_col, *self.by]
        return list(dict.fromkeys(cols))


@dataclass
class EngineResult:
    """What an engine returns.

    ``journeys`` has one row per customer who entered: ``customer_col``, the ``by`` columns
    (values of the counting attempt's entering event), ``reached`` (1..n), ``excluded`` and
    ``time_1`` … ``time_n`` (UTC). ``step_events[k]`` counts the events matching step k+1;
    ``excluded_events`` the excluded events; ``set_aside`` rows not used, by reason.
    """

    journeys: pd.DataFrame
    step_events: list[int]
    excluded_events: int
    set_aside: dict[str, int] = field(default_factory=dict)
    data_start: pd.Timestamp | None = None
    data_end: pd.Timestamp | None = None
    source: str = "events"


# --------------------------------------------------------------------------- building a spec


def parse_window(window: Any) -> pd.Timedelta:
    """A positive duration (``"14D"``, ``"36h"``, a Timedelta); a ParameterError for anything else."""
    if isinstance(window, (bool, int, float, np.number)):
        raise ParameterError(f"window={window!r} should be a duration such as '14D', '36h' or pd.Timedelta(days=7)")
    try:
        value = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ParameterError(f"window={window!r} should be a duration such as '14D', '36h' or '90min'") from None
    if pd.isna(value) or value <= pd.Timedelta(0):
        raise ParameterError(f"window={window!r} should be a positive duration such as '14D'")
    return value


def _parse_steps(steps: Sequence[Step], step_names: Sequence[str] | None, order: str) -> tuple:
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        raise ParameterError(
            f"steps={steps!r} should be a list of event names or sets of names, e.g. ['visit', 'cart', 'purchase']"
        )
    parsed: list[frozenset[str]] = []
    for k, step in enumerate(steps, start=1):
        names = frozenset([step]) if isinstance(step, str) else frozenset(step)
        if not names or not all(isinstance(e, str) and e for e in names):
            raise ParameterError(f"step {k} ({step!r}) should be an event name or a non-empty set of event names")
        parsed.append(names)
    if len(parsed) < 2:
        raise ParameterError(f"a funnel needs at least two steps; got {len(parsed)} ({list(steps)!r})")
    if len(parsed) > 30:
        raise ParameterError(f"a funnel takes at most 30 steps; got {len(parsed)}")
    owner: dict[str, int] = {}
    for k, names in enumerate(parsed, start=1):
        for e in sorted(names):
            if e in owner:
                raise ParameterError(
                    f"event {e!r} is in step {owner[e]} and step {k}; each event may belong to one step only"
                )
            owner[e] = k
    if step_names is None:
        names_out = [next(iter(s)) if isinstance(st, str) or len(s) == 1 else " or ".join(sorted(s))
                     for st, s in zip(steps, parsed, strict=True)]
    else:
        names_out = [str(n) for n in step_names]
        if len(names_out) != len(parsed):
            raise ParameterError(f"step_names has {len(names_out)} names for {len(parsed)} steps")
    if order == "any":
        names_out = [f"{k} of {len(parsed)} steps" for k in range(1, len(parsed) + 1)]
    return tuple(parsed), tuple(names_out)


def _step_index(value: Any, names: Sequence[str], n: int, what: str) -> int:
    """A step given by its 1-based number or its name, as a 0-based index."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 1 <= int(value) <= n:
            raise ParameterError(f"{what}: step {value!r} is not a step number; expected 1 to {n}")
        return int(value) - 1
    if isinstance(value, str) and value in names:
        return list(names).index(value)
    raise ParameterError(f"{what}: {value!r} is neither a step number (1 to {n}) nor a step name of {list(names)!r}")


def _parse_optional(optional: Any, names: Sequence[str], n: int, order: str) -> tuple[int, ...]:
    items = [optional] if isinstance(optional, (str, int)) else list(optional or ())
    found = sorted({_step_index(v, names, n, "optional") for v in items})
    if found and order == "any":
        raise ParameterError("optional steps need order='ordered' or 'strict'; with order='any' every step already is")
    if 0 in found:
        raise ParameterError("optional: step 1 cannot be optional (it is where customers enter the funnel)")
    if len(found) == n - 1:
        raise ParameterError("optional: at least one step after step 1 must be required")
    return tuple(found)


def _parse_step_windows(step_windows: Any, names: Sequence[str], n: int, order: str,
                        optional: tuple[int, ...]) -> tuple[pd.Timedelta | None, ...] | None:
    if step_windows is None:
        return None
    if order == "any":
        raise ParameterError("step_windows need order='ordered' or 'strict' (with order='any' steps have no previous step)")
    out: list[pd.Timedelta | None] = [None] * n
    if isinstance(step_windows, dict):
        for key, value in step_windows.items():
            k = _step_index(key, names, n, "step_windows")
            if k == 0:
                raise ParameterError("step_windows: step 1 has no previous step; give windows for steps 2 and later")
            out[k] = None if value is None else parse_window(value)
    elif isinstance(step_windows, Sequence) and not isinstance(step_windows, str):
        if len(step_windows) != n - 1:
            raise ParameterError(f"step_windows has {len(step_windows)} windows; expected {n - 1} (steps 2 to {n}), "
                                 "None where a step has no window of its own")
        out[1:] = [None if w is None else parse_window(w) for w in step_windows]
    else:
        raise ParameterError(f"step_windows={step_windows!r} should map step numbers or names to durations, "
                             "e.g. {3: '1h'}, or list one duration (or None) per step after the first")
    for k in optional:
        if out[k] is not None:
            raise ParameterError(f"step_windows: step {k + 1} is optional; only required steps can have a window")
    return tuple(out)


def make_spec(steps, *, window, order, by, exclusions, customer_col, time_col, event_col, step_names,
              end, optional=(), step_windows=None, count="unique", unit="customer",
              session_col="session_id") -> FunnelSpec:
    """Validate the arguments of :func:`jkit.funnels.funnel_journeys` into a :class:`FunnelSpec`."""
    if order not in ORDERS:
        raise ParameterError(f"order={order!r} is not known; expected one of {column_list(ORDERS)}")
    if count not in COUNTS:
        raise ParameterError(f"count={count!r} is not known; expected one of {column_list(COUNTS)}")
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r} is not known; expected one of {column_list(UNITS)}")
    parsed, names = _parse_steps(steps, step_names, order)
    cols = ((customer_col, "customer_col"), (time_col, "time_col"), (event_col, "event_col"), (session_col, "session_col"))
    for col, role in cols:
        if not isinstance(col, str) or not col:
            raise ParameterError(f"{role}={col!r} should be a column name")
    excl = frozenset((exclusions,) if isinstance(exclusions, str) else exclusions)
    step_events = {e for s in parsed for e in s}
    clash = sorted(excl & step_events)
    if clash:
        raise ParameterError(f"exclusions {clash!r} are also funnel steps; an excluded event cannot be a step")
    given = list(step_names) if step_names is not None else list(names)
    opt = _parse_optional(optional, given, len(parsed), order)
    return FunnelSpec(
        steps=parsed, names=names, window=None if window is None else parse_window(window), order=order,
        by=tuple(as_list(by)), exclusions=excl, customer_col=customer_col, time_col=time_col,
        event_col=event_col, end=None if end is None else to_utc(end), optional=opt,
        step_windows=_parse_step_windows(step_windows, given, len(parsed), order, opt), count=count, unit=unit,
        session_col=session_col,
    )


# --------------------------------------------------------------------------- sources


def expand_paths(source: str | Path | Sequence[str | Path]) -> list[Path]:
    """Files of a path, folder (its Parquet/CSV files), glob, or list of those; all of one format."""
    items = [source] if isinstance(source, (str, Path)) else list(source)
    files: list[Path] = []
    for item in items:
        text = str(item)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not found:
                raise MissingResourceError(f"{text}: no file matches this pattern")
            files += found
        elif Path(text).is_dir():
            found = sorted(p for p in Path(text).rglob("*") if p.is_file() and file_kind(p) is not None)
            if not found:
                raise MissingResourceError(f"{text}: the folder holds no .parquet or .csv file")
            files += found
        elif Path(text).is_file():
            files.append(Path(text))
        else:
            raise MissingResourceError(f"{text}: no such file")
    kinds = {file_kind(f) for f in files}
    if None in kinds:
        bad = next(f for f in files if file_kind(f) is None)
        raise ParameterError(f"{bad.name}: unknown file type; expected .parquet, .csv or .csv.gz files")
    if len(kinds) > 1:
        raise ParameterError("events files mix Parquet and CSV; give files of one format")
    return files


def file_kind(path: Path) -> str | None:
    """``"parquet"`` or ``"csv"`` by the file's name (``.parquet``/``.pq``, ``.csv``/``.csv.gz``), else None."""
    name = path.name.lower()
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


def source_name(source: Source) -> str:
    """The name messages give a source: ``"events"`` for a DataFrame, else the (first) file's name."""
    if isinstance(source, pd.DataFrame):
        return "events"
    files = [source] if isinstance(source, (str, Path)) else list(source)
    return Path(str(files[0])).name if len(files) == 1 else f"{Path(str(files[0])).name} (+{len(files) - 1} files)"


def check_columns(found: Sequence[str], spec: FunnelSpec, where: str) -> None:
    """Raise :class:`~jkit.errors.MissingColumnError` naming every requested column (and its role) ``where`` lacks."""
    roles = [("customer_col", spec.customer_col), ("time_col", spec.time_col), ("event_col", spec.event_col)]
    roles += [("by", b) for b in spec.by]
    if spec.unit == "session" and spec.session_col not in found:
        raise MissingColumnError(
            f"{where}: unit='session' counts by column {spec.session_col!r}, which is missing (found columns "
            f"{column_list(found)}); assign sessions first (jkit.paths.sessions) or name the column with session_col="
        )
    require_roles(found, roles, where)
