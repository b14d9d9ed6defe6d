"""Pain points: the phrases over-represented in negative feedback, with quotes.

:mod:`~jkit.pain_points.phrases` makes the candidate phrases and their weighted log-odds,
:mod:`~jkit.pain_points.quotes` picks and redacts the quotes, :mod:`~jkit.pain_points.api` ranks
the pain points (:func:`pain_points`). :func:`pain_point_themes` (:mod:`~jkit.pain_points.themes`,
with :mod:`~jkit.pain_points.candidates`, :mod:`~jkit.pain_points.merging` and
:mod:`~jkit.pain_points.theme_rows`) merges them into themes: what the journey map shows.
"""

from __future__ import annotations

from jkit.pain_points.api import pain_points
from jkit.pain_points.phrases import GENERIC_WORDS, STOP_WORDS, candidate_phrases, weighted_log_odds
from jkit.pain_points.quotes import representative_quotes
from jkit.pain_points.themes import pain_point_themes

__all__ = ["STOP_WORDS", "GENERIC_WORDS", "candidate_phrases", "weighted_log_odds", "pain_points", "representative_quotes",
           "pain_point_themes"]
