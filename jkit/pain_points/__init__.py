"""Pain points: the phrases over-represented in negative feedback, with quotes.

:mod:`~jkit.pain_points.phrases` makes the candidate phrases and their weighted log-odds,
:mod:`~jkit.pain_points.quotes` picks and redacts the quotes, :mod:`~jkit.pain_points.api` ranks
the pain points (:func:`pain_points`).
"""

from __future__ import annotations

from jkit.pain_points.api import pain_points
from jkit.pain_points.phrases import GENERIC_WORDS, STOP_WORDS, candidate_phrases, weighted_log_odds
from jkit.pain_points.quotes import representative_quotes

__all__ = ["STOP_WORDS", "GENERIC_WORDS", "candidate_phrases", "weighted_log_odds", "pain_points", "representative_quotes"]
