"""Seeded sample data with a planted truth that jkit's analyses must recover.

:func:`make_sample` writes a study folder that :func:`jkit.load` reads strictly:

============================  ===========================================================
``customers.csv``             one row per customer, with a realistic ``name`` (personal data)
``events.parquet``            the journey events (``events.csv`` with ``file_format="csv"``)
``feedback.csv``              free-text feedback with source, touchpoint, stage and scores
``stages.yaml``               the ``five_stage`` stage model
``personas_truth.csv``        the planted persona of every customer (``customer_id, persona``)
``truth.json``                the planted rates, pain points and counts (see below)
============================  ===========================================================

What is planted (see ``docs/sample-data.md`` for every number):

* four personas with distinct age, income, touchpoints, acquisition channel, order frequency
  and order value (:data:`PERSONAS`);
* persona-specific conversion ``P(reach stage k | reached stage k-1)``; every customer starts at
  awareness, the largest drop-off is at ``purchase``; lognormal delays between stages (10–20 % of
  them longer than 7 days), every journey within 60 days of its first event; earlier-stage
  events repeat later, later-stage events never come before the stage was reached; rows shuffled;
* feedback whose wording and tone depend on stage, touchpoint and persona, with the lowest mean
  sentiment at ``retention``; four named pain points at known stage × touchpoint cells, phrased
  with negation, intensifiers, typos, emoji and mixed case; survey scores consistent with tone;
* about 2 % of texts carrying personal data and 0.5 % carrying HTML/script injection (counted).

Generation runs in chunks of customers with vectorised numpy and streams every table to disk,
so 1M customers / 50M events fit in a few hundred MB. The output is a pure function of
``(n_customers, seed, events_per_customer, feedback_per_customer, chunk_size)``.

Modules: :mod:`~jkit.datasets.truth` (what is planted), :mod:`~jkit.datasets.texts` (the feedback
texts), :mod:`~jkit.datasets.chunks` (drawing one chunk), :mod:`~jkit.datasets.generator`
(:func:`make_sample`) and :mod:`~jkit.datasets.readers` (reading a sample back).

Examples
--------
>>> paths = make_sample(n_customers=500, seed=1, out_dir="/tmp/s", progress=False)  # doctest: +SKIP
>>> load_truth("/tmp/s")["largest_dropoff_stage"]                                   # doctest: +SKIP
'purchase'
"""

from jkit.datasets.generator import SMALL, make_sample, small_sample_dir
from jkit.datasets.readers import load_personas_truth, load_sample, load_truth
from jkit.datasets.truth import (
    ANONYMOUS_SHARE,
    DEFAULT_CHUNK_SIZE,
    EVENTS,
    FUNNEL_WINDOW,
    HTML_SHARE,
    JOURNEY_DAYS,
    MAX_DELAY_DAYS,
    MIN_DELAY_DAYS,
    PAIN_POINTS,
    PAIN_SHARE,
    PERIOD_END,
    PERIOD_START,
    PERSONAS,
    PII_SHARE,
    SESSION_GAP_SECONDS,
    SOURCES,
    STAGE_EVENTS,
    STAGE_MODEL,
    STAGES,
    TOUCHPOINTS,
    PainPoint,
    Persona,
    expected_conversion,
)

__all__ = [
    "PERSONAS",
    "PAIN_POINTS",
    "Persona",
    "PainPoint",
    "make_sample",
    "load_sample",
    "load_truth",
    "load_personas_truth",
    "expected_conversion",
    "SMALL",
    "small_sample_dir",
    "STAGE_MODEL",
    "STAGES",
    "STAGE_EVENTS",
    "EVENTS",
    "TOUCHPOINTS",
    "SOURCES",
    "PERIOD_START",
    "PERIOD_END",
    "ANONYMOUS_SHARE",
    "DEFAULT_CHUNK_SIZE",
    "FUNNEL_WINDOW",
    "HTML_SHARE",
    "JOURNEY_DAYS",
    "MAX_DELAY_DAYS",
    "MIN_DELAY_DAYS",
    "PAIN_SHARE",
    "PII_SHARE",
    "SESSION_GAP_SECONDS",
]
