"""The scoring engine and the interface every sentiment engine implements.

:class:`ScoringOptions` is what :func:`jkit.sentiment.score_sentiment` was asked for, as each
engine of :mod:`jkit.sentiment.engines` receives it. :class:`ScoringEngine` scores distinct texts
in this process or a pool of workers, and :func:`score_series` turns a Series of feedback into
the score columns (:data:`SCORE_COLUMNS`): texts checked, each distinct text scored once,
labels from the thresholds, the set-aside warning. The checks of the parameters shared by the
engines live here too.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import require_columns
from jkit.errors import JkitWarning, ParameterError
from jkit.sentiment import workers
from jkit.sentiment.lexicon import base_lexicon, emoji_names, feedback_lexicon, read_lexicon
from jkit.sentiment.rules import fixes_for
from jkit.sentiment.text import check_texts
from jkit.sentiment.vader import Vader

__all__ = [
    "LABELS",
    "SCORE_COLUMNS",
    "TEXT_COL_HINT",
    "ScoringEngine",
    "ScoringOptions",
    "checked",
    "score_series",
    "scorer_config",
    "texts_of",
    "validate_max_chars",
    "validate_thresholds",
    "warn_set_aside",
]

#: Labels in order from worst to best.
LABELS = ("negative", "neutral", "positive")
#: Columns :func:`score_sentiment` returns.
SCORE_COLUMNS = ("compound", "pos", "neu", "neg", "label", "n_sentences", "min_sentence", "set_aside")

#: how a missing text column is fixed (both engines say it)
TEXT_COL_HINT = "pass text_col= the column that holds the texts"

_TASK_SIZE = 5_000


@dataclass(frozen=True)
class ScoringOptions:
    """The parameters of :func:`jkit.sentiment.score_sentiment` that every engine receives.

    ``n_jobs`` and ``progress`` apply to the pandas engine only (Spark spreads the work itself).
    """

    rules: str | Iterable[str] = "feedback"
    lexicon: str | Path | Mapping[str, float] | None = None
    thresholds: tuple[float, float] = (-0.05, 0.05)
    sentences: bool = True
    strong_negative: float | None = -0.5
    max_chars: int | None = None
    n_jobs: int | None = None
    progress: bool | None = None


def scorer_config(rules, lexicon) -> tuple[dict[str, float], frozenset[str] | None, dict[str, str] | None]:
    """``(lexicon, fixes, emoji names)`` a scorer is built from for ``rules=`` and ``lexicon=``."""
    fixes = fixes_for(rules)
    lex = dict(base_lexicon())
    if fixes is not None:
        lex.update(feedback_lexicon())
    if lexicon is not None:
        lex.update(read_lexicon(lexicon))
    emoji = emoji_names() if fixes is not None else None
    return lex, fixes, emoji


def validate_thresholds(thresholds) -> tuple[float, float]:
    """``thresholds=`` as two floats ``(low, high)`` with ``-1 <= low <= high <= 1``, else a ParameterError."""
    try:
        low, high = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        raise ParameterError(f"thresholds={thresholds!r} should be two numbers (negative_below, positive_from) such as (-0.05, 0.05)") from None
    if not -1 <= low <= high <= 1:
        raise ParameterError(f"thresholds={thresholds!r} should satisfy -1 <= low <= high <= 1")
    return low, high


def checked(options: ScoringOptions | None) -> tuple[ScoringOptions, tuple[float, float]]:
    """``options`` (default :class:`ScoringOptions`) and its thresholds as floats, checked as engines do first."""
    options = options or ScoringOptions()
    thresholds = validate_thresholds(options.thresholds)
    validate_max_chars(options.max_chars)
    return options, thresholds


def validate_max_chars(max_chars: Any) -> None:
    """A ParameterError unless ``max_chars`` is None or a positive whole number."""
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise ParameterError(f"max_chars={max_chars!r} should be a positive whole number or None")


def texts_of(data: Any, text_col: str) -> pd.Series:
    """The texts of ``data`` (a DataFrame's ``text_col``, a Series, or a list of texts) as a Series."""
    if isinstance(data, pd.DataFrame):
        require_columns(data, [text_col], "feedback table", hint=TEXT_COL_HINT)
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


def warn_set_aside(reasons: Sequence[str | None], total: int) -> None:
    """One :class:`~jkit.errors.JkitWarning` counting the texts set aside, by reason (none if none)."""
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


class ScoringEngine:
    """Scores unique texts, in this process or in a pool of workers that each load the lexicon once."""

    def __init__(self, rules, lexicon, sentences: bool, strong_negative: float | None, n_jobs, progress):
        self.lex, self.fixes, self.emoji = scorer_config(rules, lexicon)
        self.sentences = sentences
        self.strong_negative = strong_negative
        self.n_jobs = n_jobs
        self.progress = progress
        self._scorer: Vader | None = None
        self._pool = None

    def scorer(self) -> Vader:
        """This process's scorer, built on first use."""
        if self._scorer is None:
            self._scorer = workers.make_scorer(self.lex, self.fixes, self.emoji)
        return self._scorer

    def _bar(self, total: int):
        show = self.progress if self.progress is not None else total >= 200_000
        if not show:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="text", desc="sentiment", leave=False)

    def score(self, texts: list[str]) -> list[tuple]:
        """:func:`~jkit.sentiment.workers.score_one` of each text, in order."""
        n_procs = workers.n_workers(self.n_jobs, len(texts))
        bar = self._bar(len(texts))
        try:
            if n_procs <= 1:
                scorer = self.scorer()
                out = []
                for start in range(0, len(texts), _TASK_SIZE):
                    chunk = texts[start : start + _TASK_SIZE]
                    out.extend(workers.score_one(scorer, t, self.sentences, self.strong_negative) for t in chunk)
                    if bar is not None:
                        bar.update(len(chunk))
                return out
            pool = self._get_pool(n_procs)
            size = max(1_000, min(_TASK_SIZE, len(texts) // (n_procs * 4) + 1))
            chunks = [texts[s : s + size] for s in range(0, len(texts), size)]
            out = []
            for res in pool.map(workers.worker_score, chunks):
                out.extend(res)
                if bar is not None:
                    bar.update(len(res))
            return out
        finally:
            if bar is not None:
                bar.close()

    def _get_pool(self, n_procs: int):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork (Linux) starts workers in milliseconds and shares the parsed lexicon; elsewhere spawn
            method = "fork" if "fork" in mp.get_all_start_methods() and os.name == "posix" else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=n_procs,
                mp_context=mp.get_context(method),
                initializer=workers.worker_init,
                initargs=(self.lex, self.fixes, self.emoji, self.sentences, self.strong_negative),
            )
        return self._pool

    def close(self) -> None:
        """Shut the worker pool down (if one was started)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def score_series(
    texts: pd.Series, engine: ScoringEngine, thresholds: tuple[float, float], max_chars: int | None,
    total_warn: bool = True,
) -> pd.DataFrame:
    """The :data:`SCORE_COLUMNS` of ``texts`` (same index); each distinct text is scored once."""
    prepared, reasons = check_texts(texts, max_chars)
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
        warn_set_aside(reasons, n)
    return out


