"""Pain-point themes: what customers complain about, one row per theme, worst first.

:func:`pain_point_themes` turns scored feedback into themes in four steps.

1. **Candidates** (:mod:`jkit.pain_points.candidates`): noun phrases and feature words of each
   text, negation kept, opinion words left out (they describe a theme).
2. **Over-representation in negative feedback**: for each candidate, the log-odds ratio that a
   negative rather than a positive text holds it, with an informative prior centred on its rate in
   all the texts (:func:`document_log_odds`: the per-text form of Monroe, Colaresi & Quinn's
   weighted log-odds, 2008), and its z-score. Kept: candidates in at least ``min_count`` texts,
   ``min_negative`` of them negative, with ``z >= min_z`` (default −1: not clearly praised more
   often than criticised). ``min_count`` adapts to the corpus: ``max(2, round(sqrt(n) / 8))`` texts of a
   corpus of ``n`` (2 for 300 sentences, 4 for 1,000, 13 for 10,000, 125 for a million).
3. **Ranking**: by the number of negative texts (what most customers complain about), then z.
   On the real reviews this names more of the most-criticised features than ranking by z, which
   favours rare phrases.
4. **Merging** (:mod:`jkit.pain_points.merging`): variants (plural and singular, "battery" and
   "battery life", phrases written together) join one theme, so that no two themes share more
   than half their texts.

Quotes are texts *about* the theme: among its negative texts, those closest to the centroid of
the theme's texts (TF-IDF cosine), with a bonus when the theme's phrase comes early (the subject
of the sentence); every quote passes the redactor of :mod:`jkit.pain_points.quotes`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list, require_columns
from jkit.errors import ParameterError
from jkit.pain_points.candidates import (
    RATED_NOUNS,
    noun_evidence,
    noun_like,
    opinion_words,
    respell,
    spelling_map,
    text_candidates,
    tokenize,
)
from jkit.pain_points.merging import Theme, merge_candidates, theme_name
from jkit.pain_points.phrases import GENERIC_WORDS
from jkit.pain_points.quotes import redactor_for
from jkit.pain_points.theme_rows import theme_rows

__all__ = ["pain_point_themes", "THEME_COLUMNS", "default_min_count", "document_log_odds"]

THEME_COLUMNS = ("rank", "theme", "complaint", "phrases", "feedback_ids", "n_texts", "n_negative", "share_negative",
                 "share_negative_low", "share_negative_high", "mean_compound", "log_odds", "log_odds_se", "z",
                 "stages", "touchpoints", "quotes")


NOUN_SHARE_RATED = 1 / 3  # a word VADER rates is a thing when used as a noun this often
NOUN_SHARE_HEAD = 0.05  # a phrase's last word must be used as a noun this often ...
HEAD_MIN_TEXTS = 100  # ... in a corpus of at least this many texts


def _valence(word: str) -> float:
    from jkit.sentiment.lexicon import base_lexicon

    return float(base_lexicon().get(word, 0.0))


DEFAULT_PRIOR = 10.0  # pseudo-texts of the prior on each side


def document_log_odds(y_neg: np.ndarray, y_pos: np.ndarray, n_neg: float, n_pos: float, rate: np.ndarray, *,
                      prior_strength: float = DEFAULT_PRIOR) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio that a negative rather than a positive text holds each phrase, with an informative prior.

    The per-text form of Monroe et al.'s weighted log-odds: a Beta prior centred on the phrase's
    rate in all the texts (``rate``) with ``prior_strength`` pseudo-texts is added on each side,
    ``alpha = s * rate``, ``beta = s * (1 - rate)``::

        delta = log((y_neg + alpha) / (n_neg - y_neg + beta)) - log((y_pos + alpha) / (n_pos - y_pos + beta))
        var   = 1/(y_neg + alpha) + 1/(n_neg - y_neg + beta) + 1/(y_pos + alpha) + 1/(n_pos - y_pos + beta)

    Returns ``(delta, z = delta / sqrt(var))``; well defined with no positive texts at all.

    >>> d, z = document_log_odds(np.array([5.0]), np.array([0.0]), 5, 3, np.array([0.6]))
    >>> round(float(d[0]), 3), round(float(z[0]), 3)
    (1.166, 1.445)
    """
    rate = np.clip(np.asarray(rate, dtype="float64"), 1e-9, 1 - 1e-9)
    alpha, beta = prior_strength * rate, prior_strength * (1 - rate)
    a, b = y_neg + alpha, n_neg - y_neg + beta
    c, d = y_pos + alpha, n_pos - y_pos + beta
    delta = np.log(a / b) - np.log(c / d)
    return delta, delta / np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)


def default_min_count(n_texts: int) -> int:
    """Fewest texts a candidate must occur in, for a corpus of ``n_texts``: ``max(2, round(sqrt(n) / 8))``.

    >>> [default_min_count(n) for n in (300, 1_000, 10_000, 1_000_000)]
    [2, 4, 12, 125]
    """
    return max(2, round(math.sqrt(max(n_texts, 0)) / 8))


class _Corpus:
    """The tokenized texts of the (possibly sampled) feedback and their candidates."""

    def __init__(self, texts: list[Any], max_words: int) -> None:
        chunks = [tokenize(t) if isinstance(t, str) else [] for t in texts]
        opinion = opinion_words()
        spelling = spelling_map(Counter(w for c in chunks for chunk in c for w in chunk))
        chunks = [respell(c, spelling) for c in chunks]
        seen, nounish, head_counts = noun_evidence(chunks)
        # a rated word is a thing only when mostly used as one ("the support"), never a plain judgement
        rated = noun_like(seen, head_counts, min_share=NOUN_SHARE_RATED, min_count=2)
        nouns = frozenset(w for w in rated & opinion if w not in GENERIC_WORDS and abs(_valence(w)) < 2.5)
        nouns |= RATED_NOUNS
        # a handful of texts ("delivery delay again") carries too little evidence of what is a noun
        heads = noun_like(seen, nounish, min_share=NOUN_SHARE_HEAD) if len(texts) >= HEAD_MIN_TEXTS else None
        self.chunks = chunks
        self.candidates = [text_candidates(c, opinion=opinion, nouns=nouns, heads=heads, max_words=max_words)
                           for c in chunks]
        self.nouns = nouns
        self.nounish = nounish
        self.spelling = spelling


def _sample(frame: pd.DataFrame, max_texts: int | None, seed: int) -> tuple[pd.DataFrame, int]:
    if max_texts is None or len(frame) <= max_texts:
        return frame, len(frame)
    return frame.sample(n=max_texts, random_state=seed).sort_index(), len(frame)


def _score(corpus: _Corpus, idx: np.ndarray, negative: np.ndarray, positive: np.ndarray, min_count: int, min_negative: int,
           min_z: float, prior_strength: float | None) -> list[tuple[str, set[int], Counter[str], float, float]]:
    """Candidates of the texts ``idx`` best first: ``(key, rows, surfaces, log_odds, z)``."""
    rows_of: dict[str, set[int]] = {}
    surfaces: dict[str, Counter[str]] = {}
    for i in idx:
        for key, surface in corpus.candidates[i].items():
            rows_of.setdefault(key, set()).add(int(i))
            surfaces.setdefault(key, Counter())[surface] += 1
    keys = [k for k, r in rows_of.items() if len(r) >= min_count]
    if not keys:
        return []
    y_all = np.array([len(rows_of[k]) for k in keys], dtype="float64")
    y_neg = np.array([sum(1 for r in rows_of[k] if negative[r]) for k in keys], dtype="float64")
    y_pos = np.array([sum(1 for r in rows_of[k] if positive[r]) for k in keys], dtype="float64")
    n_neg = float(negative[idx].sum())
    n_pos = float(positive[idx].sum())
    delta, z = document_log_odds(y_neg, y_pos, n_neg, n_pos, y_all / len(idx),
                                 prior_strength=DEFAULT_PRIOR if prior_strength is None else prior_strength)
    keep = (y_neg >= min_negative) & (z >= min_z)
    # volume first: the theme most customers complain about, among those not more often praised
    order = sorted(np.flatnonzero(keep), key=lambda k: (-y_neg[k], -z[k], keys[k]))
    return [(keys[k], rows_of[keys[k]], surfaces[keys[k]], float(delta[k]), float(z[k])) for k in order]


def _check(scored: pd.DataFrame, by: str | None, columns: list[str], counts: dict[str, Any]) -> None:
    for name, value in counts.items():
        if value is None and name in ("min_count", "max_texts"):
            continue
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < (0 if name == "n_quotes" else 1):
            raise ParameterError(f"{name}={value!r} should be a positive whole number")
    require_columns(scored, [*columns, *as_list(by)], "pain_point_themes",
                    hint="join the feedback with score_sentiment(...) first")


def pain_point_themes(
    scored: pd.DataFrame,
    *,
    by: str | None = None,
    text_col: str = "text", compound_col: str = "compound", label_col: str = "label",
    id_col: str = "feedback_id", stage_col: str = "stage", touchpoint_col: str = "touchpoint",
    top: int = 10, max_words: int = 3, min_count: int | None = None, min_negative: int = 2, min_z: float = -1.0,
    max_overlap: float = 0.5, prior_strength: float | None = None,
    max_texts: int | None = 200_000, seed: int = 0,
    n_quotes: int = 3, redact: bool | Callable[[str], str] | None = True,
) -> pd.DataFrame:
    """Pain-point themes: what customers complain about, merged across variants, worst first.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`jkit.sentiment.score_sentiment`'s columns (``text``,
        ``compound``, ``label``); ``feedback_id``, ``stage`` and ``touchpoint`` are optional.
    by : str, optional
        Themes within each value of this column (e.g. ``"stage"``); the prior comes from all texts.
    text_col, compound_col, label_col, id_col, stage_col, touchpoint_col : str
        Column names. Without ``id_col`` the index labels identify the texts.
    top : int, default 10
        Most themes per group.
    max_words : int, default 3
        Longest candidate phrase.
    min_count : int, optional
        Fewest texts a candidate must occur in; default :func:`default_min_count` of the
        group's size (adapts to the corpus).
    min_negative : int, default 2
        Fewest negative texts a candidate must occur in.
    min_z : float, default -1.0
        Smallest z-score of a candidate's log-odds: −1 leaves out what customers clearly praise
        more often than they criticise (by more than a standard error) but keeps the product's
        main features, which are criticised most in absolute numbers; 0 keeps only what is not
        praised more often; 1.96 only what is over-represented at the 5% level, one at a time.
    max_overlap : float, default 0.5
        Themes sharing more than this share of the smaller one's texts are merged.
    prior_strength : float, optional
        Pseudo-texts of the prior on each side (default 10; see :func:`document_log_odds`).
    max_texts : int or None, default 200,000
        Larger inputs are sampled down to this many texts (``seed``); ``result.attrs["sampled"]``
        then says ``{"texts": used, "of": total}``. None: use everything.
    n_quotes : int, default 3
        Quotes per theme.
    redact : bool or callable, default True
        Quotes are redacted (see :func:`jkit.pain_points.representative_quotes`); themes whose
        name the redactor would change (a customer's name) are withheld and counted in
        ``result.attrs["themes_withheld"]``.

    Returns
    -------
    DataFrame
        One row per theme, worst first within each group: [``by``], ``rank``, ``theme`` (its
        name), ``complaint`` (the negative opinion word most written with it, "slow",
        "confusing", "not helpful"; "" when none is common), ``phrases`` (the variants merged into it, most used first), ``feedback_ids`` (the
        texts it covers), ``n_texts``, ``n_negative``, ``share_negative`` with its Wilson
        interval (``share_negative_low``, ``share_negative_high``; compare with
        ``attrs["share_negative"]``, the corpus rate), ``mean_compound``, ``log_odds`` (weighted
        log-odds of negative against other texts) with its standard error ``log_odds_se`` and
        ``z``, ``stages`` and ``touchpoints`` (dicts of counts), ``quotes`` (list of str).
        ``attrs``: ``min_count`` (per group), ``share_negative``, ``sampled``, ``themes_withheld``.

    Examples
    --------
    >>> themes = pain_point_themes(feedback.join(score_sentiment(feedback)), by="stage")   # doctest: +SKIP
    """
    _check(scored, by, [text_col, compound_col, label_col],
           {"top": top, "max_words": max_words, "min_count": min_count, "min_negative": min_negative,
            "n_quotes": n_quotes, "max_texts": max_texts})
    if not 0 < max_overlap < 1:
        raise ParameterError(f"max_overlap={max_overlap!r} should be between 0 and 1")
    frame = scored[scored[compound_col].notna()]
    frame, total = _sample(frame, max_texts, seed)
    corpus = _Corpus(frame[text_col].tolist(), max_words)
    negative = (frame[label_col].astype("string") == "negative").fillna(False).to_numpy(dtype=bool)
    positive = (frame[label_col].astype("string") == "positive").fillna(False).to_numpy(dtype=bool)
    redactor = redactor_for(redact)
    reveals = getattr(redactor, "reveals", None) or (
        (lambda phrase: redactor(phrase) != phrase) if redactor is not None else None)
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    withheld = 0
    for key, idx in _groups(frame, by):
        n_min = default_min_count(len(idx)) if min_count is None else min_count
        counts[str(key)] = n_min
        ranked = _score(corpus, idx, negative, positive, n_min, min_negative, min_z, prior_strength)
        if reveals is not None:
            before = len(ranked)
            ranked = [c for c in ranked if not any(reveals(s) for s in c[2])]
            withheld += before - len(ranked)
        themes = merge_candidates([c[:3] for c in ranked], max_overlap=max_overlap, limit=top)
        for rank, theme in enumerate(_order(themes, negative)[:top], start=1):
            row = theme_rows(theme, rank, frame, corpus.chunks, negative, positive, idx,
                             cols=(text_col, compound_col, id_col, stage_col, touchpoint_col),
                             n_quotes=n_quotes, redactor=redactor, name=theme_name(theme.surfaces, nounish=corpus.nounish))
            rows.append(row if by is None else {by: key, **row})
    out = pd.DataFrame(rows, columns=[*as_list(by), *THEME_COLUMNS])
    out.attrs.update({"min_count": counts if by is not None else counts.get("None"),
                      "share_negative": float(negative.mean()) if len(negative) else float("nan"),
                      "sampled": {"texts": len(frame), "of": total} if len(frame) < total else None,
                      "themes_withheld": withheld})
    return out


def _order(themes: list[Theme], negative: np.ndarray) -> list[Theme]:
    """Worst first: most negative texts, then the highest share negative."""
    def key(t: Theme) -> tuple[float, float]:
        n_neg = sum(1 for r in t.rows if negative[r])
        return (-n_neg, -n_neg / len(t.rows))
    return sorted(themes, key=key)


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[Any, np.ndarray]]:
    if by is None:
        return [(None, np.arange(len(frame)))]
    values = frame[by].astype("string").fillna("(missing)")
    return [(key, np.flatnonzero((values == key).to_numpy())) for key in values.drop_duplicates().sort_values()]
