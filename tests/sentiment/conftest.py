"""Fixtures of the sentiment tests: the labelled UCI sentences, NLTK's analyzer, VADER's lexicon."""

from __future__ import annotations

import pandas as pd
import pytest
from nltk.sentiment.vader import SentimentIntensityAnalyzer

from jkit.sentiment import lexicon

FILES = ("amazon_cells_labelled", "imdb_labelled", "yelp_labelled")


def _read_labelled(path) -> pd.DataFrame:
    """Read a UCI file line by line (quotes in imdb lines would merge rows in read_csv)."""
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(fh)
        assert header.startswith("sentence\t")
        for line in fh:
            line = line.rstrip("\r\n")
            if line:
                sentence, label = line.rsplit("\t", 1)
                rows.append((sentence, int(label)))
    return pd.DataFrame(rows, columns=["text", "label"])


@pytest.fixture(scope="module")
def labelled(shared_data):
    frames = {name: _read_labelled(shared_data / "sentiment" / f"{name}.txt") for name in FILES}
    assert all(len(f) == 1000 for f in frames.values())
    return frames


@pytest.fixture(scope="module")
def nltk_sia():
    lexicon.lexicon_source()  # makes the lexicon reachable through nltk.data.path
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def base_lexicon():
    return lexicon.parse_lexicon(lexicon.lexicon_text())
