"""Sessions and paths: what customers do on the way between the stages a funnel counts.

Definitions (also in ``docs/paths.md``)
---------------------------------------
Order
    Per customer, events are ordered by time, then by event name, then by input order. Only
    events at the same instant depend on the tie rule; ordering on the name first makes the
    result independent of how the input happened to be written.
Sessions (:func:`sessions`)
    From the data's session column (a value within one customer) when it is present and not
    empty, else cut where the customer has been inactive for more than ``gap``.
Transitions (:func:`transitions`)
    Pairs of consecutive events of a customer or of a session, counted, with the customers
    making them and the median time between.
Paths (:func:`paths`)
    The first ``steps`` events from a unit's first ``start`` event, or up to its first ``end``
    event; the most common kept, the rest as ``"other"``. Around a funnel:
    :func:`paths_after_dropout`, :func:`paths_before_reaching`.
Step matrix (:func:`step_matrix`)
    The share of units at each event at step k, with ``ENDED`` for paths already over.
Cleaning (:func:`clean_events`)
    Map or group names, keep the top events and call the rest ``"other"``, collapse repeats.

Layout
------
:mod:`~jkit.paths.sessionize`, :mod:`~jkit.paths.flows`, :mod:`~jkit.paths.steps`,
:mod:`~jkit.paths.dropout`, :mod:`~jkit.paths.cleaning` (the API); :mod:`~jkit.paths.running`
(engine choice), :mod:`~jkit.paths.spec` (the request engines receive), :mod:`~jkit.paths.frames`
(what engines share) and :mod:`~jkit.paths.engines` (pandas, DuckDB, Spark).
"""

from __future__ import annotations

from jkit.paths.cleaning import clean_events
from jkit.paths.dropout import paths_after_dropout, paths_before_reaching
from jkit.paths.flows import OTHER, paths, transitions
from jkit.paths.sessionize import customer_sessions, session_summary, sessions
from jkit.paths.steps import ENDED, step_matrix

__all__ = [
    "ENDED",
    "OTHER",
    "clean_events",
    "customer_sessions",
    "paths",
    "paths_after_dropout",
    "paths_before_reaching",
    "session_summary",
    "sessions",
    "step_matrix",
    "transitions",
]
