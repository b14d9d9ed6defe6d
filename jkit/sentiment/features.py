"""Text features of :class:`~jkit.sentiment.SentimentModel`: character n-grams within words, fast.

:class:`CharNgramTfidf` gives the matrix of scikit-learn's
``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)`` (same values, columns
in another order) about ten times faster. ``char_wb`` n-grams never cross a word boundary, so a
text's counts are the sum of its words' counts: the texts are cut into words once (scikit-learn's
``CountVectorizer``), the n-grams of each *distinct* word are taken with scikit-learn's own
``char_wb`` analyzer, and one sparse product adds them up. Real feedback repeats its words, so the
n-gram analyzer runs on a few thousand words instead of every character of every text.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

__all__ = ["CharNgramTfidf", "text_array"]

#: what ``char_wb`` splits on: runs of non-white-space (scikit-learn normalises white space, then ``split()``)
_WORD_PATTERN = r"(?u)\S+"


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
        words = CountVectorizer(token_pattern=_WORD_PATTERN, lowercase=True, dtype=np.int64)
        try:
            per_text = words.fit_transform(texts)
        except ValueError:  # no word at all (every text empty or white space)
            return sp.csr_matrix((len(texts), len(vocabulary or {})), dtype=np.int64), dict(vocabulary or {})
        grow = vocabulary is None
        vocab: dict[str, int] = {} if grow else vocabulary  # type: ignore[assignment]
        analyze = self._word_ngrams().build_analyzer()
        rows: list[int] = []
        cols: list[int] = []
        for word, row in words.vocabulary_.items():
            for gram in analyze(word):
                col = vocab.get(gram)
                if col is None:
                    if not grow:
                        continue
                    col = vocab[gram] = len(vocab)
                rows.append(row)
                cols.append(col)
        ngrams = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                               shape=(len(words.vocabulary_), len(vocab)))
        return sp.csr_matrix(per_text @ ngrams), vocab

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
