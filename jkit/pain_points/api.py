"""Pain points: the phrases over-represented in negative feedback compared with positive, with quotes.

:func:`pain_points` cuts each scored text into candidate phrases (:mod:`jkit.pain_points.phrases`),
ranks them within each group by the weighted log-odds z-score, and shows each with its stages,
touchpoints and redacted quotes (:mod:`jkit.pain_points.quotes`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list, require_columns
from jkit.errors import ParameterError
from jkit.pain_points.phrases import (
    GENERIC_WORDS,
    STOP_WORDS,
    candidate_phrases,
    drop_subsumed,
    weighted_log_odds,
)
from jkit.pain_points.quotes import redactor_for, representative_quotes

__all__ = ["pain_points"]

_COLUMNS = ("rank", "phrase", "n", "n_negative", "n_positive", "share_negative", "mean_compound", "log_odds", "z",
            "stages", "top_stage", "touchpoints", "top_touchpoint", "quotes")


def _distribution(values: pd.Series, limit: int = 3) -> tuple[str, str | None]:
    """The most frequent values with their counts (``"a (3), b (1)"``) and the most frequent one."""
    counts = values.astype("string").dropna().value_counts()
    if counts.empty:
        return "", None
    text = ", ".join(f"{k} ({v})" for k, v in counts.head(limit).items())
    if len(counts) > limit:
        text += f", +{len(counts) - limit} more"
    return text, str(counts.index[0])


@dataclass(frozen=True)
class _Phrases:
    """The candidate phrases of every scored text; the prior spans them all, so all groups share it."""

    grams: list[set[str]]
    labels: np.ndarray
    index: dict[str, int]
    background: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame, text_col: str, label_col: str, stop: frozenset[str], max_words: int) -> _Phrases:
        texts = frame[text_col].tolist()
        grams = [candidate_phrases(t, stop_words=stop, max_words=max_words) if isinstance(t, str) else set()
                 for t in texts]
        labels = frame[label_col].astype("string").fillna("").to_numpy()
        background = Counter(g for gs in grams for g in gs)
        phrases = list(background)
        index = {p: k for k, p in enumerate(phrases)}
        bg = np.fromiter((background[p] for p in phrases), dtype="float64", count=len(phrases))
        return cls(grams, labels, index, bg)


def _check(scored: pd.DataFrame, by: str | None, columns: Sequence[str], counts: dict[str, Any]) -> None:
    for name, value in counts.items():
        if not isinstance(value, (int, np.integer)) or value < (0 if name == "n_quotes" else 1):
            raise ParameterError(f"{name}={value!r} should be a positive whole number")
    require_columns(scored, [*columns, *as_list(by)], "pain_points",
                    hint="join the feedback with score_sentiment(...) first")


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[Any, np.ndarray]]:
    if by is None:
        return [(None, np.arange(len(frame)))]
    values = frame[by].astype("string").fillna("(missing)")
    return [(key, np.flatnonzero((values == key).to_numpy())) for key in values.drop_duplicates().sort_values()]


def _rank(phr: _Phrases, idx: np.ndarray, *, min_count: int, min_z: float, generic: frozenset[str],
          prior_strength: float | None, reveals: Callable[[str], bool] | None):
    """``(candidates best first, negative counts, positive counts, phrases withheld)`` of one group, or None."""
    grams, labels, index = phr.grams, phr.labels, phr.index
    neg = Counter(g for i in idx if labels[i] == "negative" for g in grams[i])
    pos = Counter(g for i in idx if labels[i] == "positive" for g in grams[i])
    alln = Counter(g for i in idx for g in grams[i])
    vocab = [p for p, c in alln.items() if c >= min_count]
    if generic:
        vocab = [p for p in vocab if not all(w in generic for w in p.split())]
    if not vocab or not neg or not pos:
        return None
    dropped = drop_subsumed({p: alln[p] for p in vocab})
    y_neg = np.zeros(len(index))
    y_pos = np.zeros(len(index))
    for p, c in neg.items():
        y_neg[index[p]] = c
    for p, c in pos.items():
        y_pos[index[p]] = c
    delta, z = weighted_log_odds(y_neg, y_pos, phr.background, prior_strength=prior_strength)
    cand = [(p, float(delta[index[p]]), float(z[index[p]])) for p in vocab if p not in dropped]
    cand = [c for c in cand if c[2] >= min_z]
    withheld = 0
    if reveals is not None:  # a phrase that names a customer is never a ranked pain point
        withheld = sum(1 for c in cand if reveals(c[0]))
        cand = [c for c in cand if not reveals(c[0])]
    cand.sort(key=lambda c: (-c[2], c[0]))
    return cand, neg, pos, withheld


def pain_points(
    scored: pd.DataFrame,
    *,
    by: str | None = None,
    text_col: str = "text", compound_col: str = "compound", label_col: str = "label",
    stage_col: str = "stage", touchpoint_col: str = "touchpoint",
    max_words: int = 3, min_count: int = 5, min_z: float = 1.96, top: int = 20,
    prior_strength: float | None = None,
    stop_words: Iterable[str] | None = None, generic_words: Iterable[str] | None = None,
    n_quotes: int = 3, redact: bool | Callable[[str], str] | None = True,
) -> pd.DataFrame:
    """Phrases over-represented in negative feedback compared with positive, ranked by z-score.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`jkit.sentiment.score_sentiment`'s columns.
    by : str, optional
        Rank within each value of this column (e.g. ``"stage"``); the prior still comes from all
        the feedback. Default: one ranking over everything.
    text_col, compound_col, label_col, stage_col, touchpoint_col : str
        Column names; the stage and touchpoint columns are optional.
    max_words : int, default 3
        Longest phrase.
    min_count : int, default 5
        Fewest texts a phrase must occur in (within its group).
    min_z : float, default 1.96
        Smallest z-score kept (1.96: over-represented at the 5% level, one phrase at a time).
    top : int, default 20
        Most phrases per group.
    prior_strength : float, optional
        Pseudo-counts of the Dirichlet prior (see :func:`weighted_log_odds`).
    stop_words : iterable of str, optional
        Words that break phrases (default :data:`STOP_WORDS`).
    generic_words : iterable of str, optional
        Phrases made only of these words say how customers feel, not what hurts, and are left
        out (default :data:`GENERIC_WORDS`: "terrible", "bad experience", ...; ``()`` keeps all).
    n_quotes : int, default 3
        Quotes per phrase (see :func:`representative_quotes`).
    redact : bool or callable, default True
        Passed to :func:`representative_quotes`: quotes are redacted unless ``False``. Phrases
        that carry personal data (a word of a customer's name, an e-mail…) are never ranked:
        they are withheld and counted in ``result.attrs["phrases_withheld"]``.

    Returns
    -------
    DataFrame
        One row per pain point, best first within each group: [``by``], ``rank``, ``phrase``,
        ``n`` (texts holding it), ``n_negative``, ``n_positive``, ``share_negative``,
        ``mean_compound``, ``log_odds``, ``z``, ``stages``, ``top_stage``, ``touchpoints``,
        ``top_touchpoint``, ``quotes`` (list of str).

    Examples
    --------
    >>> pains = pain_points(feedback.join(score_sentiment(feedback)), by="stage")   # doctest: +SKIP
    """
    _check(scored, by, (text_col, compound_col, label_col),
           {"min_count": min_count, "top": top, "max_words": max_words, "n_quotes": n_quotes})
    stop = frozenset(STOP_WORDS if stop_words is None else (w.lower() for w in stop_words))
    frame = scored[scored[compound_col].notna()]
    phr = _Phrases.of(frame, text_col, label_col, stop, max_words)
    generic = frozenset(GENERIC_WORDS if generic_words is None else (w.lower() for w in generic_words))
    redactor = redactor_for(redact)
    reveals = getattr(redactor, "reveals", None) or (
        (lambda phrase: redactor(phrase) != phrase) if redactor is not None else None
    )
    withheld = 0
    out_rows = []
    for key, idx in _groups(frame, by):
        ranked = _rank(phr, idx, min_count=min_count, min_z=min_z, generic=generic, prior_strength=prior_strength,
                       reveals=reveals)
        if ranked is None:
            continue
        cand, neg, pos, n_withheld = ranked
        withheld += n_withheld
        sub = frame.iloc[idx]
        sub_grams = [phr.grams[i] for i in idx]
        for rank, (phrase, d, zz) in enumerate(cand[:top], start=1):
            has = np.fromiter((phrase in g for g in sub_grams), dtype=bool, count=len(sub_grams))
            rows = sub[has]
            stages, top_stage = _distribution(rows[stage_col]) if stage_col in rows.columns else ("", None)
            tps, top_tp = _distribution(rows[touchpoint_col]) if touchpoint_col in rows.columns else ("", None)
            n_neg = int(neg[phrase])
            quotes = representative_quotes(rows, phrase, text_col=text_col, compound_col=compound_col, n=n_quotes,
                                           redact=redact)
            row = dict(zip(_COLUMNS, (rank, phrase, int(has.sum()), n_neg, int(pos[phrase]), n_neg / int(has.sum()),
                                      float(rows[compound_col].mean()), d, zz, stages, top_stage, tps, top_tp, quotes),
                           strict=True))
            out_rows.append(row if by is None else {by: key, **row})
    out = pd.DataFrame(out_rows, columns=[*as_list(by), *_COLUMNS])
    out.attrs["phrases_withheld"] = withheld
    return out
