"""Pain points: the phrases over-represented in negative feedback, with quotes.

Candidates are phrases of one to three content words: each text is cut at punctuation and at
stop words (scikit-learn's English list; NLTK's stop-word corpus cannot be installed offline),
and every run of one to three consecutive remaining words is a candidate (the RAKE idea: Rose et
al., 2010). Each candidate is counted once per text.

A phrase's over-representation in negative versus positive feedback is the weighted log-odds
ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words",
*Political Analysis* 16(4), eq. 16 and 22)::

    delta_w = log((y_w^neg + a_w) / (n^neg + a0 - y_w^neg - a_w))
            - log((y_w^pos + a_w) / (n^pos + a0 - y_w^pos - a_w))
    var_w   = 1 / (y_w^neg + a_w) + 1 / (y_w^pos + a_w)
    z_w     = delta_w / sqrt(var_w)

where ``y_w`` counts the texts containing phrase ``w``, ``n`` is the sum of those counts over all
phrases, and the prior ``a_w = prior_strength * background_w / sum(background)`` spreads
``a0 = prior_strength`` pseudo-counts over the phrases in proportion to their counts in all the
feedback (neutral included). Quotes pass through :func:`representative_quotes` only.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from jkit.errors import DataValidationError, ParameterError

__all__ = ["STOP_WORDS", "GENERIC_WORDS", "candidate_phrases", "weighted_log_odds", "pain_points", "representative_quotes"]

#: Stop words removed from pain-point phrases: scikit-learn's English list plus feedback filler.
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    ["i'm", "i've", "i'd", "i'll", "it's", "don't", "didn't", "doesn't", "can't", "won't", "wasn't", "isn't", "aren't", "couldn't", "wouldn't", "shouldn't", "haven't", "hasn't", "weren't", "that's", "there's", "they're", "you're", "we're", "let's", "just", "really", "also", "got", "get", "gets", "getting", "would", "like", "im", "ive", "dont", "didnt", "doesnt", "cant", "wont", "wasnt", "isnt", "thanks", "thank", "hi", "hello", "please", "lol", "ok", "okay"]
)

#: Words that judge without saying what is wrong; a phrase made only of these (and stop words) is
#: not a pain point ("terrible", "very bad experience"), while "late delivery" or "confusing
#: checkout" is. Pass ``generic_words=()`` to keep them.
GENERIC_WORDS: frozenset[str] = frozenset(
    ["terrible", "awful", "horrible", "horrendous", "bad", "worst", "worse", "hate", "hated", "hates", "disappointed", "disappointing", "disappointment", "annoying", "annoyed", "ridiculous", "unacceptable", "poor", "poorly", "sucks", "sucked", "suck", "useless", "frustrating", "frustrated", "frustration", "angry", "upset", "unhappy", "pathetic", "shame", "shameful", "joke", "nightmare", "disaster", "rubbish", "crap", "garbage", "trash", "waste", "wasted", "dreadful", "lousy", "mediocre", "sad", "unfortunately", "fail", "failed", "failure", "problem", "problems", "issue", "issues", "complaint", "complaints", "good", "great", "love", "loved", "nice", "excellent", "amazing", "awesome", "fine", "happy", "glad", "best", "better", "perfect", "wonderful", "fantastic", "pleased", "satisfied", "recommend", "recommended", "extremely", "totally", "absolutely", "seriously", "literally", "experience", "thing", "things", "stuff", "way", "lot", "bit", "time", "times", "day", "days", "week", "weeks", "star", "stars"]
)

_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”…/|\n]+|\s[-–—]+\s")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+|-[a-z0-9]+)*")
_TAG = re.compile(r"<[^<>]{0,200}>")


def _clean(text: str) -> str:
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text.lower().replace("’", "'")


def candidate_phrases(text: str, *, stop_words: Iterable[str] = STOP_WORDS, max_words: int = 3) -> set[str]:
    """The candidate phrases of one text: runs of 1..``max_words`` content words.

    >>> sorted(candidate_phrases("Late delivery again, and the box was damaged."))
    ['box', 'damaged', 'delivery', 'late', 'late delivery']
    """
    stop = stop_words if isinstance(stop_words, (set, frozenset)) else frozenset(stop_words)
    out: set[str] = set()
    for chunk in _BREAK.split(_clean(text)):
        run: list[str] = []
        for w in [*_WORD.findall(chunk), ""]:
            if not w or w in stop or len(w) < 2 or w.isdigit():
                for n in range(1, min(max_words, len(run)) + 1):
                    for s in range(len(run) - n + 1):
                        out.add(" ".join(run[s : s + n]))
                run = []
            else:
                run.append(w)
    return out


def weighted_log_odds(
    y_neg: np.ndarray, y_pos: np.ndarray, background: np.ndarray, *, prior_strength: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Monroe et al.'s weighted log-odds ratio with an informative Dirichlet prior: ``(delta, z)``.

    Parameters
    ----------
    y_neg, y_pos : array of int
        Count of each phrase in the negative and the positive texts.
    background : array of int
        Count of each phrase in all texts (the prior's shape).
    prior_strength : float, optional
        Total pseudo-counts ``a0``; default the total of ``background`` (the prior weighs as much
        as the whole feedback, which damps phrases seen only a few times).
    """
    y_neg = np.asarray(y_neg, dtype="float64")
    y_pos = np.asarray(y_pos, dtype="float64")
    bg = np.asarray(background, dtype="float64")
    total_bg = bg.sum()
    if total_bg <= 0:
        return np.zeros_like(y_neg), np.zeros_like(y_neg)
    a0 = float(total_bg if prior_strength is None else prior_strength)
    a = a0 * bg / total_bg
    n_neg, n_pos = y_neg.sum(), y_pos.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_neg + a) / (n_neg + a0 - y_neg - a)) - np.log((y_pos + a) / (n_pos + a0 - y_pos - a))
        z = delta / np.sqrt(1.0 / (y_neg + a) + 1.0 / (y_pos + a))
    return delta, z


def _quote_text(text: str, phrase: str, max_chars: int) -> str:
    """The sentence of ``text`` that holds ``phrase``, cut to ``max_chars``."""
    from jkit.sentiment.vader import split_sentences

    text = " ".join(text.split())  # tags are kept: a quote shows what the customer wrote, escaped on display
    if len(text) > max_chars:
        words = phrase.split()
        for sentence in split_sentences(text):
            low = sentence.lower()
            if all(w in low for w in words):
                text = sentence
                break
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def _redactor(redact: bool | Callable[[str], str] | None) -> Callable[[str], str] | None:
    if redact is True:
        from jkit.privacy import Redactor

        return Redactor()
    if redact is False or redact is None:
        return None
    if not callable(redact):
        raise ParameterError(f"redact={redact!r} should be True, False or a callable such as jkit.privacy.Redactor()")
    return redact


def representative_quotes(
    scored: pd.DataFrame,
    phrase: str,
    *,
    text_col: str = "text",
    compound_col: str = "compound",
    n: int = 3,
    max_chars: int = 240,
    redact: bool | Callable[[str], str] | None = True,
) -> list[str]:
    """Two or three texts that show a pain point: the most negative distinct texts holding ``phrase``.

    Every quote jkit shows passes through this function, so that redaction (names, e-mail
    addresses, phone numbers) is applied in one place: ``redact`` is called on each quote.

    Parameters
    ----------
    scored : DataFrame
        Feedback with texts and compound scores.
    phrase : str
        A candidate phrase (as :func:`candidate_phrases` makes them).
    text_col, compound_col : str
        Column names.
    n : int, default 3
        Number of quotes.
    max_chars : int, default 240
        Longer texts are cut to the sentence holding the phrase, then to this length.
    redact : bool or callable, default True
        ``True``: personal data (e-mail addresses, phone numbers, card numbers, postcodes, URLs with
        tokens) is replaced by :class:`jkit.privacy.Redactor`; pass a ``Redactor(names=...)`` to
        redact customer names too and count what was redacted; a callable is applied to each
        quote; ``False`` shows quotes as written (only on purpose).

    Returns
    -------
    list of str
        At most ``n`` quotes, most negative first.
    """
    if scored.empty:
        return []
    redactor = _redactor(redact)
    order = scored.sort_values(compound_col, kind="stable", na_position="last")
    quotes: list[str] = []
    seen: set[str] = set()
    for text in order[text_col]:
        if not isinstance(text, str) or phrase not in candidate_phrases(text, max_words=len(phrase.split())):
            continue
        quote = _quote_text(text, phrase, max_chars)
        key = quote.lower()
        if key in seen:
            continue
        seen.add(key)
        quotes.append(redactor(quote) if redactor is not None else quote)
        if len(quotes) >= n:
            break
    return quotes


def _distribution(values: pd.Series, limit: int = 3) -> tuple[str, str | None]:
    counts = values.astype("string").dropna().value_counts()
    if counts.empty:
        return "", None
    text = ", ".join(f"{k} ({v})" for k, v in counts.head(limit).items())
    if len(counts) > limit:
        text += f", +{len(counts) - limit} more"
    return text, str(counts.index[0])


def _drop_subsumed(counts: dict[str, int], share: float = 0.8) -> set[str]:
    """Phrases to drop because a longer phrase holding them occurs nearly as often."""
    drop: set[str] = set()
    for phrase, c in counts.items():
        words = phrase.split()
        if len(words) < 2:
            continue
        for n in range(1, len(words)):
            for s in range(len(words) - n + 1):
                sub = " ".join(words[s : s + n])
                if sub in counts and c >= share * counts[sub]:
                    drop.add(sub)
    return drop


def pain_points(
    scored: pd.DataFrame,
    *,
    by: str | None = None,
    text_col: str = "text",
    compound_col: str = "compound",
    label_col: str = "label",
    stage_col: str = "stage",
    touchpoint_col: str = "touchpoint",
    max_words: int = 3,
    min_count: int = 5,
    min_z: float = 1.96,
    top: int = 20,
    prior_strength: float | None = None,
    stop_words: Iterable[str] | None = None,
    generic_words: Iterable[str] | None = None,
    n_quotes: int = 3,
    redact: bool | Callable[[str], str] | None = True,
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
    for name, value in (("min_count", min_count), ("top", top), ("max_words", max_words), ("n_quotes", n_quotes)):
        if not isinstance(value, (int, np.integer)) or value < (0 if name == "n_quotes" else 1):
            raise ParameterError(f"{name}={value!r} should be a positive whole number")
    missing = [c for c in (text_col, compound_col, label_col) if c not in scored.columns]
    if by is not None and by not in scored.columns:
        missing.append(by)
    if missing:
        raise DataValidationError(
            f"pain_points: no column {', '.join(map(repr, missing))}; found {', '.join(map(repr, scored.columns))}. "
            "Join the feedback with score_sentiment(...) first."
        )
    stop = frozenset(STOP_WORDS if stop_words is None else (w.lower() for w in stop_words))
    frame = scored[scored[compound_col].notna()]
    texts = frame[text_col].tolist()
    grams = [candidate_phrases(t, stop_words=stop, max_words=max_words) if isinstance(t, str) else set() for t in texts]
    labels = frame[label_col].astype("string").fillna("").to_numpy()
    background = Counter(g for gs in grams for g in gs)
    generic = frozenset(GENERIC_WORDS if generic_words is None else (w.lower() for w in generic_words))
    groups = [(None, np.arange(len(frame)))] if by is None else [
        (key, np.flatnonzero((frame[by].astype("string").fillna("(missing)") == key).to_numpy()))
        for key in frame[by].astype("string").fillna("(missing)").drop_duplicates().sort_values()
    ]
    # the prior spans every phrase of the whole feedback, so all groups share it
    phrases = list(background)
    index = {p: k for k, p in enumerate(phrases)}
    bg = np.fromiter((background[p] for p in phrases), dtype="float64", count=len(phrases))
    redactor = _redactor(redact)
    reveals = getattr(redactor, "reveals", None) or (
        (lambda phrase: redactor(phrase) != phrase) if redactor is not None else None
    )
    withheld = 0
    out_rows = []
    for key, idx in groups:
        neg = Counter(g for i in idx if labels[i] == "negative" for g in grams[i])
        pos = Counter(g for i in idx if labels[i] == "positive" for g in grams[i])
        alln = Counter(g for i in idx for g in grams[i])
        vocab = [p for p, c in alln.items() if c >= min_count]
        if generic:
            vocab = [p for p in vocab if not all(w in generic for w in p.split())]
        if not vocab or not neg or not pos:
            continue
        dropped = _drop_subsumed({p: alln[p] for p in vocab})
        y_neg = np.zeros(len(phrases))
        y_pos = np.zeros(len(phrases))
        for p, c in neg.items():
            y_neg[index[p]] = c
        for p, c in pos.items():
            y_pos[index[p]] = c
        delta, z = weighted_log_odds(y_neg, y_pos, bg, prior_strength=prior_strength)
        cand = [(p, float(delta[index[p]]), float(z[index[p]])) for p in vocab if p not in dropped]
        cand = [c for c in cand if c[2] >= min_z]
        if reveals is not None:  # a phrase that names a customer is never a ranked pain point
            withheld += sum(1 for c in cand if reveals(c[0]))
            cand = [c for c in cand if not reveals(c[0])]
        cand.sort(key=lambda c: (-c[2], c[0]))
        sub = frame.iloc[idx]
        sub_grams = [grams[i] for i in idx]
        for rank, (phrase, d, zz) in enumerate(cand[:top], start=1):
            has = np.fromiter((phrase in g for g in sub_grams), dtype=bool, count=len(sub_grams))
            rows = sub[has]
            stages, top_stage = _distribution(rows[stage_col]) if stage_col in rows.columns else ("", None)
            tps, top_tp = _distribution(rows[touchpoint_col]) if touchpoint_col in rows.columns else ("", None)
            n_neg = int(neg[phrase])
            row = {
                "rank": rank,
                "phrase": phrase,
                "n": int(has.sum()),
                "n_negative": n_neg,
                "n_positive": int(pos[phrase]),
                "share_negative": n_neg / int(has.sum()),
                "mean_compound": float(rows[compound_col].mean()),
                "log_odds": d,
                "z": zz,
                "stages": stages,
                "top_stage": top_stage,
                "touchpoints": tps,
                "top_touchpoint": top_tp,
                "quotes": representative_quotes(
                    rows, phrase, text_col=text_col, compound_col=compound_col, n=n_quotes, redact=redact
                ),
            }
            if by is not None:
                row = {by: key, **row}
            out_rows.append(row)
    cols = ([by] if by is not None else []) + [
        "rank", "phrase", "n", "n_negative", "n_positive", "share_negative", "mean_compound", "log_odds", "z",
        "stages", "top_stage", "touchpoints", "top_touchpoint", "quotes",
    ]
    out = pd.DataFrame(out_rows, columns=cols)
    out.attrs["phrases_withheld"] = withheld
    return out

