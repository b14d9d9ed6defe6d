"""Data-driven personas: a feature table per customer, a clustering model, profiles and stability."""

from __future__ import annotations

from jkit.personas.model import (
    OUTCOME_COLUMNS,
    PROFILE_COLUMNS,
    PURCHASE_EVENTS,
    TOUCHPOINT_PREFIX,
    PersonaCard,
    PersonaModel,
    _signed_log1p,  # noqa: F401  (model files saved before the move name it here)
    compare_segments,
    customer_features,
    describe_stability,
    parallel_analysis,
    persona_cards,
    persona_funnel,
    persona_kpis,
    persona_pain_points,
    persona_shares,
    persona_traits,
)
from jkit.personas.rfm import rfm_segments, rules_markdown

__all__ = [
    "customer_features",
    "PersonaModel",
    "PersonaCard",
    "persona_traits",
    "persona_funnel",
    "persona_kpis",
    "persona_pain_points",
    "persona_shares",
    "persona_cards",
    "compare_segments",
    "describe_stability",
    "parallel_analysis",
    "rfm_segments",
    "rules_markdown",
    "PROFILE_COLUMNS",
    "PURCHASE_EVENTS",
    "TOUCHPOINT_PREFIX",
    "OUTCOME_COLUMNS",
]
