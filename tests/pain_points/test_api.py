"""jkit.pain_points: candidate phrases, weighted log-odds, quotes, and the planted pain points."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from jkit.errors import DataValidationError, ParameterError
from jkit.pain_points import candidate_phrases, weighted_log_odds
from jkit.sentiment import pain_points, representative_quotes, score_sentiment


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


def _hand_made_feedback() -> pd.DataFrame:
    rows = []
    for i in range(40):
        rows.append(("purchase", "web", "The checkout page froze and I lost my cart, terrible."))
        rows.append(("purchase", "web", "Great prices and fast checkout, love it."))
        rows.append(("retention", "email", "My refund never arrived. I am angry."))
        rows.append(("retention", "email", "Lovely quality, great fit."))
        if i % 4 == 0:
            rows.append(("retention", "support", "Refund request ignored for weeks, horrible."))
            rows.append(("purchase", "web", f"Order {i} placed."))
    frame = pd.DataFrame(rows, columns=["stage", "touchpoint", "text"])
    return frame.join(score_sentiment(frame))


def test_pain_points_find_the_complaints_with_counts_stages_and_quotes():
    scored = _hand_made_feedback()
    pains = pain_points(scored)
    top = pains.iloc[0]
    assert pains["phrase"].iloc[:4].tolist()[0] in {"refund", "checkout page froze", "lost my cart", "cart"}
    assert {"refund", "cart"} <= set(pains["phrase"]) | {p.split()[-1] for p in pains["phrase"]}
    assert "terrible" not in set(pains["phrase"])  # generic evaluation words are not pain points
    refund = pains[pains["phrase"] == "refund"].iloc[0]
    assert refund["n"] == 50 and refund["n_negative"] == 50 and refund["n_positive"] == 0
    assert refund["top_stage"] == "retention"
    assert refund["touchpoints"] == "email (40), support (10)"
    assert refund["mean_compound"] < 0
    assert 1 <= len(refund["quotes"]) <= 3
    assert all("refund" in q.lower() for q in refund["quotes"])
    assert top["z"] >= pains["z"].iloc[-1] >= 1.96
    # "checkout" is on both sides, so it is not over-represented on its own
    assert "checkout" not in set(pains["phrase"])


def test_pain_points_by_stage_rank_within_each_stage():
    pains = pain_points(_hand_made_feedback(), by="stage")
    assert set(pains["stage"]) == {"purchase", "retention"}
    for _, group in pains.groupby("stage"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["z"].is_monotonic_decreasing
    purchase = pains[pains["stage"] == "purchase"]["phrase"].tolist()
    assert "refund" not in purchase


def test_representative_quotes_most_negative_first_distinct_and_redacted():
    frame = pd.DataFrame(
        {
            "text": ["Refund is slow, call me at 555-0100", "refund is slow, call me at 555-0100", "Refund late. Bad.",
                     "Quick refund, thanks", "No mention here"],
            "compound": [-0.6, -0.6, -0.8, 0.5, -0.9],
        }
    )
    quotes = representative_quotes(frame, "refund", n=3, redact=lambda q: q.replace("555-0100", "[phone]"))
    assert quotes == ["Refund late. Bad.", "Refund is slow, call me at [phone]", "Quick refund, thanks"]
    long = pd.DataFrame({"text": ["Intro sentence here. " * 20 + "The refund never came."], "compound": [-0.5]})
    assert representative_quotes(long, "refund", max_chars=60) == ["The refund never came."]


def test_pain_points_bad_arguments():
    scored = _hand_made_feedback()
    with pytest.raises(DataValidationError, match="no column 'label'.*score_sentiment"):
        pain_points(scored.drop(columns="label"))
    with pytest.raises(ParameterError, match="min_count=0"):
        pain_points(scored, min_count=0)


def test_planted_pain_points_come_out_on_top_at_their_stages(small_sample, small_sample_dir):
    truth = json.loads((small_sample_dir / "truth.json").read_text())
    fb = small_sample.feedback
    # a ranking check: keep phrases below the 5% significance line too (min_z=0)
    pains = pain_points(fb.join(score_sentiment(fb)), by="stage", min_z=0)
    planted_at: dict[str, list[dict]] = {}
    for p in truth["pain_points"]:
        planted_at.setdefault(p["stage"], []).append(p)
    for stage, planted in planted_at.items():
        ranked = pains[pains["stage"] == stage].sort_values("rank")["phrase"].tolist()
        assert ranked, stage
        keywords = {k for p in planted for k in p["keywords"]}
        # the strongest pain point of a planted stage is one of the planted ones
        assert set(ranked[0].split()) & keywords, (stage, ranked[:5])
        # and every planted pain point is among the top five per pain point planted there
        window = ranked[: 5 * len(planted)]
        for p in planted:
            assert any(set(phrase.split()) & set(p["keywords"]) for phrase in window), (p["key"], window)


def test_quotes_are_redacted_by_default_and_keep_html_as_text():
    import pandas as pd

    from jkit.pain_points import representative_quotes
    from jkit.privacy import Redactor

    scored = pd.DataFrame({
        "text": ["Late delivery again, call me on +44 20 7946 0958", "late delivery <b>twice</b>, ann@example.com",
                 "late delivery, Ann Lee here"],
        "compound": [-0.6, -0.5, -0.4],
    })
    quotes = representative_quotes(scored, "late delivery")
    assert quotes == ["Late delivery again, call me on [phone]", "late delivery <b>twice</b>, [email]",
                      "late delivery, Ann Lee here"]
    named = Redactor(names=["Ann Lee"])
    assert representative_quotes(scored, "late delivery", redact=named)[2] == "late delivery, [name] here"
    assert named.texts_redacted == 3
    assert representative_quotes(scored, "late delivery", redact=False)[0].endswith("+44 20 7946 0958")


def test_a_phrase_that_names_a_customer_is_never_a_ranked_pain_point():
    from jkit.privacy import Redactor

    texts = (["agent yuki parker was rude and unhelpful"] * 40 + ["the refund was slow and awful"] * 40
             + ["great app, lovely design"] * 40 + ["delivery on time, friendly driver"] * 40)
    feedback = pd.DataFrame({"feedback_id": [str(i) for i in range(len(texts))], "text": texts})
    scored = feedback.join(score_sentiment(feedback))
    open_pains = pain_points(scored, min_count=3, redact=False)
    assert any("yuki" in p for p in open_pains["phrase"])  # the name would rank without redaction
    safe = pain_points(scored, min_count=3, redact=Redactor(names=["Yuki Parker"]))
    assert not any("yuki" in p or "parker" in p for p in safe["phrase"])
    assert safe.attrs["phrases_withheld"] >= 1 and "refund" in " ".join(safe["phrase"])
    assert all("yuki" not in q.lower() for qs in safe["quotes"] for q in qs)
