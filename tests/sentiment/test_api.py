"""jkit.sentiment.score_sentiment and iter_sentiment: the contract of the scores."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from jkit.errors import DataValidationError, JkitWarning, ParameterError
from jkit.sentiment import iter_sentiment, score_sentiment

# --------------------------------------------------------------------------- score_sentiment contract


def test_output_is_aligned_with_the_input_index_and_has_the_contract_columns():
    frame = pd.DataFrame({"comment": ["Great service!", "Terrible wait.", "It is a box."]}, index=[10, 30, 20])
    out = score_sentiment(frame, text_col="comment")
    assert list(out.index) == [10, 30, 20]
    assert list(out.columns[:5]) == ["compound", "pos", "neu", "neg", "label"]
    assert out["label"].tolist() == ["positive", "negative", "neutral"]
    assert frame.columns.tolist() == ["comment"]  # caller's frame untouched


def test_series_and_list_inputs_agree():
    texts = ["good", "bad", "meh ok"]
    a = score_sentiment(texts)
    b = score_sentiment(pd.Series(texts, index=[5, 6, 7]))
    assert a["compound"].tolist() == b["compound"].tolist()
    assert list(b.index) == [5, 6, 7]


def test_thresholds_are_configurable():
    texts = ["ok", "good", "bad"]  # compounds 0.296, 0.4404, -0.5423
    out = score_sentiment(texts, rules="vader", thresholds=(-0.6, 0.35))
    assert out["label"].tolist() == ["neutral", "positive", "neutral"]
    with pytest.raises(ParameterError, match="thresholds"):
        score_sentiment(texts, thresholds=(0.5, -0.5))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(DataValidationError, match="no column 'text'.*text_col="):
        score_sentiment(pd.DataFrame({"body": ["x"]}))
    with pytest.raises(ParameterError, match="not a single string"):
        score_sentiment("good")
    with pytest.raises(ParameterError, match="rules='textblob'"):
        score_sentiment(["good"], rules="textblob")
    with pytest.raises(ParameterError, match="unknown fix"):
        score_sentiment(["good"], rules=["no_negates", "magic"])
    with pytest.raises(ParameterError, match="n_jobs=0"):
        score_sentiment(["good"], n_jobs=0)


def test_bad_input_is_scored_or_set_aside_with_reason_never_dropped():
    long_text = ("The parcel arrived. " * 5000) + "The product is terrible."
    values = [
        None, "", "   ", 42, b"caf\xc3\xa9 was great", "cafÃ© was great", "<p>Great&nbsp;service</p><br/>",
        "I love it 😍", "Terrible 😡", long_text, "这是一个非常好的产品", "El servicio fue muy malo y la entrega tarde",
        "Mixed \udcff bytes but good",
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = score_sentiment(pd.Series(values, dtype=object))
    assert len(out) == len(values)
    reasons = out["set_aside"].tolist()
    assert reasons[:4] == ["missing text", "empty text", "empty text", "not text (int)"]
    assert reasons[10] == "not English (non-Latin script)"
    assert reasons[11] == "not English (no English function words)"
    scored = out[out["set_aside"].isna()]
    assert len(scored) == len(values) - 6
    assert scored["label"].notna().all() and scored["compound"].notna().all()
    assert out.loc[4, "label"] == out.loc[5, "label"] == out.loc[6, "label"] == "positive"
    assert out.loc[7, "label"] == "positive" and out.loc[8, "label"] == "negative"  # emoji read by name
    assert out.loc[9, "n_sentences"] == 5001 and out.loc[9, "min_sentence"] < 0
    assert out.loc[12, "label"] == "positive"
    messages = [str(w.message) for w in caught if issubclass(w.category, JkitWarning)]
    assert len(messages) == 1
    assert "set aside 6 of 13 texts" in messages[0] and "2 empty text" in messages[0]


def test_max_chars_sets_long_texts_aside():
    out = score_sentiment(["good", "bad " * 100], max_chars=100)
    assert out["set_aside"].tolist()[1] == "longer than max_chars=100"


def test_long_polite_ticket_keeps_its_angry_sentence():
    ticket = (
        "Hi team, thanks a lot for the quick reply and the friendly help last week, much appreciated. "
        "The parcel arrived completely smashed and nobody answers my emails, this is infuriating! "
        "Thanks again and have a great day."
    )
    vader = score_sentiment([ticket], rules="vader").iloc[0]
    feedback = score_sentiment([ticket]).iloc[0]
    assert vader["compound"] > 0.05  # whole-text VADER averages the anger away
    assert vader["n_sentences"] == 3 and vader["min_sentence"] < -0.5
    assert feedback["label"] == "negative"
    assert feedback["compound"] == feedback["min_sentence"]
    assert score_sentiment([ticket], strong_negative=None).iloc[0]["label"] == "positive"


def test_iter_sentiment_streams_parquet_in_batches(tmp_path):
    texts = ["good", "bad", "fine", "", "awful service", "great"] * 5
    frame = pd.DataFrame({"feedback_id": [f"F{i}" for i in range(len(texts))], "text": texts, "junk": 1})
    path = tmp_path / "fb.parquet"
    frame.to_parquet(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        batches = list(iter_sentiment(path, batch_size=7, columns=["feedback_id"]))
        whole = score_sentiment(frame)
    assert [len(b) for b in batches] == [7, 7, 7, 7, 2]
    streamed = pd.concat(batches)
    assert "junk" not in streamed.columns
    assert streamed["feedback_id"].tolist() == frame["feedback_id"].tolist()
    pd.testing.assert_series_equal(streamed["compound"].reset_index(drop=True), whole["compound"].reset_index(drop=True))


def test_iter_sentiment_accepts_chunks_of_frames_and_lists():
    chunks = [pd.DataFrame({"text": ["good", "bad"]}, index=[3, 4]), ["great"]]
    out = list(iter_sentiment(iter(chunks)))
    assert list(out[0].index) == [3, 4]
    assert out[1]["text"].tolist() == ["great"] and out[1]["label"].tolist() == ["positive"]
    with pytest.raises(ParameterError, match="unknown argument"):
        list(iter_sentiment([["x"]], colour="red"))
