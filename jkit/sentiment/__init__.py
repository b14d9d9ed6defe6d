"""Feedback sentiment: VADER through NLTK (offline), feedback rules, aggregation and pain points.

Score texts with :func:`score_sentiment`, summarise them by stage, touchpoint, source, persona or
period with :func:`sentiment_summary`, draw the emotion curve along the journey with
:func:`emotion_curve`, and find what hurts with :func:`pain_points` (re-exported from
:mod:`jkit.pain_points`); learn sentiment from the study's own ratings with :class:`SentimentModel`::

    scores = score_sentiment(data.feedback)                  # compound, pos, neu, neg, label, ...
    scored = data.feedback.join(scores)
    curve = emotion_curve(scored, data.stages)
    pains = pain_points(scored, by="stage")
    model = SentimentModel(label_col="csat").fit(data.feedback)   # model.cv_accuracy_, model.fallback_
    scores = score_sentiment(data.feedback, model=model)

``rules="vader"`` gives exactly the scores of NLTK's ``SentimentIntensityAnalyzer``;
``rules="feedback"`` (the default) adds fixes for how customers write (see ``docs/sentiment.md``).

The package: :mod:`~jkit.sentiment.api` (the entry points), :mod:`~jkit.sentiment.scoring` (the
scoring engine and the interface of the engines), :mod:`~jkit.sentiment.engines` (pandas, Spark),
:mod:`~jkit.sentiment.lexicon`, :mod:`~jkit.sentiment.vader` (the VADER port),
:mod:`~jkit.sentiment.rules` (the feedback rules), :mod:`~jkit.sentiment.text` (checks,
cleaning, sentences), :mod:`~jkit.sentiment.workers` (the worker pool),
:mod:`~jkit.sentiment.aggregation`, :mod:`~jkit.sentiment.streaming` (Parquet to Parquet),
:mod:`~jkit.sentiment.model` (:class:`SentimentModel`, with :mod:`~jkit.sentiment.labels`,
:mod:`~jkit.sentiment.features` and :mod:`~jkit.sentiment.model_store`).
"""

from __future__ import annotations

from jkit.pain_points import STOP_WORDS, pain_points, representative_quotes
from jkit.sentiment.aggregation import emotion_curve, sentiment_summary
from jkit.sentiment.api import iter_sentiment, score_sentiment
from jkit.sentiment.labels import SCALES, sentiment_labels
from jkit.sentiment.lexicon import feedback_lexicon, read_lexicon, vader_lexicon_source
from jkit.sentiment.model import SentimentModel
from jkit.sentiment.rules import FEEDBACK_FIXES
from jkit.sentiment.scoring import LABELS, SCORE_COLUMNS
from jkit.sentiment.streaming import score_parquet
from jkit.sentiment.text import split_sentences

__all__ = [
    "FEEDBACK_FIXES",
    "LABELS",
    "SCORE_COLUMNS",
    "score_sentiment",
    "iter_sentiment",
    "read_lexicon",
    "feedback_lexicon",
    "vader_lexicon_source",
    "split_sentences",
    "sentiment_summary",
    "emotion_curve",
    "pain_points",
    "representative_quotes",
    "STOP_WORDS",
    "score_parquet",
    "SentimentModel",
    "sentiment_labels",
    "SCALES",
]
