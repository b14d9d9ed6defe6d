"""The paths engines' interface: the validated request (:class:`PathRequest`) every engine receives,
and what each kind of request returns.

An engine is a module with ``run(source, request) -> DataFrame`` named in
:data:`jkit.paths.engines.ENGINES`. It imports this module only (and jkit's shared helpers), so
adding one touches the ``engines`` folder alone. Every engine applies the same rules:

Order
    Events are ordered per customer by time, then by their place in ``tie_order`` (events it
    does not list come after), then by event name (after ``mapping``), then by input order (row
    of the DataFrame; file name and row for files). Ordering ties on the event name makes the
    result independent of how a file happened to be written.
Sessions
    With ``session_source="column"`` a session is a value of ``session_col`` within a customer;
    events without a value are cut by ``gap`` among themselves. With ``"gap"`` a new session
    starts at an event more than ``gap`` after the customer's previous event (exactly ``gap``
    stays in the session). Sessions are numbered 1, 2… per customer by their first event.
Mapping and repeats
    ``mapping`` renames events (names it does not list stay as they are); with ``collapse``
    an event equal to the previous event of its unit (customer or session) is dropped, so a
    run keeps its first event.

Kinds and what they return (one DataFrame):

``"sessions"``
    ``__row`` (0-based input position), ``session_number`` (1-based per customer) and
    ``session_index`` (0-based over the table, by customer then session), plus the columns read.
``"transitions"``
    ``source``, ``target``, the ``by`` columns (values on the source event), ``transitions``,
    ``customers`` and ``median_ns`` (median time between, float nanoseconds).
``"sequences"``
    ``step_1`` … ``step_n`` (event names, None past the path's end; right-aligned with
    ``anchor="end"``), ``units`` (customers or sessions with that sequence) and ``customers``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jkit._rules import as_list, column_list, require_roles
from jkit.errors import ParameterError
from jkit.funnels.spec import Source, parse_window, source_name  # Source, source_name: the funnels' own

__all__ = ["KINDS", "UNITS", "PathRequest", "Source", "check_columns", "make_request", "parse_gap", "source_name"]

KINDS = ("sessions", "transitions", "sequences")
UNITS = ("customer", "session")
SESSION_SOURCES = ("auto", "column", "gap")
#: columns a transitions table has besides its ``by`` columns
RESULT_COLUMNS = ("source", "target", "transitions", "customers", "share", "median_time")


@dataclass(frozen=True)
class PathRequest:
    """A validated request, as every paths engine receives it."""

    kind: str
    customer_col: str = "customer_id"
    time_col: str = "timestamp"
    event_col: str = "event"
    session_col: str = "session_id"
    #: "column" or "gap" ("auto" is resolved before an engine sees the request)
    session_source: str = "gap"
    gap: pd.Timedelta = pd.Timedelta("30min")
    unit: str = "customer"
    mapping: Mapping[str, str] = field(default_factory=dict)
    collapse: bool = False
    by: tuple[str, ...] = ()
    steps: int = 5
    start: str | None = None
    end: str | None = None
    #: "start" (the first steps of each unit, from ``start`` when given) or "end" (the steps up to ``end``)
    anchor: str = "start"
    #: extra columns a "sessions" request returns
    keep: tuple[str, ...] = ()
    #: events at the same instant come in this order (names after ``mapping``), the others after, by name
    tie_order: tuple[str, ...] = ()

    def tie_rank(self, name: str) -> int:
        """The place of ``name`` among simultaneous events (``tie_order``; unlisted names share the last)."""
        return self.tie_order.index(name) if name in self.tie_order else len(self.tie_order)

    @property
    def gap_ns(self) -> int:
        """The gap in nanoseconds."""
        return int(self.gap.value)

    @property
    def needs_sessions(self) -> bool:
        """True when sessions must be cut (asked for, or the unit is the session)."""
        return self.kind == "sessions" or self.unit == "session"

    @property
    def columns(self) -> list[str]:
        """The columns an engine reads."""
        cols = [self.customer_col, self.time_col, self.event_col]
        if self.needs_sessions and self.session_source == "column":
            cols.append(self.session_col)
        return list(dict.fromkeys([*cols, *self.by, *self.keep]))


def parse_gap(gap: Any) -> pd.Timedelta:
    """A positive inactivity gap (``"30min"``, ``"1h"``, a Timedelta); a ParameterError naming ``gap`` otherwise."""
    try:
        return parse_window(gap)
    except ParameterError:
        raise ParameterError(f"gap={gap!r} should be a positive duration such as '30min', '1h' or "
                             "pd.Timedelta(minutes=30): a session ends after that long without an event") from None


def make_request(kind: str, *, customer_col: str = "customer_id", time_col: str = "timestamp",
                 event_col: str = "event", session_col: str = "session_id", session_source: str = "gap",
                 gap: Any = "30min", unit: str = "customer", mapping: Mapping[str, str] | None = None,
                 collapse: bool = False, by: str | Sequence[str] | None = None, steps: int = 5,
                 start: str | None = None, end: str | None = None, keep: Sequence[str] = (),
                 tie_order: Sequence[str] | None = None) -> PathRequest:
    """Validate the user's arguments into a :class:`PathRequest` (ParameterError naming the argument)."""
    if kind not in KINDS:
        raise ParameterError(f"kind={kind!r} should be one of {column_list(KINDS)}")
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r} should be 'customer' or 'session'")
    if session_source not in ("column", "gap"):
        raise ParameterError(f"session_source={session_source!r} should be 'column' or 'gap'")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ParameterError(f"steps={steps!r} should be a whole number of at least 1")
    if start is not None and end is not None:
        raise ParameterError("give start or end, not both (paths from an event, or paths to one)")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, str) or not value):
            raise ParameterError(f"{name}={value!r} should be an event (or stage) name")
    names = {"customer_col": customer_col, "time_col": time_col, "event_col": event_col, "session_col": session_col}
    for name, value in names.items():
        if not isinstance(value, str) or not value:
            raise ParameterError(f"{name}={value!r} should be a column name")
    cols = tuple(as_list(by))
    ties = tuple(as_list(tie_order))
    if not all(isinstance(n, str) and n for n in ties) or len(set(ties)) != len(ties):
        raise ParameterError(f"tie_order={tie_order!r} should be a list of distinct event names")
    clash = [b for b in cols if b in (customer_col, time_col, event_col)]
    if clash:
        raise ParameterError(f"by={clash[0]!r} is the customer, time or event column; choose another column")
    taken = [b for b in cols if b in RESULT_COLUMNS]
    if taken:
        raise ParameterError(f"by={taken[0]!r} is also a column of the result ({column_list(RESULT_COLUMNS)}); "
                             "rename that column first")
    return PathRequest(
        kind=kind, customer_col=customer_col, time_col=time_col, event_col=event_col, session_col=session_col,
        session_source=session_source, gap=parse_gap(gap), unit=unit, mapping=dict(mapping or {}),
        collapse=bool(collapse), by=cols, steps=steps, start=start, end=end,
        anchor="end" if end is not None else "start", keep=tuple(keep), tie_order=ties,
    )


def check_columns(found: Sequence[str], request: PathRequest, where: str) -> None:
    """Raise :class:`~jkit.errors.MissingColumnError` naming every requested column (and its role) ``where`` lacks."""
    roles = [("customer_col", request.customer_col), ("time_col", request.time_col),
             ("event_col", request.event_col)]
    if request.needs_sessions and request.session_source == "column":
        roles.append(("session_col", request.session_col))
    roles += [("by", b) for b in request.by]
    require_roles(found, roles, where)
