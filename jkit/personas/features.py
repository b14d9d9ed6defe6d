"""The persona feature table's public entry point: :func:`customer_features`, on the engine chosen.

The table itself (its columns and the rules every engine shares) is defined in
:mod:`jkit.personas.feature_table`; the engines that aggregate it live in
:mod:`jkit.personas.engines`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from jkit._engines import choose, load
from jkit.personas.engines import ENGINES
from jkit.personas.feature_table import PROFILE_COLUMNS, PURCHASE_EVENTS, TOUCHPOINT_PREFIX

__all__ = ["PROFILE_COLUMNS", "PURCHASE_EVENTS", "TOUCHPOINT_PREFIX", "customer_features"]


def customer_features(
    data,
    *,
    profile_cols: Sequence[str] | None = None,
    behaviour: bool = True,
    feelings: bool = True,
    sentiment: pd.DataFrame | pd.Series | bool | None = None,
    purchase_events: Sequence[str] = PURCHASE_EVENTS,
    as_of: str | pd.Timestamp | None = None,
    no_events: str = "keep",
    customer_col: str = "customer_id",
    engine: str | None = None,
) -> pd.DataFrame:
    """One row per customer: profile columns, behaviour from events, feelings from feedback.

    Parameters
    ----------
    data : JourneyData
        A loaded study (:func:`jkit.load`).
    profile_cols : list of str, optional
        Columns of ``data.customers`` to carry over. Default: the contract's profile columns
        that are present and not entirely empty (``age``, ``income``, ``gender``, ``education``,
        ``region``, ``job_title``, ``acquisition_channel``). Ids, ``name`` and dates are never
        taken by default.
    behaviour : bool, default True
        Add the behaviour columns computed from ``data.events`` (see Returns).
    feelings : bool, default True
        Add the feedback columns (``n_feedback``, ``mean_nps``, ``mean_sentiment``) when
        ``data.feedback`` has rows with a known customer.
    sentiment : DataFrame, Series, bool or None, default None
        Per-feedback sentiment for ``mean_sentiment``: a frame with a ``compound`` column (or a
        Series) aligned with ``data.feedback`` row for row, as returned by
        :func:`jkit.sentiment.score_sentiment`; ``True`` scores the feedback now with that
        function; ``None`` uses a ``compound`` column of ``data.feedback`` if it has one, else
        leaves sentiment out; ``False`` leaves it out.
    purchase_events : list of str, default ("purchase", "repeat_purchase")
        Event names that count as a purchase; any event with positive ``revenue`` counts too.
    as_of : timestamp, optional
        The reference time for recency; default the last event time in ``data.events``.
    no_events : {"keep", "drop"}, default "keep"
        Customers without any event. ``"keep"``: they stay, with ``n_events``, ``frequency`` and
        ``monetary`` 0, ``stage_reached`` 0 and the other behaviour columns missing (the persona
        model imputes them and marks them missing). ``"drop"``: they are set aside. Either way a
        :class:`~jkit.errors.JkitWarning` gives their count.
    customer_col : str, default "customer_id"
        The customer id column of all three tables.
    engine : {"pandas", "spark"} or None
        ``None`` aggregates in Spark when ``data`` holds Spark DataFrames (:func:`jkit.spark.load`),
        else in pandas; ``"spark"`` sends pandas tables to Spark (:mod:`jkit.personas.engines.spark`).
        The result is a pandas table either way.

    Returns
    -------
    DataFrame
        One row per customer, in the order of ``data.customers``:

        - ``customer_id`` and the profile columns;
        - ``n_events``: events of the customer;
        - ``recency_days``: days from the customer's last event to ``as_of``;
        - ``frequency``: purchases; ``monetary``: total revenue; ``avg_order_value``:
          ``monetary / frequency`` (missing without purchases);
        - ``tp_<touchpoint>``: share of the customer's events at each touchpoint (sums to 1);
        - ``stage_reached``: 1-based position of the furthest stage of ``data.stages`` reached
          (0 when no event maps to a stage);
        - ``days_to_first_purchase``: days from the first event to the first purchase (missing
          without purchases);
        - ``n_feedback``, ``mean_nps`` and ``mean_sentiment`` (mean VADER compound) when feelings
          are available.

    Examples
    --------
    >>> data = jkit.load("data/sample")                         # doctest: +SKIP
    >>> features = customer_features(data, profile_cols=["age", "income"])   # doctest: +SKIP
    """
    name = choose(engine, data, ENGINES, analysis="customer_features")
    return load(ENGINES, name)(data, profile_cols=profile_cols, behaviour=behaviour, feelings=feelings,
                               sentiment=sentiment, purchase_events=purchase_events, as_of=as_of,
                               no_events=no_events, customer_col=customer_col)
