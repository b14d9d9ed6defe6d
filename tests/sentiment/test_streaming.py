"""score_parquet: the whole file scored batch by batch equals score_sentiment on the whole table."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from jkit.errors import MissingResourceError, ParameterError
from jkit.sentiment import score_sentiment
from jkit.sentiment.streaming import score_parquet


@pytest.mark.filterwarnings("ignore::jkit.errors.JkitWarning")
def test_batches_give_the_scores_of_one_pass(tmp_path, small_sample):
    feedback = small_sample.feedback[["feedback_id", "text"]].head(250).reset_index(drop=True)
    feedback.loc[[3, 4], "text"] = ["   ", None]  # set aside in the first batch only: schemas must still agree
    src = tmp_path / "feedback.parquet"
    feedback.to_parquet(src)
    summary = score_parquet(src, tmp_path / "scores.parquet", columns=["feedback_id"], batch_size=100,
                            progress=False, rules="vader")
    got = pq.read_table(tmp_path / "scores.parquet").to_pandas()
    expected = score_sentiment(feedback, rules="vader")
    assert summary["rows"] == 250 and list(got["feedback_id"]) == list(feedback["feedback_id"])
    pd.testing.assert_series_equal(got["compound"], expected["compound"], check_names=False)
    assert got["label"].fillna("-").tolist() == expected["label"].fillna("-").tolist()
    assert summary["set_aside"] == {"empty text": 1, "missing text": 1}
    assert sum(summary["labels"].values()) == 248


def test_bad_paths(tmp_path):
    with pytest.raises(MissingResourceError, match="no such Parquet file"):
        score_parquet(tmp_path / "nope.parquet", tmp_path / "out.parquet")
    src = tmp_path / "f.parquet"
    pd.DataFrame({"text": ["ok"]}).to_parquet(src)
    with pytest.raises(ParameterError, match="is the source file"):
        score_parquet(src, src)
