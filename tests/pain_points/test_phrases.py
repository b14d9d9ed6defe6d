"""jkit.pain_points.phrases: candidate phrases and the weighted log-odds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jkit.pain_points import candidate_phrases, weighted_log_odds


def test_candidate_phrases_break_at_stop_words_and_punctuation():
    assert candidate_phrases("The delivery was late again, and the box was damaged.") == {
        "delivery", "late", "box", "damaged"
    }
    got = candidate_phrases("Late delivery, broken zipper; <b>customer support</b> never replied!")
    assert got == {
        "late", "delivery", "late delivery", "broken", "zipper", "broken zipper",
        "customer", "support", "customer support", "replied",
    }
    assert candidate_phrases("checkout error page crashed twice", max_words=2) >= {"checkout error", "error page"}
    assert "checkout error page" not in candidate_phrases("checkout error page crashed", max_words=2)


def test_weighted_log_odds_matches_the_formula_by_hand():
    y_neg = np.array([10, 2, 0])
    y_pos = np.array([1, 5, 4])
    bg = np.array([12, 9, 6])
    delta, z = weighted_log_odds(y_neg, y_pos, bg, prior_strength=27)
    a = 27 * bg / bg.sum()
    n_neg, n_pos, a0 = 12, 10, 27
    for w in range(3):
        d = math.log((y_neg[w] + a[w]) / (n_neg + a0 - y_neg[w] - a[w])) - math.log(
            (y_pos[w] + a[w]) / (n_pos + a0 - y_pos[w] - a[w])
        )
        assert delta[w] == pytest.approx(d)
        assert z[w] == pytest.approx(d / math.sqrt(1 / (y_neg[w] + a[w]) + 1 / (y_pos[w] + a[w])))
    assert z[0] > 0 > z[2]
