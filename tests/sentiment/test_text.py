"""jkit.sentiment.text: sentence splitting."""

from __future__ import annotations

import pandas as pd

from jkit.sentiment import split_sentences


def test_split_sentences():
    assert split_sentences("Good. Bad! Why? ok\nnext line") == ["Good.", "Bad!", "Why?", "ok", "next line"]
    assert split_sentences("3.5 stars, e.g.fine") == ["3.5 stars, e.g.fine"]
    assert split_sentences("   ") == []


def test_the_english_marker_search_is_the_word_by_word_check():
    """check_texts' fast path finds an English marker with one regular expression: the same answer as stripping
    each white-space word of .,;:!?"'() and looking it up."""
    import random

    from jkit.sentiment.text import _english_marker_pattern, _english_markers

    markers = _english_markers()
    pattern = _english_marker_pattern()
    pieces = ["the", "THE", "And", "of", "x", "a.the", "(the)", '"is"', "the-x", "x-the", "la", "de", "les", "it's",
              "they'll", "!!", "(", "thé", "\tthe", "\x1cthe", "theirs", "them.", "atheist", "...", "nor?"]
    rng = random.Random(0)
    cases = ["", "a.the b", "(THE) x", "x-the", "the\x1cfoo", "nothing here at all"] + [
        " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(3_000)]
    for value in cases:
        by_word = any(w.strip(".,;:!?\"'()").lower() in markers for w in value.split())
        assert bool(pattern.search(value)) == by_word, repr(value)


def test_distinct_values_number_rows_and_keep_every_non_text_apart():
    from jkit.sentiment.text import distinct_values

    codes, values = distinct_values(pd.Series(["a", "b", "a", "c", "b"]))
    assert codes.tolist() == [0, 1, 0, 2, 1] and values == ["a", "b", "c"]
    codes, values = distinct_values(pd.Series(["a", None, b"a", None, "a", 3.0], dtype=object))
    assert codes.tolist() == [0, 1, 2, 3, 0, 4] and values[:1] == ["a"] and len(values) == 5
