"""Feedback sentiment: VADER through NLTK (offline), feedback rules, aggregation and pain points.

Score texts with :func:`score_sentiment`, summarise them by stage, touchpoint, source, persona or
period with :func:`sentiment_summary`, draw the emotion curve along the journey with
:func:`emotion_curve`, and find what hurts with :func:`pain_points` (re-exported from
:mod:`jkit.pain_points`)::

    scores = score_sentiment(data.feedback)                  # compound, pos, neu, neg, label, ...
    scored = data.feedback.join(scores)
    curve = emotion_curve(scored, data.stages)
    pains = pain_points(scored, by="stage")

``rules="vader"`` gives exactly the scores of NLTK's ``SentimentIntensityAnalyzer``;
``rules="feedback"`` (the default) adds fixes for how customers write (see ``docs/sentiment.md``).
"""

from __future__ import annotations

import functools
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, JkitWarning, ParameterError
from jkit.pain_points import STOP_WORDS, pain_points, representative_quotes
from jkit.sentiment import vader as _vader
from jkit.stats import mean_interval, wilson_interval

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
]

#: Labels in order from worst to best.
LABELS = ("negative", "neutral", "positive")
#: Columns :func:`score_sentiment` returns.
SCORE_COLUMNS = ("compound", "pos", "neu", "neg", "label", "n_sentences", "min_sentence", "set_aside")
#: The feedback fixes that ``rules="feedback"`` switches on: name → what it does.
FEEDBACK_FIXES: dict[str, str] = dict(_vader.FIXES)

split_sentences = _vader.split_sentences

_PARALLEL_MIN = 20_000  # unique texts below which one process is faster than starting a pool
_TASK_SIZE = 5_000


# --------------------------------------------------------------------------- lexicons


def vader_lexicon_source() -> str:
    """Where the VADER lexicon comes from on this machine: ``"nltk_data"`` or ``"vaderSentiment"``.

    Raises :class:`~jkit.errors.MissingResourceError` (saying how to install one) when neither is there.
    """
    return _vader.lexicon_source()[0]


@functools.lru_cache(maxsize=4)
def _base_lexicon() -> dict[str, float]:
    return _vader.parse_lexicon(_vader.lexicon_text())


@functools.lru_cache(maxsize=1)
def _emoji_names() -> dict[str, str]:
    return _vader.load_emoji_names()


def read_lexicon(source: str | Path | Mapping[str, float]) -> dict[str, float]:
    """Read a domain lexicon: a dict, or a small file of ``word<TAB>valence`` (or ``word,valence``) lines.

    Parameters
    ----------
    source : mapping or path
        Words and their valence on VADER's scale from -4 (most negative) to +4 (most positive).
        In a file, blank lines and lines starting with ``#`` are ignored, as is a header line
        ``word<TAB>valence``; columns after the second are ignored.

    Returns
    -------
    dict of str to float
        Lower-case single words (VADER looks words up in lower case, one token at a time).

    Examples
    --------
    >>> read_lexicon({"Backorder": -1.5, "glitchy": -1.8})
    {'backorder': -1.5, 'glitchy': -1.8}
    """
    where = "lexicon"
    if isinstance(source, Mapping):
        items = [(str(k), v, i + 1) for i, (k, v) in enumerate(source.items())]
    else:
        path = Path(source)
        where = path.name
        if not path.is_file():
            from jkit.errors import MissingResourceError

            raise MissingResourceError(f"lexicon file {str(path)!r} not found; expected a file of word<TAB>valence lines")
        items = []
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in (line.split("\t") if "\t" in line else line.split(","))]
            if len(parts) < 2:
                raise DataValidationError(f"{where}: line {no}: {line!r} should be word<TAB>valence")
            if not items and parts[1].lower() in {"valence", "score", "value"}:
                continue  # header line
            items.append((parts[0], parts[1], no))
    out: dict[str, float] = {}
    for word, value, no in items:
        try:
            valence = float(value)
        except (TypeError, ValueError):
            raise DataValidationError(
                f"{where}: entry {no} ({word!r}): valence {value!r} is not a number; expected -4 to 4"
            ) from None
        if not -4 <= valence <= 4 or np.isnan(valence):
            raise DataValidationError(f"{where}: entry {no} ({word!r}): valence {valence:g} is outside -4 to 4")
        word = word.strip().lower()
        if not word or any(c.isspace() for c in word):
            raise DataValidationError(
                f"{where}: entry {no}: {word!r} should be one word without spaces (VADER scores single tokens)"
            )
        out[word] = valence
    return out


@functools.lru_cache(maxsize=1)
def feedback_lexicon() -> dict[str, float]:
    """The commerce words ``rules="feedback"`` adds to VADER's lexicon (``jkit/resources/feedback_lexicon.tsv``).

    Only words that a test shows to raise accuracy on real labelled reviews are shipped; add your
    own with ``score_sentiment(..., lexicon=...)``.
    """
    path = resources.files("jkit.resources").joinpath("feedback_lexicon.tsv")
    with resources.as_file(path) as p:
        return read_lexicon(p)


def _fixes_for(rules: str | Iterable[str]) -> frozenset[str] | None:
    """``None`` for plain VADER, else the set of feedback fixes."""
    if isinstance(rules, str):
        if rules == "vader":
            return None
        if rules == "feedback":
            return frozenset(FEEDBACK_FIXES)
        raise ParameterError(
            f"rules={rules!r} should be 'feedback' (VADER plus feedback fixes), 'vader' (exactly NLTK's VADER) "
            f"or a list of fix names from {', '.join(FEEDBACK_FIXES)}"
        )
    fixes = frozenset(rules)
    unknown = sorted(fixes - set(FEEDBACK_FIXES))
    if unknown:
        raise ParameterError(f"rules: unknown fix {unknown!r}; known fixes are {', '.join(FEEDBACK_FIXES)}")
    return fixes


def _scorer_config(rules, lexicon) -> tuple[dict[str, float], frozenset[str] | None, dict[str, str] | None]:
    fixes = _fixes_for(rules)
    lex = dict(_base_lexicon())
    if fixes is not None:
        lex.update(feedback_lexicon())
    if lexicon is not None:
        lex.update(read_lexicon(lexicon))
    emoji = _emoji_names() if fixes is not None else None
    return lex, fixes, emoji


# --------------------------------------------------------------------------- input checks


def _texts_of(data: Any, text_col: str) -> pd.Series:
    if isinstance(data, pd.DataFrame):
        if text_col not in data.columns:
            raise DataValidationError(
                f"feedback table: no column {text_col!r}; found columns {', '.join(map(repr, data.columns))}. "
                f"Pass text_col= the column that holds the texts."
            )
        return data[text_col]
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, (str, bytes)):
        raise ParameterError("data should be a DataFrame, a Series or a list of texts, not a single string; wrap it: [text]")
    if isinstance(data, (list, tuple, np.ndarray)):
        return pd.Series(list(data), dtype=object)
    raise ParameterError(
        f"data of type {type(data).__name__} is not accepted; expected a DataFrame, a Series, a list of texts "
        "(or use iter_sentiment for an iterator or a Parquet file)"
    )


_NON_LATIN = ("\u0400", "\u04ff", "\u0590", "\u06ff", "\u0900", "\u0dff", "\u0e00", "\u0eff", "\u3040", "\u9fff",
              "\uac00", "\ud7af")


# Frequent function words of other languages written in Latin script (Spanish, French, German,
# Portuguese, Italian, Dutch) that are not English words: a text of six or more words with no
# English stop word and at least two of these is set aside as not English. Telegraphic English
# ("Good value, great food, great service.") has none of them and is scored.
_FOREIGN_FUNCTION_WORDS = frozenset(
    ["el", "la", "los", "las", "y", "que", "del", "es", "fue", "muy", "pero", "con", "para", "por", "una", "lo", "le", "les", "et", "est", "une", "très", "avec", "pour", "mais", "dans", "der", "die", "das", "und", "ist", "nicht", "sehr", "mit", "für", "ein", "eine", "auch", "um", "uma", "não", "com", "mas", "il", "è", "non", "della", "sono", "het", "een", "niet", "zeer", "maar", "ook"]
)


@functools.lru_cache(maxsize=1)
def _english_markers() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _why_not_scored(value: Any, max_chars: int | None) -> tuple[str | None, str | None]:
    """``(text, None)`` when ``value`` can be scored, else ``(None, reason)``."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None, "missing text"
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            value = bytes(value).decode("cp1252", errors="replace")
    if not isinstance(value, str):
        return None, f"not text ({type(value).__name__})"
    if not value.strip():
        return None, "empty text"
    if max_chars is not None and len(value) > max_chars:
        return None, f"longer than max_chars={max_chars:,}"
    letters = [c for c in value[:2000] if c.isalpha()]
    if letters:
        foreign = sum(1 for c in letters if any(lo <= c <= hi for lo, hi in zip(_NON_LATIN[::2], _NON_LATIN[1::2], strict=True)))
        if foreign > 0.5 * len(letters):
            return None, "not English (non-Latin script)"
        words = [w.strip(".,;:!?\"'()¿¡").lower() for w in value[:2000].split()]
        words = [w for w in words if w.isalpha()]
        if (
            len(words) >= 6
            and not any(w in _english_markers() for w in words)
            and sum(w in _FOREIGN_FUNCTION_WORDS for w in words) >= 2
        ):
            return None, "not English (no English function words)"
    return value, None


def _check(texts: pd.Series, max_chars: int | None) -> tuple[list[str | None], list[str | None]]:
    prepared: list[str | None] = []
    reasons: list[str | None] = []
    for value in texts.tolist():
        if type(value) is str and value.strip() and (max_chars is None or len(value) <= max_chars) and value.isascii():
            # fast path: plain ASCII text; only the English check remains
            words = value.split()
            if len(words) < 6 or any(w.strip(".,;:!?\"'()").lower() in _english_markers() for w in words):
                prepared.append(value)
                reasons.append(None)
                continue
        text, reason = _why_not_scored(value, max_chars)
        prepared.append(text)
        reasons.append(reason)
    return prepared, reasons


def _warn_set_aside(reasons: Sequence[str | None], total: int) -> None:
    counts = Counter(r for r in reasons if r is not None)
    if counts:
        n = sum(counts.values())
        detail = ", ".join(f"{c:,} {r}" for r, c in counts.most_common())
        warnings.warn(
            f"score_sentiment: set aside {n:,} of {total:,} texts ({detail}); they have label NA and the "
            "reason in column 'set_aside'",
            JkitWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- scoring


def _n_workers(n_jobs: int | None, n_unique: int) -> int:
    if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1):
        raise ParameterError(f"n_jobs={n_jobs!r} should be a positive number of processes, -1 (all cores) or None")
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores if n_unique >= _PARALLEL_MIN else 1
    return cores if n_jobs == -1 else n_jobs


class _Engine:
    """Scores unique texts, in this process or in a pool of workers that each load the lexicon once."""

    def __init__(self, rules, lexicon, sentences: bool, strong_negative: float | None, n_jobs, progress):
        self.lex, self.fixes, self.emoji = _scorer_config(rules, lexicon)
        self.sentences = sentences
        self.strong_negative = strong_negative
        self.n_jobs = n_jobs
        self.progress = progress
        self._scorer: _vader.Vader | None = None
        self._pool = None

    def scorer(self) -> _vader.Vader:
        if self._scorer is None:
            self._scorer = (
                _vader.Vader(self.lex) if self.fixes is None else _vader.FeedbackVader(self.lex, self.fixes, self.emoji)
            )
        return self._scorer

    def _bar(self, total: int):
        show = self.progress if self.progress is not None else total >= 200_000
        if not show:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="text", desc="sentiment", leave=False)

    def score(self, texts: list[str]) -> list[tuple]:
        workers = _n_workers(self.n_jobs, len(texts))
        bar = self._bar(len(texts))
        try:
            if workers <= 1:
                scorer = self.scorer()
                out = []
                for start in range(0, len(texts), _TASK_SIZE):
                    chunk = texts[start : start + _TASK_SIZE]
                    out.extend(_vader.score_one(scorer, t, self.sentences, self.strong_negative) for t in chunk)
                    if bar is not None:
                        bar.update(len(chunk))
                return out
            pool = self._get_pool(workers)
            size = max(1_000, min(_TASK_SIZE, len(texts) // (workers * 4) + 1))
            chunks = [texts[s : s + size] for s in range(0, len(texts), size)]
            out = []
            for res in pool.map(_vader.worker_score, chunks):
                out.extend(res)
                if bar is not None:
                    bar.update(len(res))
            return out
        finally:
            if bar is not None:
                bar.close()

    def _get_pool(self, workers: int):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork (Linux) starts workers in milliseconds and shares the parsed lexicon; elsewhere spawn
            method = "fork" if "fork" in mp.get_all_start_methods() and os.name == "posix" else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=mp.get_context(method),
                initializer=_vader.worker_init,
                initargs=(self.lex, self.fixes, self.emoji, self.sentences, self.strong_negative),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _validate_thresholds(thresholds) -> tuple[float, float]:
    try:
        low, high = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        raise ParameterError(f"thresholds={thresholds!r} should be two numbers (negative_below, positive_from) such as (-0.05, 0.05)") from None
    if not -1 <= low <= high <= 1:
        raise ParameterError(f"thresholds={thresholds!r} should satisfy -1 <= low <= high <= 1")
    return low, high


def _score_series(
    texts: pd.Series, engine: _Engine, thresholds: tuple[float, float], max_chars: int | None, total_warn: bool = True
) -> pd.DataFrame:
    prepared, reasons = _check(texts, max_chars)
    ok = [i for i, t in enumerate(prepared) if t is not None]
    uniq: dict[str, int] = {}
    codes = np.empty(len(ok), dtype=np.int64)
    for k, i in enumerate(ok):
        t = prepared[i]
        code = uniq.get(t)  # type: ignore[arg-type]
        if code is None:
            code = uniq[t] = len(uniq)  # type: ignore[index]
        codes[k] = code
    results = engine.score(list(uniq))
    n = len(texts)
    arr = np.full((n, 6), np.nan)
    if results:
        table = np.asarray(results, dtype="float64")
        arr[np.asarray(ok, dtype=np.int64)] = table[codes]
    low, high = thresholds
    compound = arr[:, 3]
    label = np.where(compound >= high, "positive", np.where(compound <= low, "negative", "neutral"))
    out = pd.DataFrame(
        {
            "compound": compound,
            "pos": arr[:, 2],
            "neu": arr[:, 1],
            "neg": arr[:, 0],
            "label": pd.array(label, dtype="string"),
            "n_sentences": pd.array(arr[:, 4], dtype="Float64").astype("Int64"),
            "min_sentence": arr[:, 5],
            "set_aside": pd.array(reasons, dtype="string"),
        },
        index=texts.index,
    )
    out.loc[out["set_aside"].notna(), "label"] = pd.NA
    if total_warn:
        _warn_set_aside(reasons, n)
    return out


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
) -> pd.DataFrame:
    """Score the sentiment of feedback texts with VADER (NLTK's implementation, offline).

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
        fixes (to measure each one).
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
        Feedback rules only: a text of several sentences whose most negative sentence scores at or
        below this gets the lower of its whole-text and worst-sentence compound, so that one angry
        sentence in a polite ticket is not averaged away. ``None`` switches this off.
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
    from jkit._engines import choose

    if choose(engine, data, ("pandas", "spark"), analysis="score_sentiment") == "spark":
        from jkit.sentiment.engines.spark import score_sentiment as spark_score_sentiment

        return spark_score_sentiment(data, text_col=text_col, rules=rules, lexicon=lexicon, thresholds=thresholds,
                                     sentences=sentences, strong_negative=strong_negative, max_chars=max_chars)
    thresholds = _validate_thresholds(thresholds)
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise ParameterError(f"max_chars={max_chars!r} should be a positive whole number or None")
    texts = _texts_of(data, text_col)
    engine = _Engine(rules, lexicon, sentences, strong_negative, n_jobs, progress)
    try:
        return _score_series(texts, engine, thresholds, max_chars)
    finally:
        engine.close()


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
    thresholds = _validate_thresholds(kwargs.pop("thresholds", (-0.05, 0.05)))
    max_chars = kwargs.pop("max_chars", None)
    engine = _Engine(
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
            texts = _texts_of(batch, text_col)
            scores = _score_series(texts, engine, thresholds, max_chars)
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
            from jkit.errors import MissingResourceError

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


# --------------------------------------------------------------------------- aggregation


def _group_values(frame: pd.DataFrame, col: str) -> pd.Series:
    values = frame[col]
    if values.isna().any():
        values = values.astype("string").fillna("(missing)")
    return values


def sentiment_summary(
    scored: pd.DataFrame,
    *,
    by: str | Sequence[str] = "stage",
    compound_col: str = "compound",
    label_col: str = "label",
    period: str | None = None,
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean sentiment and label shares, with confidence intervals, per group.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`score_sentiment`'s columns.
    by : str or list of str, default "stage"
        Grouping column(s): ``"stage"``, ``"touchpoint"``, ``"source"``, ``"persona"``, ... Missing
        values form the group ``"(missing)"``.
    compound_col, label_col : str
        Score columns.
    period : str, optional
        Also group by calendar period of ``time_col``: a pandas period alias such as ``"W"``,
        ``"M"`` or ``"Q"`` (adds a ``period`` column).
    time_col : str, default "timestamp"
        Time column used with ``period``.
    confidence : float, default 0.95
        Level of the intervals: Student-t for the mean, Wilson for the shares.

    Returns
    -------
    DataFrame
        One row per group: the group column(s), ``n`` (scored texts), ``n_set_aside``,
        ``mean_compound``, ``mean_low``, ``mean_high``, and for each label L in negative, neutral,
        positive: ``share_L``, ``share_L_low``, ``share_L_high``.

    Examples
    --------
    >>> sentiment_summary(scored, by=["stage", "touchpoint"])        # doctest: +SKIP
    """
    keys = [by] if isinstance(by, str) else list(by)
    frame = scored
    missing = [c for c in [*keys, compound_col, label_col] if c not in frame.columns]
    if period is not None and time_col not in frame.columns:
        missing.append(time_col)
    if missing:
        raise DataValidationError(
            f"sentiment_summary: no column {', '.join(map(repr, missing))}; found {', '.join(map(repr, frame.columns))}"
        )
    work = pd.DataFrame(index=frame.index)
    for k in keys:
        work[k] = _group_values(frame, k)
    if period is not None:
        ts = frame[time_col]
        if isinstance(ts.dtype, pd.DatetimeTZDtype):
            ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
        try:
            work["period"] = pd.to_datetime(ts).dt.to_period(period).astype("string")
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"period={period!r} should be a pandas period alias such as 'W', 'M' or 'Q' ({exc})") from None
        keys = [*keys, "period"]
    work["_c"] = pd.to_numeric(frame[compound_col], errors="coerce").astype("float64")
    work["_l"] = frame[label_col].astype("string")
    rows = []
    for name, g in work.groupby(keys, sort=True, dropna=False):
        name = name if isinstance(name, tuple) else (name,)
        scored_g = g["_c"].notna()
        n = int(scored_g.sum())
        mean, lo, hi = mean_interval(g["_c"].to_numpy(), confidence)
        row = dict(zip(keys, name, strict=True))
        row.update(n=n, n_set_aside=int((~scored_g).sum()), mean_compound=mean, mean_low=lo, mean_high=hi)
        for lab in LABELS:
            k = int((g["_l"] == lab).sum())
            low, high = wilson_interval(k, n, confidence)
            row.update({f"share_{lab}": k / n if n else np.nan, f"share_{lab}_low": float(low), f"share_{lab}_high": float(high)})
        rows.append(row)
    cols = [*keys, "n", "n_set_aside", "mean_compound", "mean_low", "mean_high"] + [
        f"share_{lab}{s}" for lab in LABELS for s in ("", "_low", "_high")
    ]
    return pd.DataFrame(rows, columns=cols)


def emotion_curve(
    scored: pd.DataFrame,
    stages: Any = None,
    *,
    stage_col: str = "stage",
    compound_col: str = "compound",
    label_col: str = "label",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean sentiment along the journey: one row per stage, in the stage model's order.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`score_sentiment`'s columns, with a stage column.
    stages : StageModel, template name, list of stage names, or None
        The order of the stages (default: the ``five_stage`` template). Stages without feedback
        appear with ``n = 0``; feedback without a known stage is left out with a JkitWarning.
    stage_col, compound_col, label_col : str
        Column names.
    confidence : float, default 0.95
        Interval level.

    Returns
    -------
    DataFrame
        ``stage``, ``stage_index`` (0-based) and the columns of :func:`sentiment_summary`; the row
        with the lowest ``mean_compound`` is the journey's emotional dip.
    """
    if isinstance(stages, (list, tuple)):
        names = [str(s) for s in stages]
    else:
        from jkit.stages import load_stage_model

        names = load_stage_model(stages).names
    if stage_col not in scored.columns:
        raise DataValidationError(f"emotion_curve: no column {stage_col!r}; pass stage_col= the feedback's stage column")
    known = scored[stage_col].isin(names)
    n_unknown = int((~known).sum())
    if n_unknown:
        found = scored.loc[~known, stage_col].astype("string").fillna("(missing)").value_counts().head(3)
        warnings.warn(
            f"emotion_curve: left out {n_unknown:,} of {len(scored):,} feedback rows whose stage is not in the stage "
            f"model ({', '.join(f'{k!r}: {v}' for k, v in found.items())})",
            JkitWarning,
            stacklevel=2,
        )
    summary = sentiment_summary(
        scored[known], by=stage_col, compound_col=compound_col, label_col=label_col, confidence=confidence
    )
    base = pd.DataFrame({stage_col: names, "stage_index": range(len(names))})
    out = base.merge(summary.astype({stage_col: "object"}), on=stage_col, how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["n_set_aside"] = out["n_set_aside"].fillna(0).astype("int64")
    return out.rename(columns={stage_col: "stage"})
