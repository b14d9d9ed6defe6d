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
feedback (neutral included). :func:`drop_subsumed` leaves out a phrase that a longer one holding
it nearly always accompanies.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["GENERIC_WORDS", "STOP_WORDS", "candidate_phrases", "drop_subsumed", "weighted_log_odds"]

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
    """Lower case, tags dropped, entities decoded, curly apostrophes straightened."""
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


def drop_subsumed(counts: dict[str, int], share: float = 0.8) -> set[str]:
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
