"""jkit.sentiment.workers: each distinct text scored once; worker processes score alike."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.sentiment import score_sentiment, workers


def test_duplicates_are_scored_once_and_get_the_same_scores(monkeypatch):
    calls = []
    original = workers.score_one
    monkeypatch.setattr(workers, "score_one", lambda s, t, *a: calls.append(t) or original(s, t, *a))
    out = score_sentiment(["good", "bad", "good", "good"], n_jobs=1)
    assert sorted(calls) == ["bad", "good"]
    assert out["compound"].iloc[0] == out["compound"].iloc[2] == out["compound"].iloc[3]


@pytest.mark.slow
def test_worker_processes_give_the_same_scores(labelled):
    texts = labelled["amazon_cells_labelled"]["text"].tolist()
    serial = score_sentiment(texts, n_jobs=1)
    parallel = score_sentiment(texts, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
