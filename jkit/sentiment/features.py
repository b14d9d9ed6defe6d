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

import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

__all__ = ["LEXICON_FEATURES", "CharNgramTfidf", "build_pipeline", "one_blas_thread", "text_array"]

#: VADER's scores the model reads beside the n-grams
LEXICON_FEATURES = ("compound", "pos", "neu", "neg")

def text_array(X) -> list[str]:
    """The texts of ``X`` (a list, an array, a Series or a one-column DataFrame) as a list of str."""
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:
        X = X.iloc[:, 0]
    return [str(t) for t in (X.tolist() if hasattr(X, "tolist") else list(X))]


class CharNgramTfidf(TransformerMixin, BaseEstimator):
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

    def _word_ngrams(self) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.ngram_range), lowercase=False)

    def _counts(self, texts: list[str], vocabulary: dict[str, int] | None) -> tuple[sp.csr_matrix, dict[str, int]]:
        # the words of each text, as char_wb cuts them (lower case, split at white space)
        words_of = [t.lower().split() for t in texts]
        lengths = np.fromiter(map(len, words_of), dtype=np.int64, count=len(words_of))
        codes, words = pd.factorize(pd.Series(list(itertools.chain.from_iterable(words_of)), dtype=object))
        per_text = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (np.repeat(np.arange(len(texts)), lengths), codes)),
                                 shape=(len(texts), len(words)))
        # scikit-learn's own char_wb analyzer, run once over the distinct words
        grams = self._word_ngrams().build_analyzer()(" ".join(words)) if len(words) else []
        rows = np.repeat(np.arange(len(words)), self._grams_per_word(np.fromiter(map(len, words), np.int64, len(words))))
        if vocabulary is None:
            cols, found = pd.factorize(pd.Series(grams, dtype=object))
            vocab = {str(g): i for i, g in enumerate(found)}
        else:
            vocab = vocabulary
            cols = pd.Index(list(vocab), dtype=object).get_indexer(pd.Index(grams, dtype=object)) if len(grams) else np.zeros(0, np.int64)
            known = cols >= 0
            rows, cols = rows[known], cols[known]
        ngrams = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(words), len(vocab)))
        return sp.csr_matrix(per_text @ ngrams), vocab

    def _grams_per_word(self, lengths: np.ndarray) -> np.ndarray:
        """How many n-grams char_wb yields for words of these lengths (padded by a space on each side)."""
        padded = lengths + 2
        total = np.zeros(len(lengths), dtype=np.int64)
        going = np.ones(len(lengths), dtype=bool)
        low, high = self.ngram_range
        for n in range(low, high + 1):
            total += np.where(going, np.maximum(padded - n + 1, 1), 0)
            going &= padded > n  # scikit-learn stops at the first n that covers the whole padded word
        return total

    def fit(self, X: Iterable[str], y=None) -> CharNgramTfidf:
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


def build_pipeline(C: float = 4.0, random_state: int = 0):
    """The unfitted model: a ColumnTransformer of the three feature sets into a LogisticRegression.

    Parameters
    ----------
    C : float, default 4.0
        Inverse regularisation strength.
    random_state : int, default 0
        Seed of the solver.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Input: a DataFrame with ``text`` and the :data:`LEXICON_FEATURES` columns.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1), "text"),
        ("chars", CharNgramTfidf(ngram_range=(2, 5), min_df=2), "text"),
        ("lexicon", "passthrough", list(LEXICON_FEATURES)),
    ])
    return Pipeline([("features", features),
                     ("classifier", LogisticRegression(C=C, max_iter=2_000, random_state=random_state))])


def one_blas_thread():
    """A context keeping BLAS at one thread: the problems are small and sparse, and on a busy machine
    BLAS threads only contend (fitting ran 30x slower on two shared cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
