"""Persona figures: the k curve beside its shuffled reference, the outcome spread beside random splits."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from jkit.plotting import plot_outcome_spread, plot_persona_selection  # noqa: E402


def test_k_curve_draws_the_shuffled_reference_band():
    curve = pd.DataFrame({"n_personas": [2, 3, 4], "score": [0.5, 0.7, 0.6], "null_score": [0.35, 0.36, 0.34],
                          "null_sd": [0.01, 0.01, 0.02], "excess": [0.15, 0.34, 0.26], "chosen": [False, True, False]})
    fig, ax = plt.subplots()
    plot_persona_selection(curve, chosen=3, ax=ax)
    lines = ax.get_lines()
    assert list(lines[0].get_ydata()) == [0.5, 0.7, 0.6] and list(lines[1].get_ydata()) == [0.35, 0.36, 0.34]
    assert len(ax.collections) == 1  # the ±2 sd band
    plt.close(fig)


def test_outcome_spread_bars_with_random_and_kmeans_markers():
    spread = pd.DataFrame({"outcome": ["Churn", "spend"], "spread": [0.38, 12.0], "spread_low": [0.33, 9.0],
                           "spread_high": [0.43, 15.0], "random_high": [0.07, 3.0], "kmeans_spread": [0.38, 11.0]})
    fig, ax = plt.subplots()
    plot_outcome_spread(spread, ax=ax)
    bars = [p.get_width() for p in ax.patches]
    assert bars == [0.38, 12.0] and [t.get_text() for t in ax.get_yticklabels()] == ["Churn", "spend"]
    assert len(ax.collections) >= 3  # error bars, random splits, k-means
    plt.close(fig)
