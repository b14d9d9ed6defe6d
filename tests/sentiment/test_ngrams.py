"""Word and character n-grams counted with array operations: the same counts as scikit-learn's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from jkit.sentiment.ngrams import char_gram_hashes, hash_strings, text_tokens, word_gram_counts

TRICKY = ["Great  phone!", "the phone is GREAT", "", "a", "naïve café ÇA VA", "tab\tsep\nline", "nul\x00inside text",
          "x" * 70 + " long word", "http://example.com/" + "a" * 90, "日本語 テキスト", "I I I I"]


def test_tokens_are_numbered_per_text_in_order():
    doc, code, distinct = text_tokens(["bb aa bb", "", "cc aa x"])  # words of two letters or more
    assert doc.tolist() == [0, 0, 0, 2, 2]
    assert [distinct[c] for c in code] == ["bb", "aa", "bb", "cc", "aa"]
    doc, code, distinct = text_tokens(["x\x00y z"], pattern=None)  # a NUL in a text is a space
    assert doc.tolist() == [0, 0, 0] and list(distinct[code]) == ["x", "y", "z"]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2)])
def test_word_counts_equal_count_vectorizer(ngram_range):
    texts = [t.lower() for t in TRICKY]
    ref = CountVectorizer(ngram_range=ngram_range).fit(texts[:6])
    train, vocab = word_gram_counts(texts[:6], None, ngram_range)
    assert set(vocab) == set(ref.vocabulary_)
    perm = [ref.vocabulary_[t] for t in sorted(vocab, key=vocab.get)]
    assert (train.toarray() == ref.transform(texts[:6]).toarray()[:, perm]).all()
    test, _ = word_gram_counts(texts, vocab, ngram_range)  # unseen words and pairs are not counted
    assert (test.toarray() == ref.transform([t.replace("\x00", " ") for t in texts]).toarray()[:, perm]).all()


def test_word_counts_by_hand():
    counts, vocab = word_gram_counts(["good good phone", "phone good"], None)
    cell = {t: counts[:, c].toarray().ravel().tolist() for t, c in vocab.items()}
    assert cell == {"good": [2, 1], "phone": [1, 1], "good good": [1, 0], "good phone": [1, 0], "phone good": [0, 1]}


def _sklearn_grams(word: str, low: int, high: int) -> list[str]:
    return CountVectorizer(analyzer="char_wb", ngram_range=(low, high), lowercase=False).build_analyzer()(word)


@pytest.mark.parametrize("ngram_range", [(2, 5), (3, 5), (1, 3), (4, 6)])
def test_char_grams_are_scikit_learns_char_wb(ngram_range):
    words = ["a", "ab", "abc", "phone", "naïve", "日本語", "x" * 70, "y" * 40, "I"]
    word, hashes, start, size = char_gram_hashes(words, ngram_range)
    padded = [f" {w} " for w in words]
    for i, w in enumerate(words):
        mine = sorted(padded[i][s : s + n] for s, n in zip(start[word == i], size[word == i], strict=True))
        assert mine == sorted(_sklearn_grams(w, *ngram_range)), w
    spelled = [padded[w][s : s + n] for w, s, n in zip(word, start, size, strict=True)]
    assert (hash_strings(spelled) == hashes).all()  # the hash of a window is the hash of its text
    assert pd.Series(hashes).groupby(spelled).nunique().max() == 1
    assert len(np.unique(hashes)) == len(set(spelled))
