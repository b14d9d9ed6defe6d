"""One output row of :func:`jkit.pain_points.pain_point_themes`: counts, over-representation, quotes.

A theme's over-representation in negative feedback is the log odds ratio of negative against
positive texts inside the theme and outside it (within its group; neutral texts left out), with the
Haldane–Anscombe correction (0.5 added to each cell, so that a theme with no positive texts still
gets a finite value)::

    log_odds = log((a + .5) / (b + .5)) − log((c + .5) / (d + .5))
    log_odds_se = sqrt(1/(a + .5) + 1/(b + .5) + 1/(c + .5) + 1/(d + .5)),   z = log_odds / log_odds_se

where ``a``/``b`` are the theme's negative/positive texts and ``c``/``d`` those of the rest of the group.

Quotes are negative texts *about* the theme: ranked by the TF-IDF cosine similarity of the text to
the centroid of all the theme's texts, plus 0.25 when one of the theme's words comes in the first
third of the text (the theme is its subject, not an aside), minus a little for long texts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from jkit.pain_points.merging import Theme
from jkit.stats import wilson_interval

__all__ = ["theme_rows", "theme_log_odds", "pick_quotes", "describe"]

_ALNUM = re.compile(r"[a-z0-9']+")
_QUOTE_POOL = 400  # negative texts considered as quotes per theme (a random, fixed subset beyond this)
_CENTROID_POOL = 2000  # texts forming the centroid per theme


def theme_log_odds(a: int, b: int, c: int, d: int) -> tuple[float, float, float]:
    """``(log odds ratio, its standard error, z)`` of a 2×2 table with 0.5 added to each cell.

    >>> [round(x, 3) for x in theme_log_odds(8, 2, 10, 80)]
    [3.261, 0.791, 4.123]
    """
    cells = np.array([a, b, c, d], dtype="float64") + 0.5
    lor = math.log(cells[0] / cells[1]) - math.log(cells[2] / cells[3])
    se = math.sqrt(float((1.0 / cells).sum()))
    return lor, se, lor / se


def _valences() -> dict[str, float]:
    from jkit.sentiment.lexicon import base_lexicon, feedback_lexicon

    return {**base_lexicon(), **feedback_lexicon()}


def describe(chunks: Sequence[list[list[str]]], words: set[str], *, min_share: float = 0.25) -> str:
    """The complaint customers most often make of a theme: the negative opinion word written in the
    same clause as one of its ``words`` ("slow", "confusing", "not helpful"), when at least
    ``min_share`` of the texts make it; else "".

    >>> describe([[["support", "is", "slow"]], [["slow", "support"]], [["support", "not", "helpful"]]], {"support"})
    'slow'
    """
    from jkit.pain_points.candidates import NEGATIONS
    from jkit.pain_points.phrases import GENERIC_WORDS

    valence = _valences()
    counts: Counter[str] = Counter()
    for text in chunks:
        said: set[str] = set()
        for chunk in text:
            if not words.intersection(chunk):
                continue
            for k, w in enumerate(chunk):
                v = valence.get(w, 0.0)
                negated = k > 0 and (chunk[k - 1] in NEGATIONS or chunk[k - 1].endswith("n't"))
                if v < 0 and not negated and w not in GENERIC_WORDS:
                    said.add(w)
                elif v > 0 and negated and w not in GENERIC_WORDS:
                    said.add(f"not {w}")
        counts.update(said)
    if not counts:
        return ""
    word, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return word if n >= min_share * len(chunks) else ""


def _counts(values: pd.Series | None) -> dict[str, int]:
    if values is None:
        return {}
    counts = values.astype("string").fillna("(missing)").value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def _early(chunks: list[list[str]], words: set[str]) -> bool:
    flat = [w for c in chunks for w in c]
    for k, w in enumerate(flat):
        if w in words:
            return k < max(3, len(flat) / 3)
    return False


def _cut(text: str, words: set[str], max_chars: int) -> str:
    from jkit.sentiment.text import split_sentences

    text = " ".join(text.split())
    if len(text) > max_chars:
        for sentence in split_sentences(text):
            if any(w in sentence.lower() for w in words):
                text = sentence
                break
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def pick_quotes(texts: Sequence[str], chunks: Sequence[list[list[str]]], candidates: Sequence[int],
                words: set[str], *, n: int, redactor: Callable[[str], str] | None, max_chars: int = 240) -> list[str]:
    """``n`` distinct quotes among ``texts[candidates]`` about the theme of ``texts`` (all its texts)."""
    if n == 0 or not candidates:
        return []
    rng = np.random.default_rng(0)
    pool = list(candidates) if len(candidates) <= _QUOTE_POOL else sorted(rng.choice(candidates, _QUOTE_POOL, replace=False))
    base = list(range(len(texts))) if len(texts) <= _CENTROID_POOL else sorted(
        rng.choice(len(texts), _CENTROID_POOL, replace=False))
    try:
        vec = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit([texts[i] for i in base])
    except ValueError:  # only stop words: no vocabulary
        vec = None
    if vec is not None:
        centroid = np.asarray(vec.transform([texts[i] for i in base]).mean(axis=0)).ravel()
        norm = np.linalg.norm(centroid) or 1.0
        sims = vec.transform([texts[i] for i in pool]) @ (centroid / norm)
    else:
        sims = np.zeros(len(pool))
    scores = [float(s) + (0.25 if _early(chunks[i], words) else 0.0) - 0.001 * max(0, len(texts[i]) - 200)
              for s, i in zip(np.ravel(sims), pool, strict=True)]
    quotes: list[str] = []
    seen: set[str] = set()
    for k in np.argsort(-np.asarray(scores), kind="stable"):
        quote = _cut(texts[pool[k]], words, max_chars)
        same = " ".join(_ALNUM.findall(quote.lower()))  # "annoying 👎" and "annoying 😡" are one quote
        if same in seen:
            continue
        seen.add(same)
        quotes.append(redactor(quote) if redactor is not None else quote)
        if len(quotes) >= n:
            break
    return quotes


def theme_rows(theme: Theme, rank: int, frame: pd.DataFrame, chunks: Sequence[list[list[str]]], negative: np.ndarray,
               positive: np.ndarray, group: np.ndarray, *, cols: tuple[str, str, str, str, str], n_quotes: int,
               redactor: Callable[[str], str] | None, name: str) -> dict[str, Any]:
    """The output row of one theme (see :func:`jkit.pain_points.pain_point_themes`)."""
    text_col, compound_col, id_col, stage_col, touchpoint_col = cols
    rows = sorted(theme.rows)
    sub = frame.iloc[rows]
    n_texts = len(rows)
    n_neg = int(negative[rows].sum())
    n_pos = int(positive[rows].sum())
    lor, se, z = theme_log_odds(n_neg, n_pos, int(negative[group].sum()) - n_neg, int(positive[group].sum()) - n_pos)
    low, high = wilson_interval(n_neg, n_texts)
    ids = sub[id_col].tolist() if id_col in sub.columns else sub.index.tolist()
    texts = [t if isinstance(t, str) else "" for t in sub[text_col]]
    words = {w for s in theme.surfaces for w in s.split() if len(w) > 2}
    neg_local = [k for k, r in enumerate(rows) if negative[r]]
    quotes = pick_quotes(texts, [chunks[r] for r in rows], neg_local, words, n=n_quotes, redactor=redactor)
    description = describe([chunks[r] for r in rows if negative[r]], words)
    return {
        "rank": rank, "theme": name, "complaint": description, "phrases": [s for s, _ in theme.surfaces.most_common()],
        "feedback_ids": ids, "n_texts": n_texts, "n_negative": n_neg, "share_negative": n_neg / n_texts,
        "share_negative_low": float(low), "share_negative_high": float(high),
        "mean_compound": float(sub[compound_col].astype(float).mean()), "log_odds": lor, "log_odds_se": se, "z": z,
        "stages": _counts(sub[stage_col]) if stage_col in sub.columns else {},
        "touchpoints": _counts(sub[touchpoint_col]) if touchpoint_col in sub.columns else {},
        "quotes": quotes,
    }
