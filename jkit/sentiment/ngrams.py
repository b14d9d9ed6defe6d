"""Word and character n-grams of many texts, counted with array operations instead of a Python loop per text.

scikit-learn's ``CountVectorizer`` builds every n-gram of every text as a Python string; on
100,000 all-unique texts that is most of :class:`~jkit.sentiment.SentimentModel`'s prediction time.
Here the texts are cut into tokens once (a compiled regular expression per text), the tokens are
numbered with :func:`pandas.factorize`, and n-grams become integers:

* word bigrams are pairs of token numbers (``first * n_tokens + second``), turned into text only for
  the distinct pairs;
* character n-grams inside words (``char_wb``) are 64-bit hashes computed over a matrix of the
  distinct words' code points, one array operation per n-gram length and position. Two different
  n-grams could share a hash in principle (about one chance in 10^10 for a 50,000-gram vocabulary);
  the vocabulary is checked for that when it is built.

The counts equal scikit-learn's (same tokens, same n-grams); :mod:`jkit.sentiment.features` wraps
them into transformers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["WORD_PATTERN", "char_gram_hashes", "hash_strings", "text_tokens", "word_gram_counts"]

#: scikit-learn's default token pattern: words of two or more word characters
WORD_PATTERN = re.compile(r"\b\w\w+\b")  # (?u) is the default for str patterns

_PRIME = np.uint64(1099511628211)  # FNV-1a's 64-bit prime
_LONG_WORD = 64  # longer "words" (URLs, runs of characters) take the slow, exact path


def text_tokens(texts: list[str], pattern: re.Pattern | None = WORD_PATTERN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of every text, numbered: ``(doc, code, distinct)``.

    The texts are joined with a NUL separator and cut in one call (``findall`` of ``pattern``, or
    ``str.split`` at white space), so the cost is per character, not per text; a NUL inside a text
    is read as a space.

    Parameters
    ----------
    texts : list of str
        Already lower-cased texts.
    pattern : compiled regular expression or None, default :data:`WORD_PATTERN`
        What a token is; None: runs of non-space characters.

    Returns
    -------
    doc : ndarray of int64
        The text of each token, in order.
    code : ndarray of int64
        The token's number in ``distinct``.
    distinct : ndarray of object
        The distinct tokens.
    """
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, object)
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a NUL inside a text
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    if pattern is None:
        flat = joined.replace("\x00", " \x00 ").split()
    else:
        flat = re.compile(f"(?:{pattern.pattern})|\x00", pattern.flags).findall(joined)
    code, distinct = pd.factorize(pd.Series(flat, dtype=object))
    sep = np.flatnonzero(distinct == "\x00")
    is_sep = code == sep[0] if len(sep) else np.zeros(len(code), dtype=bool)
    doc = np.cumsum(is_sep)[~is_sep]
    code = code[~is_sep]
    if len(sep):  # renumber without the separator
        code = code - (code > sep[0])
        distinct = np.delete(distinct, sep[0])
    return doc.astype(np.int64), code.astype(np.int64), np.asarray(distinct, dtype=object)


def word_gram_counts(texts: list[str], vocabulary: dict[str, int] | None,
                     ngram_range: tuple[int, int] = (1, 2)) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Counts of word 1-grams and 2-grams per text, as ``CountVectorizer(ngram_range=(1, 2))`` counts them.

    Parameters
    ----------
    texts : list of str
        Lower-cased texts.
    vocabulary : dict or None
        n-gram -> column; None: every n-gram seen.
    ngram_range : (int, int)
        ``(1, 1)``, ``(1, 2)`` or ``(2, 2)``.

    Returns
    -------
    counts : csr_matrix
        ``(len(texts), len(vocabulary))``; n-grams outside a given vocabulary are not counted.
    vocabulary : dict
    """
    low, high = ngram_range
    if not (1 <= low <= high <= 2):
        raise ValueError(f"word n-grams of length 1 and 2 only, not {ngram_range}")
    doc, code, distinct = text_tokens(texts)
    if vocabulary is None:
        vocabulary = _vocabulary(doc, code, distinct, low, high)
    lookup = _VocabularyLookup.of(vocabulary)
    token = lookup.token_ids(distinct)[code]  # -1: a token no n-gram of the vocabulary holds
    docs, cols = [], []
    if low == 1:
        col = lookup.unigram_cols[token] if len(token) else np.zeros(0, np.int64)
        col[token < 0] = -1
        docs.append(doc), cols.append(col)
    if high == 2 and len(code) > 1:
        both = (doc[1:] == doc[:-1]) & (token[1:] >= 0) & (token[:-1] >= 0)
        docs.append(doc[1:][both]), cols.append(lookup.bigram_cols(token[:-1][both], token[1:][both]))
    doc = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    kept = col >= 0
    counts = sp.csr_matrix((np.ones(int(kept.sum()), dtype=np.int64), (doc[kept], col[kept])),
                           shape=(len(texts), len(vocabulary)))
    counts.sum_duplicates()
    return counts, vocabulary


def _vocabulary(doc: np.ndarray, code: np.ndarray, distinct: np.ndarray, low: int, high: int) -> dict[str, int]:
    """Every 1-gram and 2-gram of the tokens, spelled out."""
    terms: list[str] = list(distinct) if low == 1 else []
    if high == 2 and len(code) > 1:
        same = doc[1:] == doc[:-1]
        n = len(distinct)
        pairs = np.unique(code[:-1][same] * n + code[1:][same])
        terms += [f"{distinct[k // n]} {distinct[k % n]}" for k in pairs.tolist()]
    return {t: i for i, t in enumerate(dict.fromkeys(terms))}


class _VocabularyLookup:
    """A vocabulary's n-grams as token numbers, to find a batch's columns with array operations."""

    _cache: dict[int, tuple[dict[str, int], _VocabularyLookup]] = {}

    def __init__(self, vocabulary: dict[str, int]):
        parts = [term.split(" ") for term in vocabulary]
        self.tokens = {w: i for i, w in enumerate(dict.fromkeys(w for p in parts for w in p))}
        n = self.n = len(self.tokens)
        self.unigram_cols = np.full(n + 1, -1, dtype=np.int64)  # the extra slot serves token -1
        keys, cols = [], []
        for (term, col), p in zip(vocabulary.items(), parts, strict=True):
            if len(p) == 1:
                self.unigram_cols[self.tokens[term]] = col
            elif len(p) == 2:
                keys.append(self.tokens[p[0]] * n + self.tokens[p[1]]), cols.append(col)
        order = np.argsort(np.asarray(keys, dtype=np.int64))
        self.keys = np.asarray(keys, dtype=np.int64)[order]
        self.cols = np.asarray(cols, dtype=np.int64)[order]

    @classmethod
    def of(cls, vocabulary: dict[str, int]) -> _VocabularyLookup:
        cached = cls._cache.get(id(vocabulary))
        if cached is None or cached[0] is not vocabulary:
            if len(cls._cache) > 8:
                cls._cache.clear()
            cached = cls._cache[id(vocabulary)] = (vocabulary, cls(vocabulary))
        return cached[1]

    def token_ids(self, distinct: np.ndarray) -> np.ndarray:
        return np.fromiter((self.tokens.get(w, -1) for w in distinct), dtype=np.int64, count=len(distinct))

    def bigram_cols(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        if not len(self.keys):
            return np.full(len(first), -1, dtype=np.int64)
        key = first * self.n + second
        at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return np.where(self.keys[at] == key, self.cols[at], -1)


def _code_points(words: list[str], width: int) -> tuple[np.ndarray, np.ndarray]:
    """``(n_words, width)`` uint64 code points (0 past the end) and the words' lengths."""
    points = np.array(words, dtype=f"<U{width}").view(np.uint32).reshape(len(words), width)
    return points.astype(np.uint64), np.fromiter(map(len, words), dtype=np.int64, count=len(words))


def _window_hashes(points: np.ndarray, n: int) -> np.ndarray:
    """Hashes of every window of ``n`` code points: ``(n_words, width - n + 1)``."""
    width = points.shape[1]
    h = np.full((points.shape[0], width - n + 1), np.uint64(n) * _PRIME, dtype=np.uint64)
    for i in range(n):
        h ^= points[:, i : width - n + 1 + i]
        h *= _PRIME
    return h


def hash_strings(grams: list[str]) -> np.ndarray:
    """The hash :func:`char_gram_hashes` gives each of these whole strings (as one n-gram of its length)."""
    out = np.zeros(len(grams), dtype=np.uint64)
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    for n in np.unique(lengths):
        at = np.flatnonzero(lengths == n)
        points, _ = _code_points([grams[i] for i in at], max(int(n), 1))
        out[at] = _window_hashes(points, max(int(n), 1))[:, 0] if n else np.uint64(0)
    return out


def char_gram_hashes(words: list[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``char_wb`` n-grams of distinct words, as hashes.

    Each word is padded with one space on each side; n-grams run from the shortest length to the
    longest, and a padded word no longer than ``n`` yields itself once and stops (scikit-learn's
    ``_char_wb_ngrams``).

    Returns
    -------
    word : ndarray of int64
        The word of each n-gram.
    hashes : ndarray of uint64
    start, length : ndarray of int64
        Where the n-gram sits in the padded word (to spell it out).
    """
    low, high = ngram_range
    padded = [f" {w} " for w in words]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    parts: list[tuple[np.ndarray, ...]] = []
    bounds = [0, 8, 16, 32, _LONG_WORD]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        at = np.flatnonzero((lengths > lo) & (lengths <= hi))
        if len(at):
            parts.append(_bucket_hashes([padded[i] for i in at], at, hi, low, high))
    long_words = np.flatnonzero(lengths > _LONG_WORD)
    if len(long_words):
        parts.append(_long_word_hashes([padded[i] for i in long_words], long_words, low, high))
    if not parts:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(0, np.uint64), empty, empty
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def _bucket_hashes(padded: list[str], index: np.ndarray, width: int, low: int, high: int) -> tuple[np.ndarray, ...]:
    points, lengths = _code_points(padded, width)
    words, hashes, starts, sizes = [], [], [], []
    for n in range(low, high + 1):
        if n > width:
            break
        h = _window_hashes(points, n)
        valid = np.arange(width - n + 1)[None, :] <= (lengths - n)[:, None]
        rows, cols = np.nonzero(valid)
        words.append(index[rows]), hashes.append(h[rows, cols]), starts.append(cols), sizes.append(np.full(len(rows), n))
    short = np.flatnonzero(lengths < low)  # shorter than every n: the padded word once
    if len(short):
        hashes.append(hash_strings([padded[i] for i in short]))
        words.append(index[short]), starts.append(np.zeros(len(short), np.int64)), sizes.append(lengths[short])
    return (np.concatenate(words), np.concatenate(hashes), np.concatenate(starts).astype(np.int64),
            np.concatenate(sizes).astype(np.int64))


def _long_word_hashes(padded: list[str], index: np.ndarray, low: int, high: int) -> tuple[np.ndarray, ...]:
    words, grams, starts, sizes = [], [], [], []
    for k, w in enumerate(padded):
        for n in range(low, high + 1):
            for s in range(len(w) - n + 1):
                words.append(index[k]), grams.append(w[s : s + n]), starts.append(s), sizes.append(n)
    return (np.asarray(words, np.int64), hash_strings(grams), np.asarray(starts, np.int64), np.asarray(sizes, np.int64))
