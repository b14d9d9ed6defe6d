"""Scoring texts in a process: one text (:func:`score_one`), and the pool of worker processes.

Each worker builds its scorer once (:func:`worker_init`) and then scores batches of texts
(:func:`worker_score`); :func:`n_workers` decides how many processes a job gets. The scoring
engine of :mod:`jkit.sentiment.scoring` starts the pool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from jkit.errors import ParameterError
from jkit.sentiment.rules import FeedbackVader
from jkit.sentiment.text import clean_feedback_text, split_sentences
from jkit.sentiment.vader import Vader

__all__ = ["PARALLEL_MIN", "STRONG_NEGATIVE_MIN_WORDS", "make_scorer", "n_workers", "score_one", "worker_init", "worker_score"]

#: words from which a text's most negative sentence can set its compound (``strong_negative``): VADER's
#: normalisation drowns one angry sentence only in long texts; in tweets and review snippets the rule
#: lost more labels than it gained (docs/sentiment.md)
STRONG_NEGATIVE_MIN_WORDS = 30

#: distinct texts below which one process is faster than starting a pool
PARALLEL_MIN = 20_000


def make_scorer(lexicon: Mapping[str, float], fixes, emoji) -> Vader:
    """Plain :class:`Vader` when ``fixes`` is None, else :class:`FeedbackVader` with those fixes."""
    return Vader(lexicon) if fixes is None else FeedbackVader(lexicon, fixes, emoji)


def n_workers(n_jobs: int | None, n_unique: int) -> int:
    """Processes for ``n_unique`` distinct texts: ``n_jobs``, all cores for -1, and for None all cores
    from :data:`PARALLEL_MIN` texts on, else 1."""
    if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1):
        raise ParameterError(f"n_jobs={n_jobs!r} should be a positive number of processes, -1 (all cores) or None")
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores if n_unique >= PARALLEL_MIN else 1
    return cores if n_jobs == -1 else n_jobs


def score_one(scorer: Vader, text: str, sentences: bool, strong_negative: float | None):
    """``(neg, neu, pos, compound, n_sentences, min_sentence)`` for one (already checked) text.

    With :class:`FeedbackVader` and ``strong_negative`` set, a text of several sentences and at least
    :data:`STRONG_NEGATIVE_MIN_WORDS` words whose most negative sentence scores at or below ``strong_negative`` gets the lower of the two compounds.
    """
    if isinstance(scorer, FeedbackVader):
        text = clean_feedback_text(text, scorer.emoji)
    neg, neu, pos, compound = scorer.score(text)
    if not sentences:
        return neg, neu, pos, compound, 1, compound
    parts = split_sentences(text.strip())  # same pieces; a trailing '.  ' then needs no split
    if len(parts) <= 1:
        return neg, neu, pos, compound, max(len(parts), 1), compound
    worst = min(scorer.score(p)[3] for p in parts)
    if (
        isinstance(scorer, FeedbackVader) and strong_negative is not None and worst <= strong_negative
        and len(text.split()) >= STRONG_NEGATIVE_MIN_WORDS
    ):
        compound = min(compound, worst)
    return neg, neu, pos, compound, len(parts), worst


_WORKER: dict = {}


def worker_init(lexicon: dict[str, float], fixes, emoji, sentences: bool, strong_negative) -> None:
    """Process-pool initializer: build the scorer once per worker."""
    _WORKER["scorer"] = make_scorer(lexicon, fixes, emoji)
    _WORKER["args"] = (sentences, strong_negative)


def worker_score(texts: list[str]) -> list[tuple]:
    """Score a batch in a worker (see :func:`worker_init`)."""
    scorer = _WORKER["scorer"]
    sentences, strong_negative = _WORKER["args"]
    return [score_one(scorer, t, sentences, strong_negative) for t in texts]
