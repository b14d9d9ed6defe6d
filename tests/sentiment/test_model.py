"""SentimentModel: labels, features, learning from labels, the fallback, bad input, safe files, real data."""

from __future__ import annotations

import json
import sys
import types
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from jkit.errors import DataValidationError, JkitWarning, MissingResourceError, NotFittedError, ParameterError
from jkit.sentiment import SCORE_COLUMNS, SentimentModel, score_sentiment, sentiment_labels
from jkit.sentiment.features import CharNgramTfidf
from tests.sentiment.conftest import FILES

# VADER's accuracy on the UCI files (../shared/data/README.md; label 1 when compound >= 0.05)
VADER_ACCURACY = {"amazon_cells_labelled": 0.834, "imdb_labelled": 0.793, "yelp_labelled": 0.810}


# --------------------------------------------------------------------------- labels


def test_survey_scales_map_to_labels_as_documented():
    nps = sentiment_labels(pd.Series(range(11)), scale="nps").tolist()
    assert nps == ["negative"] * 7 + ["neutral"] * 2 + ["positive"] * 2
    for scale in ("csat", "stars"):
        assert sentiment_labels(pd.Series([1, 2, 3, 4, 5]), scale=scale).tolist() == [
            "negative", "negative", "neutral", "positive", "positive"]
    # CES: 1 = very low effort, the good end
    assert sentiment_labels(pd.Series(range(1, 8)), scale="ces").tolist() == [
        "positive"] * 3 + ["neutral"] + ["negative"] * 3


def test_labels_are_guessed_from_values_and_column_name():
    assert sentiment_labels(pd.Series([0, 1, None])).tolist()[:2] == ["negative", "positive"]
    assert sentiment_labels(pd.Series([True, False])).tolist() == ["positive", "negative"]
    assert sentiment_labels(pd.Series([" Positive", "NEGATIVE", "neutral", None])).iloc[:3].tolist() == [
        "positive", "negative", "neutral"]
    assert sentiment_labels(pd.Series([3.0, 9.0, np.nan]), column="nps").tolist()[:2] == ["negative", "positive"]
    assert sentiment_labels(pd.Series([0, 1, None])).isna().tolist() == [False, False, True]
    with pytest.raises(ParameterError, match=r"numbers \(1–5\).*scale="):
        sentiment_labels(pd.Series([1, 5, 3]), column="rating")


def test_label_map_and_cutoffs_override():
    out = sentiment_labels(pd.Series(["Bad", "ok", "good"]), label_map={"bad": "negative", "ok": "neutral", "good": "positive"})
    assert out.tolist() == ["negative", "neutral", "positive"]
    assert sentiment_labels(pd.Series([1.0, 50, 99]), cutoffs=(33, 67)).tolist() == ["negative", "neutral", "positive"]
    with pytest.raises(ParameterError, match="negative_max should be below"):
        sentiment_labels(pd.Series([1]), cutoffs=(5, 2))
    with pytest.raises(ParameterError, match="its values should be among"):
        sentiment_labels(pd.Series([1]), label_map={1: "great"})


def test_unknown_label_values_name_values_and_rows():
    with pytest.raises(DataValidationError, match=r"column 'label' rows 2, 4: value\(s\) 'meh', 'great'"):
        sentiment_labels(pd.Series(["positive", "meh", "negative", "great"]))
    with pytest.raises(DataValidationError, match=r"column 'csat' row 3: value\(s\) 7.0 are outside csat's range 1–5"):
        sentiment_labels(pd.Series([1, 5, 7]), scale="csat", column="csat")
    with pytest.raises(DataValidationError, match=r"row 2: value\(s\) 'five' are not numbers"):
        sentiment_labels(pd.Series([4, "five"], dtype=object), scale="stars")
    with pytest.raises(DataValidationError, match=r"row 2: value\(s\) 'x' are not in label_map"):
        sentiment_labels(pd.Series(["a", "x"]), label_map={"a": "positive"})


# --------------------------------------------------------------------------- features


def _same_as_sklearn(train, test):
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    mine = CharNgramTfidf(ngram_range=(2, 5), min_df=2)
    a, b = ref.fit_transform(train), mine.fit_transform(train)
    assert list(ref.get_feature_names_out()) == list(mine.get_feature_names_out())
    assert abs(a - b).max() < 1e-12
    assert abs(ref.transform(test) - mine.transform(test)).max() < 1e-12


def test_char_ngrams_equal_scikit_learns_char_wb():
    train = ["Great  phone!", "the phone is GREAT", "bad battery\tlife", "a b", "battery died", "", "I"]
    _same_as_sklearn(train, ["great battery, unseen words", "   ", "zz"])


def test_char_ngrams_equal_scikit_learns_on_real_sentences(labelled):
    texts = pd.concat(labelled.values())["text"].tolist()
    _same_as_sklearn(texts[:2000], texts[2000:])


# --------------------------------------------------------------------------- learning, planted truth


def _planted(n_per_class: int = 80, seed: int = 0, three: bool = False) -> pd.DataFrame:
    """Texts whose sentiment is carried by made-up words VADER cannot know ('zorbly' bad, 'flimp' good)."""
    rng = np.random.default_rng(seed)
    nouns = ["delivery", "app", "checkout", "parcel", "support", "screen", "refund", "order"]
    rows = []
    kinds = [("negative", "zorbly"), ("positive", "flimp")] + ([("neutral", "meeple")] if three else [])
    for label, word in kinds:
        for _ in range(n_per_class):
            noun = nouns[rng.integers(len(nouns))]
            rows.append((f"the {noun} was {word} and {nouns[rng.integers(len(nouns))]} too", label))
    frame = pd.DataFrame(rows, columns=["text", "label"])
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


def test_model_learns_what_the_labels_teach():
    frame = _planted()
    model = SentimentModel().fit(frame)
    assert model.fallback_ is None and model.classes_ == ("negative", "positive")
    assert model.cv_accuracy_ == 1.0 and model.lexicon_cv_accuracy_ < 0.6
    low, high = model.cv_interval_
    assert 0.97 < low < 1.0 and high == 1.0  # Wilson, 160 of 160
    out = model.predict(["the parcel was zorbly", "flimp refund", "flimp flimp, flimp screen. zorbly app."])
    assert tuple(out.columns) == SCORE_COLUMNS
    assert out["label"].tolist() == ["negative", "positive", "positive"]
    assert np.allclose(out[["pos", "neu", "neg"]].sum(axis=1), 1.0) and (out["neu"] == 0).all()
    assert np.allclose(out["compound"], out["pos"] - out["neg"])
    assert out["n_sentences"].tolist() == [1, 1, 2]
    # the most negative sentence is the zorbly one
    assert out["min_sentence"].iloc[2] < 0 < out["compound"].iloc[2]
    assert out["min_sentence"].iloc[0] == out["compound"].iloc[0]
    table = model.accuracy_table()
    assert table.loc["model", "accuracy"] == 1.0 and bool(table.loc["model", "used"])
    assert model.cv_folds_["n"].sum() == 160 and len(model.cv_folds_) == 5


def test_three_classes_give_probabilities_of_each():
    model = SentimentModel().fit(_planted(three=True))
    out = model.predict(pd.Series(["meeple order", "zorbly app", "flimp app"], index=[10, 11, 12]))
    assert out.index.tolist() == [10, 11, 12]
    assert out["label"].tolist() == ["neutral", "negative", "positive"]
    assert (out["neu"].iloc[0] > 0.5) and np.allclose(out[["pos", "neu", "neg"]].sum(axis=1), 1.0)


def test_worker_processes_give_the_same_scores():
    model = SentimentModel(n_jobs=1).fit(_planted())
    texts = [f"order {i} was {'zorbly' if i % 3 else 'flimp'}. parcel {i}" for i in range(2_500)]
    serial = model.predict(texts)
    pooled = SentimentModel.set_params(model, n_jobs=2).predict(texts)
    pd.testing.assert_frame_equal(pooled, serial)
    assert (serial["label"] == np.where(np.arange(2_500) % 3, "negative", "positive")).all()


def test_model_files_of_the_earlier_design_still_predict(tmp_path):
    """Models saved before LexiconValence read VADER's four scores beside the text: they are still fed them."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from jkit.sentiment.features import LEXICON_FEATURES

    frame = _planted()
    model = SentimentModel().fit(frame)
    vader = score_sentiment(frame["text"], rules="vader", sentences=False)[list(LEXICON_FEATURES)]
    old = Pipeline([("features", ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), "text"),
        ("chars", CharNgramTfidf(), "text"),
        ("lexicon", "passthrough", list(LEXICON_FEATURES))])), ("classifier", LogisticRegression(C=4.0, max_iter=2000))])
    old.fit(pd.concat([frame[["text"]], vader], axis=1), frame["label"])
    model.pipeline_ = old
    texts = ["the parcel was zorbly", "flimp refund", "a great phone, not bad at all"]
    want = old.predict_proba(pd.concat([pd.DataFrame({"text": texts}),
                                        score_sentiment(texts, rules="vader", sentences=False)[list(LEXICON_FEATURES)]],
                                       axis=1))
    loaded = SentimentModel.load(model.save(tmp_path / "old.zip"))
    out = loaded.predict(texts, sentences=False)
    assert np.allclose(out["pos"], want[:, list(old.classes_).index("positive")])
    assert out["label"].tolist()[:2] == ["negative", "positive"]


def test_score_sentiment_uses_a_fitted_model():
    model = SentimentModel().fit(_planted())
    frame = pd.DataFrame({"body": ["zorbly parcel", "flimp"]}, index=["a", "b"])
    out = score_sentiment(frame, text_col="body", model=model)
    pd.testing.assert_frame_equal(out, model.predict(frame["body"]))
    assert out.index.tolist() == ["a", "b"] and out["label"].tolist() == ["negative", "positive"]
    with pytest.raises(ParameterError, match="unknown argument"):
        score_sentiment(frame, text_col="body", model=model, batch_size=2)
    with pytest.raises(ParameterError, match="expected a fitted jkit.sentiment.SentimentModel"):
        score_sentiment(frame, text_col="body", model=3)


def test_a_model_name_goes_to_the_transformer_module(monkeypatch):
    calls = []
    fake = types.ModuleType("jkit.sentiment.transformer")
    fake.score_transformer = lambda frame, model, **kw: calls.append((frame, model, kw)) or "scored"
    monkeypatch.setitem(sys.modules, "jkit.sentiment.transformer", fake)
    assert score_sentiment(["good", "bad"], model="some/model", batch_size=8) == "scored"
    frame, name, kw = calls[0]
    assert name == "some/model" and kw == {"text_col": "text", "batch_size": 8} and frame["text"].tolist() == ["good", "bad"]
    monkeypatch.delitem(sys.modules, "jkit.sentiment.transformer")  # the real module, without the extra
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingResourceError, match=r"jkit\[transformers\]"):
        score_sentiment(["good"], model="some/model")


# --------------------------------------------------------------------------- the fallback


def test_too_few_labels_fall_back_to_the_lexicon_and_say_so():
    frame = _planted(n_per_class=20)
    with pytest.warns(JkitWarning, match="too few labels"):
        model = SentimentModel().fit(frame)
    assert model.fallback_.startswith("too few labels") and model.pipeline_ is None
    assert not np.isnan(model.cv_accuracy_)  # still measured, for the report
    texts = ["the parcel was great", "awful app", "zorbly"]
    pd.testing.assert_frame_equal(model.predict(texts), score_sentiment(texts, rules="vader"))
    assert bool(model.accuracy_table().loc["lexicon", "used"])


def test_no_gain_over_the_lexicon_falls_back():
    texts = ["great service", "awful delay", "love it", "terrible app", "happy with it", "bad refund"] * 15
    frame = pd.DataFrame({"text": [f"{t} {i}" for i, t in enumerate(texts)]})
    frame["label"] = score_sentiment(frame, rules="vader")["label"].to_numpy()  # labels are the lexicon's own
    with pytest.warns(JkitWarning, match="not better than the lexicon"):
        model = SentimentModel(min_per_class=5).fit(frame)
    assert model.lexicon_cv_accuracy_ == 1.0 and model.cv_accuracy_ <= 1.0 and model.pipeline_ is None


# --------------------------------------------------------------------------- bad input


def test_bad_labels_are_clear_errors():
    frame = _planted(n_per_class=10)
    with pytest.raises(DataValidationError, match="all 20 labelled texts in column 'label' are 'positive'"):
        SentimentModel().fit(frame.assign(label="positive"))
    with pytest.raises(DataValidationError, match="no labelled text"):
        SentimentModel().fit(frame.assign(label=None))
    with pytest.raises(DataValidationError, match=r"row 3: value\(s\) 'meh'"):
        SentimentModel().fit(frame.assign(label=["positive", "negative", "meh"] + ["positive"] * 17))
    with pytest.raises(ParameterError, match="no column 'label'.*'stars'; pass label_col="):
        SentimentModel(label_col="label").fit(frame.drop(columns="label").assign(stars=1))
    with pytest.raises(ParameterError, match="min_per_class"):
        SentimentModel(min_per_class=0).fit(frame)
    with pytest.raises(NotFittedError):
        SentimentModel().predict(["x"])


def test_unscorable_texts_are_set_aside_and_counted():
    frame = _planted()
    extra = pd.DataFrame({"text": ["", None, "Это очень плохой сервис", "   "], "label": ["negative", "positive", "negative", None]})
    with pytest.warns(JkitWarning, match=r"3 of 163 labelled texts set aside .*1 empty text.*not English"):
        model = SentimentModel().fit(pd.concat([frame, extra], ignore_index=True))
    assert model.n_set_aside_ == 3 and model.n_unlabelled_ == 1 and model.n_labelled_ == 160
    with pytest.warns(JkitWarning, match="set aside 2 of 3"):
        out = model.predict(["", "zorbly", "Это очень плохой сервис"])
    assert out["label"].isna().tolist() == [True, False, True]
    assert out["set_aside"].tolist()[0] == "empty text" and out["set_aside"].iloc[2].startswith("not English")


def test_ratings_train_a_model():
    frame = _planted()
    frame["csat"] = np.where(frame["label"] == "positive", 5, 1)
    frame.loc[::7, "csat"] = 3
    model = SentimentModel(label_col="csat", min_per_class=10).fit(frame)
    assert model.classes_ == ("negative", "neutral", "positive")
    assert model.label_counts_ == {"negative": int((frame["csat"] == 1).sum()), "neutral": 23,
                                   "positive": int((frame["csat"] == 5).sum())}
    assert model.fallback_ is None and model.cv_accuracy_ > 0.8 > model.lexicon_cv_accuracy_
    assert model.predict(["zorbly order", "flimp order"])["label"].tolist() == ["negative", "positive"]


def test_cross_validation_of_many_labels_uses_a_stratified_sample():
    frame = _planted(n_per_class=150)
    model = SentimentModel(max_cv_texts=100).fit(frame)
    assert model.cv_folds_["n"].sum() == 100 and model.n_labelled_ == 300
    assert model.cv_accuracy_ == 1.0 and model.fallback_ is None


def test_it_is_a_scikit_learn_estimator():
    model = SentimentModel(label_col="nps", C=2.0)
    assert clone(model).get_params()["label_col"] == "nps" and clone(model).C == 2.0


# --------------------------------------------------------------------------- files


def test_save_and_load_give_the_same_predictions(tmp_path):
    model = SentimentModel().fit(_planted())
    path = model.save(tmp_path / "m.jksm")
    again = SentimentModel.load(path)
    texts = ["zorbly parcel. flimp app", "flimp", "meh"]
    pd.testing.assert_frame_equal(again.predict(texts), model.predict(texts))
    assert again.cv_accuracy_ == model.cv_accuracy_ and again.cv_interval_ == model.cv_interval_
    pd.testing.assert_frame_equal(again.cv_folds_, model.cv_folds_, check_dtype=False)
    with pytest.warns(JkitWarning):
        fallen = SentimentModel().fit(_planted(n_per_class=20))
    back = SentimentModel.load(fallen.save(tmp_path / "f.jksm"))
    assert back.fallback_ == fallen.fallback_ and back.pipeline_ is None


def test_files_that_are_not_sentiment_models_are_refused(tmp_path):
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataValidationError, match="not a saved jkit SentimentModel"):
        SentimentModel.load(tmp_path / "notes.txt")
    with pytest.raises(MissingResourceError):
        SentimentModel.load(tmp_path / "absent.jksm")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "jkit.PersonaModel"}))
    with pytest.raises(DataValidationError, match="not a saved jkit SentimentModel"):
        SentimentModel.load(tmp_path / "other.zip")
    # a model file whose pipeline was swapped for one that calls a system function when run
    path = SentimentModel().fit(_planted()).save(tmp_path / "m.jksm")
    with zipfile.ZipFile(path) as z:
        manifest = z.read("manifest.json")
    with zipfile.ZipFile(tmp_path / "evil.jksm", "w") as z:
        z.writestr("manifest.json", manifest)
        z.writestr("pipeline.skops", sio.dumps(FunctionTransformer(func=os.system)))
    with pytest.raises(DataValidationError, match="holds types a sentiment model never holds.*system"):
        SentimentModel.load(tmp_path / "evil.jksm")


# --------------------------------------------------------------------------- real labelled sentences


@pytest.mark.parametrize("name", FILES)
def test_model_beats_vader_on_held_out_folds_of_real_reviews(labelled, name):
    frame = labelled[name].assign(label=lambda f: f["label"])
    model = SentimentModel().fit(frame)
    assert abs(model.lexicon_cv_accuracy_ - VADER_ACCURACY[name]) <= 0.005
    assert model.fallback_ is None
    # measured 0.877 / 0.837 / 0.866 (VADER 0.834 / 0.793 / 0.810)
    assert model.cv_accuracy_ >= model.lexicon_cv_accuracy_ + 0.03
    low, high = model.cv_interval_
    assert low < model.cv_accuracy_ < high and high - low < 0.05


@pytest.mark.parametrize("n_labels", [20, 40])
def test_few_real_labels_are_never_worse_than_the_lexicon(labelled, n_labels):
    frame = labelled["amazon_cells_labelled"].copy()
    rng = np.random.default_rng(n_labels)
    keep = np.zeros(len(frame), dtype=bool)
    for value in (0, 1):
        keep[rng.choice(np.flatnonzero(frame["label"] == value), n_labels // 2, replace=False)] = True
    truth = np.where(frame["label"] == 1, "positive", "negative")
    frame["label"] = frame["label"].where(keep)  # the rest is unlabelled
    with pytest.warns(JkitWarning, match="too few labels"):
        model = SentimentModel().fit(frame)
    assert model.n_labelled_ == n_labels and model.n_unlabelled_ == 1000 - n_labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        predicted = model.predict(frame)["compound"].to_numpy() >= 0.05
        lexicon = score_sentiment(frame, rules="vader")["compound"].to_numpy() >= 0.05
    accuracy = ((truth == "positive") == predicted).mean()
    assert accuracy == ((truth == "positive") == lexicon).mean()
    assert abs(accuracy - VADER_ACCURACY["amazon_cells_labelled"]) <= 0.005


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("n_labels", [100, 400])
def test_with_some_real_labels_the_rest_is_scored_no_worse_than_by_the_lexicon(labelled, name, n_labels):
    """Label a few hundred texts, score the other ones: the model (or its fallback) loses to VADER on none."""
    frame = labelled[name].copy()
    rng = np.random.default_rng(1)
    keep = np.zeros(len(frame), dtype=bool)
    for value in (0, 1):
        keep[rng.choice(np.flatnonzero(frame["label"] == value), n_labels // 2, replace=False)] = True
    truth = frame["label"].to_numpy() == 1
    frame["label"] = frame["label"].where(keep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        model = SentimentModel().fit(frame)
        scores = model.predict(frame)
        lexicon = score_sentiment(frame, rules="vader")["compound"].to_numpy() >= 0.05
    predicted = (scores["label"] == "positive").to_numpy() if model.fallback_ is None else scores["compound"].to_numpy() >= 0.05
    rest = ~keep
    assert (predicted[rest] == truth[rest]).mean() >= (lexicon[rest] == truth[rest]).mean()
    if model.fallback_ is None:
        assert model.cv_gain_z_ >= model.min_z
