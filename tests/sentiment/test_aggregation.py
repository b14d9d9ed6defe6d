"""jkit.sentiment.aggregation: sentiment_summary, emotion_curve, and their plots."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import DataValidationError, JkitWarning
from jkit.sentiment import emotion_curve, score_sentiment, sentiment_summary
from jkit.stats import wilson_interval

# --------------------------------------------------------------------------- aggregation


@pytest.fixture()
def tiny_scored():
    return pd.DataFrame(
        {
            "stage": ["purchase", "purchase", "purchase", "retention", "retention", "awareness", None],
            "touchpoint": ["web", "web", "app", "app", "app", "web", "web"],
            "compound": [0.5, -0.5, 0.2, -0.8, -0.4, 0.9, 0.1],
            "label": ["positive", "negative", "positive", "negative", "negative", "positive", "positive"],
            "timestamp": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-02", "2024-02-03",
                                         "2024-01-01", "2024-01-02"], utc=True),
        }
    )


def test_sentiment_summary_by_stage_hand_computed(tiny_scored):
    s = sentiment_summary(tiny_scored, by="stage").set_index("stage")
    assert s.loc["purchase", "n"] == 3
    assert s.loc["purchase", "mean_compound"] == pytest.approx(0.2 / 3)
    # t interval by hand: mean ± t(0.975, 2) * sd / sqrt(3)
    sd = np.std([0.5, -0.5, 0.2], ddof=1)
    assert s.loc["purchase", "mean_high"] == pytest.approx(0.2 / 3 + 4.302653 * sd / np.sqrt(3), rel=1e-5)
    assert s.loc["purchase", "share_positive"] == pytest.approx(2 / 3)
    low, high = wilson_interval(2, 3)
    assert s.loc["purchase", "share_positive_low"] == pytest.approx(float(low))
    assert s.loc["retention", "share_negative"] == 1.0
    assert "(missing)" in s.index  # rows without a stage are a group, not dropped


def test_sentiment_summary_by_two_columns_and_period(tiny_scored):
    s = sentiment_summary(tiny_scored, by=["stage", "touchpoint"])
    assert s[(s.stage == "purchase") & (s.touchpoint == "web")]["n"].item() == 2
    p = sentiment_summary(tiny_scored, by="touchpoint", period="M")
    assert set(p["period"]) == {"2024-01", "2024-02"}
    assert p[(p.touchpoint == "web") & (p.period == "2024-01")]["n"].item() == 4
    with pytest.raises(DataValidationError, match="no column 'persona'"):
        sentiment_summary(tiny_scored, by="persona")


def test_emotion_curve_follows_the_stage_model_order(tiny_scored):
    with pytest.warns(JkitWarning, match="left out 1 of 7"):
        curve = emotion_curve(tiny_scored)
    assert curve["stage"].tolist() == ["awareness", "consideration", "purchase", "retention", "advocacy"]
    assert curve["n"].tolist() == [1, 0, 3, 2, 0]
    assert curve.loc[curve["mean_compound"].idxmin(), "stage"] == "retention"
    custom = emotion_curve(tiny_scored[tiny_scored.stage.notna()], ["retention", "purchase"])
    assert custom["stage"].tolist() == ["retention", "purchase"]


def test_emotion_curve_dips_at_the_planted_stage(small_sample, small_sample_dir):
    import json

    truth = json.loads((small_sample_dir / "truth.json").read_text())
    scored = small_sample.feedback.join(score_sentiment(small_sample.feedback))
    curve = emotion_curve(scored, small_sample.stages)
    assert curve.loc[curve["mean_compound"].idxmin(), "stage"] == truth["emotion_dip_stage"]


def test_sentiment_agrees_with_survey_scores_on_the_sample(small_sample):
    fb = small_sample.feedback
    scored = fb.join(score_sentiment(fb))
    with_nps = scored.dropna(subset=["nps"])
    rho = with_nps["compound"].corr(with_nps["nps"].astype(float), method="spearman")
    assert rho > 0.3


def test_plots_return_axes(tiny_scored):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jkit.plotting import (
        plot_emotion_curve,
        plot_sentiment_distribution,
        plot_sentiment_heatmap,
        plot_sentiment_vs_score,
    )

    fig, axes = plt.subplots(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        curve = emotion_curve(tiny_scored)
    assert plot_sentiment_distribution(tiny_scored, ax=axes[0, 0]) is axes[0, 0]
    assert plot_emotion_curve(curve, ax=axes[0, 1]) is axes[0, 1]
    summary = sentiment_summary(tiny_scored, by=["stage", "touchpoint"])
    assert plot_sentiment_heatmap(summary, min_count=1, ax=axes[1, 0]) is axes[1, 0]
    frame = tiny_scored.assign(nps=[9, 2, 7, 1, 3, 10, 8])
    assert plot_sentiment_vs_score(frame, ax=axes[1, 1]) is axes[1, 1]
    plt.close(fig)
