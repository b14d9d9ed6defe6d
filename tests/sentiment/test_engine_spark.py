"""Sentiment scored on Spark executors equals the pandas scores, set-asides included."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.sentiment import score_sentiment

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning"),
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # inside pyspark's toPandas
]


@pytest.mark.parametrize("rules", ["feedback", "vader"])
def test_sentiment_scores_equal_pandas(spark, small_sample, rules):
    feedback = small_sample.feedback
    local = score_sentiment(feedback, rules=rules, lexicon={"meh": -1.2})
    remote = score_sentiment(feedback, rules=rules, lexicon={"meh": -1.2}, engine="spark")
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_sentiment_bad_input_is_set_aside_alike(spark):
    texts = pd.Series(["Great service!", None, 5, b"caf\xe9 was awful", "   ", "x" * 60,
                       "Das ist nicht gut und sehr schlecht mit dem Service"], dtype=object)
    caught = []
    for engine in ("pandas", "spark"):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            caught.append((score_sentiment(texts, max_chars=50, engine=engine),
                           [str(w.message) for w in seen if "set aside" in str(w.message)]))
    pd.testing.assert_frame_equal(caught[0][0], caught[1][0], check_exact=True)
    assert caught[0][1] == caught[1][1] and caught[0][1]
    assert caught[1][0]["set_aside"].notna().sum() == 5


def test_spark_feedback_is_scored_lazily_on_the_executors(spark, small_sample):
    from jkit.spark import to_spark

    feedback = small_sample.feedback
    scored = score_sentiment(to_spark(feedback, spark))
    assert type(scored).__name__ == "DataFrame"
    assert scored.columns[: len(feedback.columns)] == list(feedback.columns)
    got = scored.select("feedback_id", "compound", "label").toPandas().sort_values("feedback_id", ignore_index=True)
    expected = feedback[["feedback_id"]].join(score_sentiment(feedback)[["compound", "label"]])
    expected = expected.sort_values("feedback_id", ignore_index=True)
    np.testing.assert_array_equal(got["compound"].to_numpy(), expected["compound"].to_numpy())
    assert got["label"].tolist() == expected["label"].astype(object).tolist()
    with pytest.raises(ParameterError, match="engine='pandas' cannot read a Spark DataFrame"):
        score_sentiment(to_spark(feedback, spark), engine="pandas")
