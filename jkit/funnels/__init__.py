"""Stage funnels: who gets how far, how fast, by group and by cohort, and what drop-outs do next.

Semantics (also in ``docs/funnels.md``)
---------------------------------------
A funnel is an ordered list of ``steps``; a step is an event name or a set of event names (a
stage of the stage model is the set of its events). Steps may not share an event.

``order="ordered"`` (default)
    A customer *enters* at any occurrence of step 1. From that entry they reach step k when
    events matching steps 2..k follow in that order, each at a time not before the previous
    one (ties in time allowed), one event per step, all within ``window`` of the entering
    event (an event exactly ``window`` after the entry is inside). Every occurrence of step 1
    is a possible entry; the customer counts once, at the furthest step any entry reaches.
    This is ClickHouse's ``windowFunnel(window)`` in its default mode.
``order="strict"``
    As ordered, but after each step reached the customer's next event that is not a repeat of
    that step must be the next step; any other event breaks the chain (``a b b c`` reaches 3,
    ``a b x c`` 2), as PostHog's strict order and ClickHouse's ``strict_order`` (which differs on
    repeats of earlier steps; see ``docs/funnels.md``). Events at the same instant are ordered
    step events first (in funnel order), then other events.
``order="any"``
    A customer reaches "step" k when k distinct steps occur, in any order, within ``window``
    of the first of them (any step event can start). Step names then read "k of n steps".

*The attempt that counts* is the earliest entry that reaches the customer's furthest step
(among simultaneous entries, the one with the smallest ``by`` value). Its steps are matched to
the earliest qualifying events; times between steps, the entry cohort, the ``by`` values of
the entering event and exclusions are all read from that attempt.

``exclusions``
    Event names. A customer with an excluded event strictly between the entry and the last
    step reached by the attempt that counts is removed from the funnel; the number removed
    is in the ``excluded`` column.
``optional``, ``step_windows``, ``count``, ``unit``
    Optional steps, a window per step, every attempt counted (``"total"``), sessions counted
    instead of customers: see ``docs/funnels.md``. ``window=None`` means no window.
``by``
    Columns of the events table whose value is read on the entering event of the attempt that
    counts: a property of the event (touchpoint) or a customer attribute joined onto the
    events (persona, region). Every customer falls in one group, so the groups add up to the
    funnel without breakdown.

Times are UTC: tz-aware times are converted, naive times are taken as UTC (in DataFrames and
in files alike). Rows with a missing customer or time among the rows a funnel uses are set
aside with a :class:`~jkit.errors.JkitWarning` giving their count; so are events after
``end`` when it is given.

Layout
------
:mod:`~jkit.funnels.api` (the funnel, its table, the stage model), :mod:`~jkit.funnels.followups`
(time to convert, cohorts, drop-outs), :mod:`~jkit.funnels.journeys` (reading a journeys table),
:mod:`~jkit.funnels.spec` (the validated request and the engine interface),
:mod:`~jkit.funnels.kernel` (the semantics, in numpy), :mod:`~jkit.funnels.coding` (what the
engines share around the kernel) and :mod:`~jkit.funnels.engines` (pandas, DuckDB, Spark).
"""

from __future__ import annotations

from jkit.funnels.api import funnel, funnel_journeys, funnel_table, stage_funnel, stage_journeys
from jkit.funnels.followups import cohort_conversion, dropped_after, next_after_drop, time_to_convert
from jkit.funnels.spec import ORDERS

__all__ = [
    "ORDERS",
    "funnel",
    "funnel_journeys",
    "funnel_table",
    "stage_funnel",
    "stage_journeys",
    "time_to_convert",
    "cohort_conversion",
    "dropped_after",
    "next_after_drop",
]
