"""Sentiment scored on the Spark executors: a pandas UDF that builds VADER once per Python worker.

The UDF calls the very code the pandas engine runs (:mod:`jkit.sentiment.scoring`: text checks,
the fast VADER, feedback rules, labels), so scores are identical to the pandas path. Each executor's
Python worker loads the lexicon once — from NLTK's data path or the ``vaderSentiment`` package
installed there, never a download — and keeps it for every later batch (Spark reuses Python
workers). A domain lexicon is read on the driver and shipped with the UDF, so its file need
not exist on the workers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jkit._rules import require_columns
from jkit.errors import ParameterError
from jkit.sentiment.lexicon import read_lexicon
from jkit.sentiment.rules import fixes_for
from jkit.sentiment.scoring import (
    SCORE_COLUMNS,
    TEXT_COL_HINT,
    ScoringEngine,
    ScoringOptions,
    checked,
    score_series,
    texts_of,
    warn_set_aside,
)
from jkit.sentiment.text import decode_bytes, why_not_scored
from jkit.spark import get_spark, is_spark_frame, to_spark
from jkit.spark.frames import executor_errors, quiet

__all__ = ["score_sentiment", "SCORE_SCHEMA"]

#: Spark DDL of the columns added by :func:`score_sentiment` (as in :data:`jkit.sentiment.scoring.SCORE_COLUMNS`).
SCORE_SCHEMA = (
    "compound double, pos double, neu double, neg double, label string, n_sentences int, "
    "min_sentence double, set_aside string"
)

_ENGINES: dict[tuple, Any] = {}  # per Python worker: scorer configuration -> ScoringEngine


def _engine(rules, lexicon_items, sentences, strong_negative):
    """The worker's scorer for this configuration, built on first use (lexicon loaded once)."""
    key = (rules, lexicon_items, sentences, strong_negative)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = ScoringEngine(rules if isinstance(rules, str) else list(rules), dict(lexicon_items) or None,
                               sentences, strong_negative, n_jobs=1, progress=False)
        _ENGINES[key] = engine
    return engine


def _udf(rules, lexicon_items, thresholds, sentences, strong_negative, max_chars):
    from pyspark.sql.functions import pandas_udf

    @pandas_udf(SCORE_SCHEMA)
    def score(texts: pd.Series) -> pd.DataFrame:
        engine = _engine(rules, lexicon_items, sentences, strong_negative)
        out = score_series(texts.reset_index(drop=True), engine, thresholds, max_chars, total_warn=False)
        out["n_sentences"] = out["n_sentences"].astype("Int32")
        return out.astype({"label": object, "set_aside": object})

    return score


def score_sentiment(data: Any, options: ScoringOptions | None = None, *, text_col: str = "text", spark=None) -> Any:
    """Score feedback texts with VADER on the Spark executors.

    Parameters
    ----------
    data : pyspark.sql.DataFrame, pandas DataFrame, Series or list of str
        A Spark DataFrame stays in Spark; anything else is sent to Spark, scored, and collected.
    options : ScoringOptions, optional
        The parameters of :func:`jkit.sentiment.score_sentiment` (default its defaults);
        ``n_jobs`` and ``progress`` do not apply: Spark spreads the work.
    text_col : str, default "text"
        Column holding the texts (DataFrame input).
    spark : SparkSession, optional
        For non-Spark input; default :func:`jkit.spark.get_spark`.

    Returns
    -------
    pyspark.sql.DataFrame or pandas.DataFrame
        For a Spark DataFrame: its columns plus ``compound``, ``pos``, ``neu``, ``neg``,
        ``label``, ``n_sentences``, ``min_sentence``, ``set_aside`` (lazy: nothing runs until an
        action; count set-aside rows with ``.groupBy("set_aside").count()``). Otherwise exactly
        what :func:`jkit.sentiment.score_sentiment` returns (same index, same values, the same
        set-aside warning).

    Examples
    --------
    >>> scored = score_sentiment(spark.read.parquet("feedback/"))          # doctest: +SKIP
    >>> scored.groupBy("stage").avg("compound").show()                      # doctest: +SKIP
    """
    options, thresholds = checked(options)
    rules, lexicon, max_chars = options.rules, options.lexicon, options.max_chars
    fixes_for(rules)  # validate on the driver
    rules_key = rules if isinstance(rules, str) else tuple(sorted(rules))
    lexicon_items = tuple(sorted(read_lexicon(lexicon).items())) if lexicon is not None else ()
    with quiet():
        udf = _udf(rules_key, lexicon_items, thresholds, options.sentences, options.strong_negative, max_chars)
    if is_spark_frame(data):
        require_columns(data, [text_col], "feedback table", hint=TEXT_COL_HINT)
        clash = [c for c in SCORE_COLUMNS if c in data.columns]
        if clash:
            raise ParameterError(f"feedback table already has score column(s) {clash!r}; drop them first")
        from pyspark.sql import functions as F

        with quiet():
            scored = data.withColumn("__scores", udf(F.col(text_col).cast("string")))
            return scored.select(*[F.col(f"`{c}`") for c in data.columns], "__scores.*")
    texts = texts_of(data, text_col)
    index = texts.index
    as_text = pd.Series([_as_text(v) for v in texts.tolist()], dtype=object)
    frame = to_spark(pd.DataFrame({"__text": as_text}), spark or get_spark(), row_col="__row")
    from pyspark.sql import functions as F

    with executor_errors():
        table = frame.select("__row", udf(F.col("__text")).alias("s")).select("__row", "s.*").toArrow()
    out = table.to_pandas().sort_values("__row", kind="stable").drop(columns="__row").reset_index(drop=True)
    out = _restore_reasons(out, texts)
    out = pd.DataFrame(
        {
            "compound": out["compound"].astype("float64").to_numpy(),
            "pos": out["pos"].astype("float64").to_numpy(),
            "neu": out["neu"].astype("float64").to_numpy(),
            "neg": out["neg"].astype("float64").to_numpy(),
            "label": pd.array(out["label"].tolist(), dtype="string"),
            "n_sentences": pd.array(out["n_sentences"].tolist(), dtype="Int64"),
            "min_sentence": out["min_sentence"].astype("float64").to_numpy(),
            "set_aside": pd.array(out["set_aside"].tolist(), dtype="string"),
        },
        index=index,
    )
    warn_set_aside([None if pd.isna(r) else r for r in out["set_aside"].tolist()], len(out))
    return out


def _as_text(value: Any) -> str | None:
    """Text as Spark carries it: bytes decoded as the pandas path decodes them, non-text as NULL."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return decode_bytes(value)
    return None


def _restore_reasons(out: pd.DataFrame, texts: pd.Series) -> pd.DataFrame:
    """Non-text values (numbers…) went to Spark as NULL; give them the reason the pandas path gives."""
    values = texts.tolist()
    odd = [i for i, v in enumerate(values) if _as_text(v) is None]
    if not odd:
        return out
    out = out.copy()
    for i in odd:
        out.at[i, "set_aside"] = why_not_scored(values[i], None)[1]
    return out
