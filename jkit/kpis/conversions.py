"""Which events count as a conversion (a purchase) for the KPIs of a study.

Owns the report parameter's parsing (:func:`parse_events`) and the rule that picks a study's
conversion events from its stage model (:func:`default_conversion_events`).
"""

from __future__ import annotations

from collections.abc import Sequence

from jkit._rules import PURCHASE_EVENTS

__all__ = ["CONVERSION_STAGE_NAMES", "PURCHASE_EVENTS", "default_conversion_events", "parse_events"]

#: names of a stage that converts, when the stage model has no ``purchase`` event
CONVERSION_STAGE_NAMES = ("purchase", "conversion", "convert", "subscription", "subscribe", "order", "checkout", "buy")


def parse_events(text: str | Sequence[str] | None) -> list[str]:
    """Event names from a comma-separated report parameter (``"subscribed, renewed"``) or a list."""
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [str(e).strip() for e in items if str(e).strip()]


def default_conversion_events(stages, given: str | Sequence[str] | None = None) -> list[str]:
    """The events that count as a conversion (a purchase) for the KPIs.

    ``given`` (names, or a comma-separated string) wins. Otherwise: :data:`PURCHASE_EVENTS` that
    the stage model knows; else the events of its stage named like a conversion
    (:data:`CONVERSION_STAGE_NAMES`: purchase, conversion, subscription…); else the events of its
    last stage. A bank campaign ``contacted → interested → subscription`` converts on
    ``subscribed``.
    """
    chosen = parse_events(given)
    if chosen:
        return chosen
    known = list(stages.events) if hasattr(stages, "events") else []
    named = [e for e in PURCHASE_EVENTS if e in known]
    if named:
        return named
    for stage in stages.names:
        if stage.lower() in CONVERSION_STAGE_NAMES:
            return list(stages[stage].events)
    return list(stages[stages.names[-1]].events) if stages.names else list(PURCHASE_EVENTS)
