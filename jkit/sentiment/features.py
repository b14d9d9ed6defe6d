"""The pipeline of :class:`~jkit.sentiment.SentimentModel` and its character n-grams within words, fast.

:func:`build_pipeline` is the model: TF-IDF of word 1–2-grams, :class:`CharNgramTfidf` and VADER's
scores (:data:`LEXICON_FEATURES`) into a logistic regression.

:class:`CharNgramTfidf` gives the matrix of scikit-learn's
``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)`` (same values, columns
in another order) about ten times faster. ``char_wb`` n-grams never cross a word boundary, so a
text's counts are the sum of its words' counts: the texts are cut into words once (scikit-learn's
``CountVectorizer``), the n-grams of each *distinct* word are taken with scikit-learn's own
``char_wb`` analyzer, and one sparse product adds them up. Real feedback repeats its words, so the
n-gram analyzer runs on a few thousand words instead of every character of every text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from jkit.sentiment.ngrams import char_gram_hashes, hash_strings, text_tokens, word_gram_counts

__all__ = ["LEXICON_FEATURES", "CharNgramTfidf", "LexiconValence", "WordNgramTfidf", "build_pipeline", "one_blas_thread",
           "text_array"]

#: VADER's scores the model reads beside the n-grams
LEXICON_FEATURES = ("compound", "pos", "neu", "neg")

def text_array(X) -> list[str]:
    """The texts of ``X`` (a list, an array, a Series or a one-column DataFrame) as a list of str."""
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:
        X = X.iloc[:, 0]
    return [str(t) for t in (X.tolist() if hasattr(X, "tolist") else list(X))]


class _NgramTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF of the n-grams a subclass counts (``_counts``): vocabulary, ``min_df``, alphabetical columns."""

    def _counts(self, texts: list[str], vocabulary: dict[str, int] | None) -> tuple[sp.csr_matrix, dict[str, int]]:
        raise NotImplementedError

    def fit(self, X: Iterable[str], y=None) -> _NgramTfidf:
        """Learn the n-grams of the texts ``X`` and their inverse document frequencies."""
        self._fit_counts(text_array(X))
        return self

    def _fit_counts(self, texts: list[str]) -> sp.csr_matrix:
        counts, vocab = self._counts(texts, None)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = np.flatnonzero(df >= self.min_df)
        grams = np.array(list(vocab), dtype=object)[keep]
        order = np.argsort(grams.astype(str), kind="stable")  # alphabetical columns, as scikit-learn's
        self.vocabulary_ = {str(g): i for i, g in enumerate(grams[order])}
        counts = counts[:, keep[order]]
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        return counts

    def fit_transform(self, X: Iterable[str], y=None, **fit_params) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform`, counting the texts once."""
        counts = self._fit_counts(text_array(X))
        return self.tfidf_.transform(counts)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF rows of the texts ``X`` (n-grams unseen in training are ignored)."""
        check_is_fitted(self, "vocabulary_")
        counts, _ = self._counts(text_array(X), self.vocabulary_)
        return self.tfidf_.transform(counts)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The n-grams, in column order."""
        check_is_fitted(self, "vocabulary_")
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)


class CharNgramTfidf(_NgramTfidf):
    """TF-IDF of character n-grams inside words (scikit-learn's ``char_wb``), computed word by word.

    Parameters
    ----------
    ngram_range : (int, int), default (2, 5)
        Shortest and longest n-gram (words are padded with one space on each side, as ``char_wb`` does).
    min_df : int, default 2
        Keep n-grams found in at least this many training texts.
    sublinear_tf : bool, default True
        ``1 + log(tf)`` instead of the raw count.

    Attributes
    ----------
    vocabulary_ : dict
        n-gram -> column.
    tfidf_ : TfidfTransformer
        The fitted weighting (inverse document frequencies, L2 rows).
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, sublinear_tf: bool = True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def _counts(self, texts: list[str], vocabulary: dict[str, int] | None) -> tuple[sp.csr_matrix, dict[str, int]]:
        # the words of each text, as char_wb cuts them (lower case, split at white space), numbered
        doc, code, words = text_tokens([t.lower() for t in texts], pattern=None)
        per_text = sp.csr_matrix((np.ones(len(code), dtype=np.int64), (doc, code)), shape=(len(texts), len(words)))
        # the n-grams of each distinct word, as hashes
        word, hashes, start, size = char_gram_hashes(words.tolist(), tuple(self.ngram_range))
        if vocabulary is None:
            cols, found = pd.factorize(hashes)
            first = np.unique(cols, return_index=True)[1]
            padded = [f" {w} " for w in words]
            vocab = {padded[word[i]][start[i] : start[i] + size[i]]: c for c, i in enumerate(first)}
            if len(vocab) != len(found):
                raise RuntimeError("two character n-grams share a 64-bit hash; report this text set to jkit")
        else:
            vocab = vocabulary
            cols = self._lookup(hashes)
            known = cols >= 0
            word, cols = word[known], cols[known]
        ngrams = sp.csr_matrix((np.ones(len(word), dtype=np.int64), (word, cols)), shape=(len(words), len(vocab)))
        return sp.csr_matrix(per_text @ ngrams), vocab

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_hash_table", None)  # a lookup cache, rebuilt from vocabulary_
        return state

    def _lookup(self, hashes: np.ndarray) -> np.ndarray:
        """The column of each n-gram hash in ``vocabulary_`` (-1: not in it)."""
        table = self.__dict__.get("_hash_table")
        if table is None or table[0] is not self.vocabulary_:
            grams = list(self.vocabulary_)
            keys = hash_strings(grams)
            order = np.argsort(keys)
            table = self.__dict__["_hash_table"] = (
                self.vocabulary_, keys[order], np.fromiter(self.vocabulary_.values(), np.int64, len(grams))[order])
        _, keys, columns = table
        if not len(keys):
            return np.full(len(hashes), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        return np.where(keys[at] == hashes, columns[at], -1)


class WordNgramTfidf(_NgramTfidf):
    """TF-IDF of word 1–2-grams: scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``, faster.

    Same tokens (lower case, :data:`~jkit.sentiment.ngrams.WORD_PATTERN`), same vocabulary in the
    same (alphabetical) column order, same values; bigrams are counted as pairs of token numbers
    (:func:`~jkit.sentiment.ngrams.word_gram_counts`).

    Parameters
    ----------
    ngram_range : (int, int), default (1, 2)
    min_df : int, default 1
        Keep n-grams found in at least this many training texts.
    sublinear_tf : bool, default True

    Attributes
    ----------
    vocabulary_ : dict
        n-gram -> column.
    tfidf_ : TfidfTransformer
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 1, sublinear_tf: bool = True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def _counts(self, texts: list[str], vocabulary: dict[str, int] | None) -> tuple[sp.csr_matrix, dict[str, int]]:
        return word_gram_counts([t.lower() for t in texts], vocabulary, tuple(self.ngram_range))


class LexiconValence(TransformerMixin, BaseEstimator):
    """What a sentiment lexicon says of each text, in four numbers, from one pass over its words.

    A light stand-in for VADER's scores as model features (VADER's rules cost as much as the rest
    of the model; on the UCI sentences these four features keep the model's held-out accuracy
    within 0.3 points of VADER's four): each word's valence, flipped and damped (×−0.74, VADER's
    ``N_SCALAR``) when one of the three words before it negates, summed into
    ``compound = s / sqrt(s² + 15)`` (VADER's normalisation), the positive and negative shares of
    the summed valence, and the share of negated words.

    Parameters
    ----------
    extra_words : dict, optional
        Domain words and valences added to (or replacing) VADER's lexicon.

    Attributes
    ----------
    valences_ : dict
        word -> valence used (VADER's lexicon with ``extra_words``), kept in the model file.
    """

    def __init__(self, extra_words: dict[str, float] | None = None):
        self.extra_words = extra_words

    def fit(self, X=None, y=None) -> LexiconValence:
        """Take VADER's lexicon (found offline) and the extra words."""
        from jkit.sentiment.lexicon import base_lexicon

        self.valences_ = {**base_lexicon(), **dict(self.extra_words or {})}
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """``(n_texts, 4)``: compound, positive share, negative share, negated share."""
        from jkit.sentiment.vader import N_SCALAR, NEGATE

        check_is_fitted(self, "valences_")
        texts = [t.lower() for t in text_array(X)]
        doc, code, distinct = text_tokens(texts, pattern=_LEXICON_TOKENS)
        valence = np.fromiter((self.valences_.get(w, 0.0) for w in distinct), np.float64, len(distinct))[code]
        negates = np.fromiter((w in NEGATE or w.endswith("n't") for w in distinct), bool, len(distinct))[code]
        negated = np.zeros(len(code), dtype=bool)
        for k in (1, 2, 3):
            negated[k:] |= negates[:-k] & (doc[k:] == doc[:-k])
        valence = np.where(negated, valence * N_SCALAR, valence)
        n = len(texts)
        pos = np.bincount(doc, np.maximum(valence, 0), n)
        neg = np.bincount(doc, np.maximum(-valence, 0), n)
        total = pos - neg
        words = np.maximum(np.bincount(doc, minlength=n), 1)
        return np.column_stack([total / np.sqrt(total * total + 15), pos / (pos + neg + 1), neg / (pos + neg + 1),
                                np.bincount(doc, negated.astype(np.float64), n) / words])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The four feature names."""
        return np.array(["lexicon_compound", "lexicon_pos", "lexicon_neg", "negated_share"], dtype=object)


_LEXICON_TOKENS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|[!?]")


def build_pipeline(C: float = 4.0, random_state: int = 0, extra_words: dict[str, float] | None = None):
    """The unfitted model: word and character n-grams and the lexicon's valence into a LogisticRegression.

    Parameters
    ----------
    C : float, default 4.0
        Inverse regularisation strength.
    random_state : int, default 0
        Seed of the solver.
    extra_words : dict, optional
        Domain words for :class:`LexiconValence`.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Input: a DataFrame with a ``text`` column. (Model files written by earlier jkit versions
        read VADER's :data:`LEXICON_FEATURES` columns too; :class:`~jkit.sentiment.SentimentModel` still feeds them.)
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    features = ColumnTransformer([
        ("words", WordNgramTfidf(ngram_range=(1, 2), min_df=1), "text"),
        ("chars", CharNgramTfidf(ngram_range=(2, 5), min_df=2), "text"),
        ("lexicon", LexiconValence(extra_words), "text"),
    ])
    return Pipeline([("features", features),
                     ("classifier", LogisticRegression(C=C, max_iter=2_000, random_state=random_state))])


def one_blas_thread():
    """A context keeping BLAS at one thread: the problems are small and sparse, and on a busy machine
    BLAS threads only contend (fitting ran 30x slower on two shared cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
