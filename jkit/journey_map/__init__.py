"""The customer journey map, made from data: stages × lanes, per persona, and between two periods.

:func:`journey_map` builds a :class:`JourneyMap` (:mod:`jkit.journey_map.map`: reach, actions,
touchpoints, emotion, pain points, opportunities); :mod:`jkit.journey_map.comparisons` makes one
map per persona and compares two periods; :mod:`jkit.journey_map.periods` scales the window and
chooses the cut; :mod:`jkit.journey_map.exports` turns a map into JSON and tidy CSV.
"""

from jkit.journey_map.comparisons import JourneyComparison, compare_periods, journey_maps_by_persona
from jkit.journey_map.map import (
    LANES,
    OPPORTUNITY_FORMULA,
    JourneyMap,
    available_lanes,
    feedback_stages,
    journey_map,
    opportunities,
)
from jkit.journey_map.periods import default_period_cut, format_instant, period_comparison_note, scaled_window
from jkit.journey_map.ranking import OPPORTUNITY_COLUMNS, dropout_association

__all__ = [
    "JourneyMap",
    "JourneyComparison",
    "journey_map",
    "journey_maps_by_persona",
    "compare_periods",
    "opportunities",
    "dropout_association",
    "OPPORTUNITY_COLUMNS",
    "feedback_stages",
    "available_lanes",
    "default_period_cut",
    "period_comparison_note",
    "scaled_window",
    "format_instant",
    "OPPORTUNITY_FORMULA",
    "LANES",
]
