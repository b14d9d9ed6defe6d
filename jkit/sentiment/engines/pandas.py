"""The local engine: feedback scored in this process, or a pool of worker processes for large sets."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jkit.sentiment.scoring import ScoringEngine, ScoringOptions, checked, score_series, texts_of

__all__ = ["score_sentiment"]


def score_sentiment(data: Any, options: ScoringOptions | None = None, *, text_col: str = "text") -> pd.DataFrame:
    """The score columns of ``data`` (a DataFrame's ``text_col``, a Series or a list of texts), same index.

    See :func:`jkit.sentiment.score_sentiment` for ``options`` and the columns.
    """
    options, thresholds = checked(options)
    texts = texts_of(data, text_col)
    engine = ScoringEngine(options.rules, options.lexicon, options.sentences, options.strong_negative,
                           options.n_jobs, options.progress)
    try:
        return score_series(texts, engine, thresholds, options.max_chars)
    finally:
        engine.close()
