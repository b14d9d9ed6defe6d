"""jkit.pain_points.pain_points: the ranked pain points, and the planted ones on the sample."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from jkit.errors import DataValidationError, ParameterError
from jkit.sentiment import pain_points, score_sentiment


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
