"""The public entry points of sentiment scoring: :func:`score_sentiment` and :func:`iter_sentiment`.

:func:`score_sentiment` picks its engine with :func:`jkit._engines.choose` among
:data:`jkit.sentiment.engines.ENGINES` and hands it the :class:`~jkit.sentiment.scoring.ScoringOptions`;
:func:`iter_sentiment` scores a stream of batches here, with one worker pool for the whole stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from jkit._engines import choose, load
from jkit.errors import MissingResourceError, ParameterError
from jkit.sentiment.engines import ENGINES
from jkit.sentiment.scoring import ScoringEngine, ScoringOptions, score_series, texts_of, validate_thresholds

__all__ = ["iter_sentiment", "score_sentiment"]


def score_sentiment(
    data: pd.DataFrame | pd.Series | Sequence[str],
    *,
    text_col: str = "text",
    rules: str | Iterable[str] = "feedback",
    lexicon: str | Path | Mapping[str, float] | None = None,
    thresholds: tuple[float, float] = (-0.05, 0.05),
    sentences: bool = True,
    strong_negative: float | None = -0.5,
    max_chars: int | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    engine: str | None = None,
    model: Any = None,
    **model_kwargs: Any,
) -> pd.DataFrame:
    """Score the sentiment of feedback texts with VADER (NLTK's implementation, offline), or a model.

    Parameters
    ----------
    data : DataFrame, Series or list of str
        The feedback; a DataFrame's texts are in ``text_col``.
    text_col : str, default "text"
        Column of ``data`` holding the texts (DataFrame input only).
    rules : {"feedback", "vader"} or list of fix names, default "feedback"
        ``"vader"``: exactly the scores of ``nltk.sentiment.vader.SentimentIntensityAnalyzer`` on the
        text as given. ``"feedback"``: VADER plus jkit's fixes for customer feedback
        (:data:`FEEDBACK_FIXES`), the shipped commerce words (:func:`feedback_lexicon`), emoji read
        by name, HTML tags and entities and mojibake cleaned. A list switches on only the named
        fixes (to measure each one, or to add the opt-in review fixes ``"like_comparison"`` and
        ``"own_position"``).
    lexicon : dict or path, optional
        Domain words that add to or override the lexicon (see :func:`read_lexicon`), e.g.
        ``{"backorder": -1.5}``. With ``rules="vader"`` the scores are then no longer NLTK's.
    thresholds : (float, float), default (-0.05, 0.05)
        ``label`` is "negative" when ``compound <= thresholds[0]``, "positive" when
        ``compound >= thresholds[1]``, else "neutral" (VADER's convention).
    sentences : bool, default True
        Also score each sentence (split at ``. ! ? …`` and line breaks): gives ``n_sentences`` and
        ``min_sentence``.
    strong_negative : float or None, default -0.5
        Feedback rules only: a text of several sentences and at least 30 words whose most negative
        sentence scores at or below this gets the lower of its whole-text and worst-sentence compound,
        so that one angry sentence in a polite ticket is not averaged away. ``None`` switches this off.
    max_chars : int, optional
        Set aside texts longer than this (default: score every length; VADER is linear in length).
    n_jobs : int, optional
        Worker processes; default all cores when there are at least 20,000 distinct texts, else 1.
    progress : bool, optional
        Show a tqdm progress bar; default on from 200,000 distinct texts.
    engine : {"pandas", "spark"} or None
        ``None`` scores a ``pyspark.sql.DataFrame`` on the Spark executors (and returns a Spark
        DataFrame: its columns plus the score columns) and anything else here; ``"spark"`` sends
        other input to Spark and collects identical scores (:mod:`jkit.sentiment.engines.spark`).
    model : SentimentModel or str, optional
        A fitted :class:`~jkit.sentiment.SentimentModel` (learned from the study's own labels): its
        :meth:`~jkit.sentiment.SentimentModel.predict` scores the texts (``rules``, ``lexicon``,
        ``thresholds`` are the model's own). A ``str`` is a local folder or a Hugging Face model id
        of a text-classification model, run by ``jkit.sentiment.transformer.score_transformer``
        (the ``jkit[transformers]`` extra; nothing is downloaded unless asked for).
    **model_kwargs
        With ``model=`` a str only: passed to ``score_transformer`` (``batch_size``, ``device``, ...).

    Returns
    -------
    DataFrame
        Same index as ``data``, columns:

        - ``compound`` (float): VADER's normalised score from -1 to 1 (see ``strong_negative``).
        - ``pos``, ``neu``, ``neg`` (float): shares of the text's words rated positive, neutral, negative.
        - ``label`` (string): "positive", "neutral" or "negative"; NA when set aside.
        - ``n_sentences`` (Int64): number of sentences.
        - ``min_sentence`` (float): compound of the most negative sentence.
        - ``set_aside`` (string): why the text was not scored (missing, empty, not text, not
          English, too long), else NA. A :class:`~jkit.errors.JkitWarning` gives the counts.

    Examples
    --------
    >>> score_sentiment(["No problems at all, great service!"])[["compound", "label"]]   # doctest: +SKIP
       compound     label
    0    0.8553  positive
    """
    if model is not None:
        return _score_with_model(data, model, text_col, sentences, model_kwargs)
    if model_kwargs:
        raise ParameterError(f"score_sentiment: unknown argument(s) {', '.join(sorted(model_kwargs))}")
    options = ScoringOptions(rules=rules, lexicon=lexicon, thresholds=thresholds, sentences=sentences,
                             strong_negative=strong_negative, max_chars=max_chars, n_jobs=n_jobs, progress=progress)
    run = load(ENGINES, choose(engine, data, ENGINES, analysis="score_sentiment"))
    return run(data, options, text_col=text_col)


def _score_with_model(data, model: Any, text_col: str, sentences: bool, kwargs: dict[str, Any]) -> pd.DataFrame:
    from jkit.sentiment.model import SentimentModel

    if isinstance(model, SentimentModel):
        if kwargs:
            raise ParameterError(f"score_sentiment(model=SentimentModel): unknown argument(s) {', '.join(sorted(kwargs))}")
        return model.predict(texts_of(data, text_col), sentences=sentences)
    if isinstance(model, (str, Path)):
        from jkit.sentiment.transformer import score_transformer  # names the jkit[transformers] extra if absent

        if isinstance(data, pd.DataFrame):
            return score_transformer(data, str(model), text_col=text_col, **kwargs)
        return score_transformer(texts_of(data, text_col).to_frame("text"), str(model), text_col="text", **kwargs)
    raise ParameterError(
        f"model={type(model).__name__} is not accepted; expected a fitted jkit.sentiment.SentimentModel, or a "
        "local folder / Hugging Face model id (str) of a text-classification model")


def iter_sentiment(
    source: str | Path | Iterable[pd.DataFrame] | Iterable[Sequence[str]],
    *,
    text_col: str = "text",
    batch_size: int = 100_000,
    columns: Sequence[str] | None = None,
    **kwargs: Any,
) -> Iterator[pd.DataFrame]:
    """Score a large feedback set batch by batch, with bounded memory.

    Parameters
    ----------
    source : path to a Parquet file, or an iterable of DataFrames or of lists of texts
        A Parquet file is read ``batch_size`` rows at a time (only ``columns`` plus ``text_col``).
    text_col : str, default "text"
        Column holding the texts (DataFrame batches and Parquet).
    batch_size : int, default 100_000
        Rows per Parquet batch.
    columns : list of str, optional
        Parquet columns to keep beside the scores (default all).
    **kwargs
        Passed to :func:`score_sentiment` (``rules``, ``lexicon``, ``thresholds``, ``n_jobs``, ...).

    Yields
    ------
    DataFrame
        Each batch's rows (its columns, or a ``text`` column for lists) followed by the columns of
        :func:`score_sentiment`. The worker pool is started once for the whole stream.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ParameterError(f"batch_size={batch_size!r} should be a positive whole number")
    thresholds = validate_thresholds(kwargs.pop("thresholds", (-0.05, 0.05)))
    max_chars = kwargs.pop("max_chars", None)
    engine = ScoringEngine(
        kwargs.pop("rules", "feedback"),
        kwargs.pop("lexicon", None),
        kwargs.pop("sentences", True),
        kwargs.pop("strong_negative", -0.5),
        kwargs.pop("n_jobs", None),
        kwargs.pop("progress", False),
    )
    if kwargs:
        raise ParameterError(f"iter_sentiment: unknown argument(s) {', '.join(sorted(kwargs))}")
    offset = 0
    try:
        for batch in _batches(source, text_col, batch_size, columns):
            texts = texts_of(batch, text_col)
            scores = score_series(texts, engine, thresholds, max_chars)
            out = pd.concat([batch, scores], axis=1)
            if not isinstance(source, (str, Path)) and isinstance(batch, pd.DataFrame):
                yield out
            else:
                out.index = pd.RangeIndex(offset, offset + len(out))
                yield out
            offset += len(out)
    finally:
        engine.close()


def _batches(source, text_col: str, batch_size: int, columns) -> Iterator[pd.DataFrame]:
    if isinstance(source, (str, Path)):
        import pyarrow.parquet as pq

        path = Path(source)
        if not path.is_file():
            raise MissingResourceError(f"{path}: no such Parquet file")
        pf = pq.ParquetFile(path)
        cols = None if columns is None else list(dict.fromkeys([*columns, text_col]))
        for rb in pf.iter_batches(batch_size=batch_size, columns=cols):
            yield rb.to_pandas()
        return
    for batch in source:
        if isinstance(batch, pd.DataFrame):
            yield batch
        elif isinstance(batch, pd.Series):
            yield batch.to_frame(text_col)
        else:
            yield pd.DataFrame({text_col: pd.Series(list(batch), dtype=object)})

