"""Data-driven personas: a feature table per customer, a clustering model, profiles and stability.

Three steps::

    features = customer_features(data)                       # one row per customer
    model = PersonaModel(n_personas="auto", random_state=0).fit(features)
    model.profiles_, model.stability_                         # who they are, how much to trust it

The study-level views (stage funnel, KPIs from feedback, pain points with quotes, persona cards)
take the :class:`~jkit.io.JourneyData` and the assignments; RFM segments are the rule-based view
beside them (:func:`rfm_segments`).

==================================  ===========================================================
:mod:`~jkit.personas.features`      :func:`customer_features`, on the engine chosen
:mod:`~jkit.personas.feature_table` what the feature table is; the interface of its engines
:mod:`~jkit.personas.engines`       the pandas and Spark engines of the feature table
:mod:`~jkit.personas.model`         :class:`PersonaModel`, the estimator
:mod:`~jkit.personas.preprocessing` the model's column choice, transforms, weights and encoding
:mod:`~jkit.personas.selection`     choosing the space and the number of personas
:mod:`~jkit.personas.stability`     bootstrap stability and its verdict in words
:mod:`~jkit.personas.profiles`      traits against the population, names, profile KPIs
:mod:`~jkit.personas.views`         study views by persona (funnel, shares, KPIs, pain points)
:mod:`~jkit.personas.cards`         the persona cards (HTML in notebooks)
:mod:`~jkit.personas.rfm`           RFM scores and named segments
:mod:`~jkit.personas.store`         model files that cannot carry code
==================================  ===========================================================
"""

from __future__ import annotations

from jkit.personas.cards import PersonaCard, persona_cards
from jkit.personas.feature_table import OUTCOME_COLUMNS, PROFILE_COLUMNS, PURCHASE_EVENTS, TOUCHPOINT_PREFIX
from jkit.personas.features import customer_features
from jkit.personas.model import PersonaModel
from jkit.personas.profiles import persona_traits
from jkit.personas.rfm import rfm_segments, rules_markdown
from jkit.personas.selection import parallel_analysis
from jkit.personas.stability import describe_stability
from jkit.personas.views import (
    compare_segments,
    persona_funnel,
    persona_kpis,
    persona_pain_points,
    persona_shares,
)

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


def __getattr__(name: str):
    # Model files saved before the personas became a package name their log transform
    # "jkit.personas._signed_log1p", and skops finds it by that name when it loads them.
    if name == "_signed_log1p":
        from jkit.personas.preprocessing import signed_log1p

        return signed_log1p
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
