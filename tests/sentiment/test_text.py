"""jkit.sentiment.text: sentence splitting."""

from __future__ import annotations

from jkit.sentiment import split_sentences


def test_split_sentences():
    assert split_sentences("Good. Bad! Why? ok\nnext line") == ["Good.", "Bad!", "Why?", "ok", "next line"]
    assert split_sentences("3.5 stars, e.g.fine") == ["3.5 stars, e.g.fine"]
    assert split_sentences("   ") == []
