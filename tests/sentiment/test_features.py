"""The model's transformers: fast word n-gram TF-IDF equal to scikit-learn's, and the lexicon's valence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from jkit.sentiment.features import LexiconValence, WordNgramTfidf
from tests.sentiment.test_ngrams import TRICKY


def _same_as_sklearn(train, test):
    ref = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    mine = WordNgramTfidf(ngram_range=(1, 2))
    a, b = ref.fit_transform(train), mine.fit_transform(train)
    assert list(ref.get_feature_names_out()) == list(mine.get_feature_names_out())
    assert abs(a - b).max() < 1e-12
    assert abs(ref.transform([t.replace("\x00", " ") for t in test]) - mine.transform(test)).max() < 1e-12


def test_word_tfidf_equals_scikit_learns():
    _same_as_sklearn(TRICKY[:7], TRICKY)


def test_word_tfidf_equals_scikit_learns_on_real_sentences(labelled):
    texts = pd.concat(labelled.values())["text"].tolist()
    _same_as_sklearn(texts[:2000], texts[2000:])


def test_word_tfidf_min_df_drops_rare_ngrams():
    mine = WordNgramTfidf(min_df=2).fit(["good phone", "good screen", "bad phone"])
    assert sorted(mine.vocabulary_) == ["good", "phone"]


def test_lexicon_valence_by_hand():
    feats = LexiconValence(extra_words={"zorbly": -2.0}).fit()
    good = feats.valences_["good"]
    rows = feats.transform(["good", "not good", "zorbly phone", "phone", "I don't think it is good"])
    s = good
    assert rows[0] == pytest.approx([s / np.sqrt(s * s + 15), good / (good + 1), 0.0, 0.0])
    s = -0.74 * good  # negated by the word before it
    assert rows[1] == pytest.approx([s / np.sqrt(s * s + 15), 0.0, -s / (-s + 1), 0.5])
    assert rows[2][0] == pytest.approx(-2 / np.sqrt(4 + 15))
    assert rows[3].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert rows[4][0] > 0 and rows[4][3] == pytest.approx(3 / 6)  # "good" is four words after "don't": not negated
