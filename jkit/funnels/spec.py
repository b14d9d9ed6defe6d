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

from jkit._rules import as_list, column_list, to_utc
from jkit.errors import MissingColumnError, MissingResourceError, ParameterError

__all__ = [
    "ORDERS",
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
SET_ASIDE_MISSING = "missing customer or time"
SET_ASIDE_AFTER_END = "after end"


@dataclass(frozen=True)
class FunnelSpec:
    """A validated funnel request, as every engine receives it."""

    steps: tuple[frozenset[str], ...]
    names: tuple[str, ...]
    window: pd.Timedelta
    order: str
    by: tuple[str, ...] = ()
    exclusions: frozenset[str] = frozenset()
    customer_col: str = "customer_id"
    time_col: str = "timestamp"
    event_col: str = "event"
    end: pd.Timestamp | None = None

    @property
    def n(self) -> int:
        return len(self.steps)

    @property
    def window_ns(self) -> int:
        return int(self.window.value)

    @property
    def code_of(self) -> dict[str, int]:
        """Event name -> step code (0..n-1 steps, n+1 exclusions)."""
        codes = {e: k for k, step in enumerate(self.steps) for e in step}
        codes.update({e: self.n + 1 for e in self.exclusions})
        return codes

    @property
    def columns(self) -> list[str]:
        cols = [self.customer_col, self.time_col, self.event_col, *self.by]
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


def make_spec(steps, *, window, order, by, exclusions, customer_col, time_col, event_col, step_names,
              end) -> FunnelSpec:
    """Validate the arguments of :func:`jkit.funnels.funnel_journeys` into a :class:`FunnelSpec`."""
    if order not in ORDERS:
        raise ParameterError(f"order={order!r} is not known; expected one of {column_list(ORDERS)}")
    parsed, names = _parse_steps(steps, step_names, order)
    for col, role in ((customer_col, "customer_col"), (time_col, "time_col"), (event_col, "event_col")):
        if not isinstance(col, str) or not col:
            raise ParameterError(f"{role}={col!r} should be a column name")
    excl = frozenset((exclusions,) if isinstance(exclusions, str) else exclusions)
    step_events = {e for s in parsed for e in s}
    clash = sorted(excl & step_events)
    if clash:
        raise ParameterError(f"exclusions {clash!r} are also funnel steps; an excluded event cannot be a step")
    return FunnelSpec(
        steps=parsed, names=names, window=parse_window(window), order=order, by=tuple(as_list(by)),
        exclusions=excl, customer_col=customer_col, time_col=time_col, event_col=event_col,
        end=None if end is None else to_utc(end),
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
    missing = [(role, col) for role, col in roles if col not in found]
    if missing:
        what = ", ".join(f"{role}={col!r}" for role, col in missing)
        raise MissingColumnError(f"{where}: no column {what}; found columns {column_list(found)}")
