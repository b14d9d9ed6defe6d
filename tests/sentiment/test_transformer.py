"""The transformer path (jkit.sentiment.transformer) on tiny BERT models built and saved here.

Nothing is downloaded: every model is a 2-layer, 16-wide BERT written to a temporary folder with
``save_pretrained``. Planted classifier biases (zero weights) give hand-computed probabilities.
Skipped without transformers/torch; a failure with JKIT_REQUIRE_TRANSFORMERS=1.
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import JkitWarning, MissingResourceError, ParameterError
from jkit.sentiment.scoring import SCORE_COLUMNS
from tests.conftest import skip_or_fail

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "great", "terrible", "the", "support",
         "is", "slow", "delivery", "fast", "not", "very", "app", "crashes", "."]
TEXTS = ["the support is slow .", "great", "the delivery is very fast", "bad app", "not good", "terrible",
         "the app crashes", "good good good", "slow slow delivery .", "the", "very very very very bad support",
         "fast", "the support is not terrible", "great app . great delivery", "crashes", "is it good",
         "not slow", "very good support", "bad", "the app is great"]


@pytest.fixture(scope="module")
def tf():
    try:
        import torch
        import transformers
    except ImportError:
        skip_or_fail("transformers/torch are not installed (pip install 'jkit[transformers]')",
                     "JKIT_REQUIRE_TRANSFORMERS")
    return torch, transformers


def _save(tf, folder, id2label, *, bias=None, cls="BertForSequenceClassification", seed=0, scale=1.0, **extra):
    torch, transformers = tf
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    config = transformers.BertConfig(
        vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=64, id2label=dict(enumerate(id2label)),
        label2id={label: i for i, label in enumerate(id2label)}, **extra)
    torch.manual_seed(seed)
    model = getattr(transformers, cls)(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias, dtype=torch.float32))
    elif scale != 1.0:
        with torch.no_grad():
            model.classifier.weight.mul_(scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def models(tf, tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {
        # random weights drawn wide (initializer_range=1) so that texts get clearly different probabilities
        "binary": _save(tf, root / "binary", ["NEGATIVE", "POSITIVE"], initializer_range=1.0),
        # zero weights, bias (2, 0): p = (e²/(1+e²), 1/(1+e²)) for every text
        "planted": _save(tf, root / "planted", ["NEGATIVE", "POSITIVE"], bias=[2.0, 0.0]),
        "stars": _save(tf, root / "stars", ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"],
                       bias=np.log([0.5, 0.2, 0.1, 0.1, 0.1]).tolist()),
        "cardiff": _save(tf, root / "cardiff", ["LABEL_0", "LABEL_1", "LABEL_2"], bias=np.log([0.2, 0.3, 0.5]).tolist()),
        "emotion": _save(tf, root / "emotion", ["joy", "anger"], bias=np.log([0.9, 0.1]).tolist()),
        "masked_lm": _save(tf, root / "masked_lm", ["NEGATIVE", "POSITIVE"], cls="BertForMaskedLM"),
        "multi_label": _save(tf, root / "multi_label", ["NEGATIVE", "POSITIVE"],
                             problem_type="multi_label_classification"),
    }


def _score(*args, **kwargs):
    from jkit.sentiment.transformer import score_transformer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        return score_transformer(*args, **kwargs)


def test_columns_shape_index_and_probabilities(models):
    frame = pd.DataFrame({"text": [*TEXTS, None, "   ", 7]}, index=[f"f{i}" for i in range(len(TEXTS) + 3)])
    with pytest.warns(JkitWarning, match="set aside 3 of 23"):
        from jkit.sentiment.transformer import score_transformer

        out = score_transformer(frame, models["binary"])
    assert list(out.columns) == list(SCORE_COLUMNS)
    assert out.index.equals(frame.index)
    scored = out.iloc[: len(TEXTS)]
    np.testing.assert_allclose(scored[["pos", "neu", "neg"]].sum(axis=1), 1.0, atol=1e-6)
    assert (scored["neu"] == 0).all()  # a two-class model has no neutral class
    np.testing.assert_allclose(scored["compound"], scored["pos"] - scored["neg"], atol=1e-12)
    assert scored["compound"].between(-1, 1).all()
    assert scored["compound"].std() > 0.05, "the tiny model should tell texts apart"
    assert set(scored["label"]) <= {"negative", "positive"}
    assert (scored["label"] == np.where(scored["pos"] > scored["neg"], "positive", "negative")).all()
    assert scored["n_sentences"].tolist()[:2] == [1, 1] and scored["n_sentences"].iloc[13] == 2
    assert out["min_sentence"].isna().all()
    assert out["set_aside"].iloc[-3:].tolist() == ["missing text", "empty text", "not text (int)"]
    assert out["label"].iloc[-3:].isna().all() and out["compound"].iloc[-3:].isna().all()


def test_binary_labels_from_planted_probabilities(models):
    out = _score(["the support is slow", "great"], models["planted"])
    p_neg = math.exp(2) / (1 + math.exp(2))
    np.testing.assert_allclose(out["neg"], p_neg, rtol=1e-6)
    np.testing.assert_allclose(out["pos"], 1 - p_neg, rtol=1e-5)
    np.testing.assert_allclose(out["compound"], -math.tanh(1.0), rtol=1e-5)  # (1 - e²) / (1 + e²)
    assert out["label"].tolist() == ["negative", "negative"]


def test_five_star_model_maps_stars_to_valences(models):
    out = _score(pd.Series(["good delivery"]), models["stars"])
    # stars 1..5 → -1, -0.5, 0, 0.5, 1; p = 0.5, 0.2, 0.1, 0.1, 0.1
    np.testing.assert_allclose(out.loc[0, ["neg", "neu", "pos"]].astype(float), [0.7, 0.1, 0.2], atol=1e-6)
    np.testing.assert_allclose(out.loc[0, "compound"], -0.5 - 0.1 + 0.05 + 0.1, atol=1e-6)
    assert out.loc[0, "label"] == "negative"


def test_three_class_generic_labels_are_negative_neutral_positive(models):
    out = _score(["the app"], models["cardiff"])
    np.testing.assert_allclose(out.loc[0, ["neg", "neu", "pos"]].astype(float), [0.2, 0.3, 0.5], atol=1e-6)
    np.testing.assert_allclose(out.loc[0, "compound"], 0.3, atol=1e-6)
    assert out.loc[0, "label"] == "positive"
    # with thresholds the label comes from compound, as in score_sentiment
    assert _score(["the app"], models["cardiff"], thresholds=(-0.5, 0.5)).loc[0, "label"] == "neutral"


def test_unknown_labels_are_named_and_label_map_overrides(models):
    with pytest.raises(ParameterError, match=r"\['joy', 'anger'\].*label_map="):
        _score(["good"], models["emotion"])
    out = _score(["good"], models["emotion"], label_map={"joy": "positive", "anger": -1})
    np.testing.assert_allclose(out.loc[0, ["pos", "neg"]].astype(float), [0.9, 0.1], atol=1e-6)
    assert out.loc[0, "label"] == "positive"
    with pytest.raises(ParameterError, match="'fear', which is not one of the model's labels"):
        _score(["good"], models["emotion"], label_map={"fear": "negative", "joy": "positive"})
    with pytest.raises(ParameterError, match="should be 'negative', 'neutral', 'positive' or a number"):
        _score(["good"], models["emotion"], label_map={"joy": "happy", "anger": "negative"})
    # an override of a recognised label: NEGATIVE read as neutral
    out = _score(["good"], models["planted"], label_map={"NEGATIVE": "neutral"})
    np.testing.assert_allclose(out.loc[0, "neu"], math.exp(2) / (1 + math.exp(2)), rtol=1e-6)


def test_sentiment_valences_by_hand():
    from jkit.sentiment.transformer import sentiment_valences

    assert sentiment_valences(["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]).tolist() == [-1, -0.5, 0, 0.5, 1]
    assert sentiment_valences(["Negative", "Neutral", "Positive"]).tolist() == [-1, 0, 1]
    assert sentiment_valences(["positive", "negative"]).tolist() == [1, -1]
    assert sentiment_valences(["LABEL_1", "LABEL_0"]).tolist() == [1, -1]
    assert sentiment_valences(["LABEL_0", "LABEL_1", "LABEL_2"]).tolist() == [-1, 0, 1]
    with pytest.raises(ParameterError, match="LABEL_3"):
        sentiment_valences(["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"])
    with pytest.raises(ParameterError, match="unknown"):
        sentiment_valences(["1 star", "3 stars"])


def test_batch_size_does_not_change_the_scores(models):
    one = _score(TEXTS, models["binary"], batch_size=1)
    seven = _score(TEXTS, models["binary"], batch_size=7)
    big = _score(TEXTS * 3, models["binary"], batch_size=64)
    np.testing.assert_allclose(one[["compound", "pos", "neg"]], seven[["compound", "pos", "neg"]], atol=1e-5)
    assert one["label"].tolist() == seven["label"].tolist()
    # each text scored alone: the batched rows come back in the order of the input
    alone = [_score([text], models["binary"])["compound"].iloc[0] for text in TEXTS[:6]]
    np.testing.assert_allclose(seven["compound"].iloc[:6], alone, atol=1e-5)
    np.testing.assert_allclose(big["compound"].to_numpy().reshape(3, -1), np.tile(one["compound"], (3, 1)), atol=1e-5)


def test_long_texts_are_cut_to_the_model_limit_with_a_warning(models):
    from jkit.sentiment.transformer import score_transformer

    long = " ".join(["good delivery"] * 40)  # 80 words: over the tiny model's 64 positions
    with pytest.warns(JkitWarning, match="1 of 2 distinct texts reached the model's limit of 64 tokens"):
        out = score_transformer([long, "good"], models["binary"])
    assert out["label"].notna().all()


def test_real_review_sentences_are_all_scored_or_set_aside_as_by_the_lexicon(models, labelled):
    """The 3,000 UCI sentences (punctuation, digits, accents) through the real tokenizer and model."""
    from jkit.sentiment import score_sentiment

    for name, frame in labelled.items():
        out = _score(frame, models["binary"], batch_size=64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", JkitWarning)
            lexicon = score_sentiment(frame, rules="vader", sentences=False)
        assert out.index.equals(frame.index), name
        assert out["set_aside"].fillna("").tolist() == lexicon["set_aside"].fillna("").tolist(), name
        scored = out[out["set_aside"].isna()]
        assert len(scored) >= 0.99 * len(frame), name
        np.testing.assert_allclose(scored["pos"] + scored["neg"], 1.0, atol=1e-6)
        assert scored["label"].isin(["negative", "positive"]).all(), name


def test_a_loaded_model_is_reused(models):
    from jkit.sentiment.transformer import LoadedTransformer, load_transformer

    loaded = load_transformer(models["binary"], device="cpu")
    assert isinstance(loaded, LoadedTransformer) and loaded.device == "cpu" and loaded.max_length == 64
    assert loaded.labels == ("NEGATIVE", "POSITIVE")
    pd.testing.assert_frame_equal(_score(TEXTS, loaded), _score(TEXTS, models["binary"]))


def test_not_a_text_classification_model_is_refused(models, tmp_path):
    with pytest.raises(ParameterError, match=r"not a text-classification model.*BertForMaskedLM"):
        _score(["good"], models["masked_lm"])
    with pytest.raises(ParameterError, match="multi-label"):
        _score(["good"], models["multi_label"])
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "weights.bin").write_bytes(b"\x80\x04not a model")
    with pytest.raises(ParameterError, match=r"no config.json \(found \['weights.bin'\]\)"):
        _score(["good"], str(junk))
    with pytest.raises(ParameterError, match="is a file"):
        _score(["good"], str(junk / "weights.bin"))
    (junk / "config.json").write_text('{"architectures": ["BertForSequenceClassification"], "model_type": "bert"}')
    with pytest.raises(ParameterError, match="could not load the model"):
        _score(["good"], str(junk))
    (junk / "config.json").write_text("{not json")
    with pytest.raises(ParameterError, match="config.json"):
        _score(["good"], str(junk))
    with pytest.raises(MissingResourceError, match="no such model folder"):
        _score(["good"], str(tmp_path / "nowhere" / "model"))
    with pytest.raises(ParameterError, match="should be a folder"):
        _score(["good"], 42)


def test_a_missing_model_id_is_refused_offline_with_the_reason(tf, monkeypatch):
    monkeypatch.delenv("JKIT_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(MissingResourceError) as info:
        _score(["good"], "jkit-tests/no-such-sentiment-model")
    message = str(info.value)
    assert "not in the local Hugging Face cache" in message
    assert "local_files_only=False" in message and "JKIT_ALLOW_DOWNLOADS=1" in message


@pytest.mark.parametrize(("env", "argument", "offline"), [
    (None, None, True), ("1", None, False), ("1", True, True), (None, False, False), ("0", None, True),
])
def test_downloads_only_when_asked(tf, monkeypatch, env, argument, offline):
    """What transformers is told, recorded instead of touching the network."""
    _, transformers = tf
    seen = {}

    def fake(name, **kwargs):
        seen.update(kwargs)
        raise OSError("stop here")

    if env is None:
        monkeypatch.delenv("JKIT_ALLOW_DOWNLOADS", raising=False)
    else:
        monkeypatch.setenv("JKIT_ALLOW_DOWNLOADS", env)
    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", fake)
    with pytest.raises(MissingResourceError):
        _score(["good"], "someone/some-model", local_files_only=argument)
    assert seen == {"local_files_only": offline, "trust_remote_code": False}


def test_other_languages_set_aside_unless_the_model_is_multilingual(models):
    texts = ["El servicio fue muy lento pero la comida", "good delivery"]
    out = _score(texts, models["planted"])
    assert out["set_aside"].tolist()[0] == "not English (no English function words)" and pd.isna(out["label"][0])
    out = _score(texts, models["planted"], english_only=False)
    assert out["set_aside"].isna().all() and out["label"].tolist() == ["negative", "negative"]


def test_parameters_are_checked(models, tf):
    torch, _ = tf
    with pytest.raises(ParameterError, match="batch_size"):
        _score(["good"], models["planted"], batch_size=0)
    with pytest.raises(ParameterError, match="thresholds"):
        _score(["good"], models["planted"], thresholds=(0.5, -0.5))
    with pytest.raises(ParameterError, match="local_files_only"):
        _score(["good"], models["planted"], local_files_only="yes")
    if not torch.cuda.is_available():
        with pytest.raises(ParameterError, match="CUDA is not available"):
            _score(["good"], models["planted"], device="cuda")
    with pytest.raises(ParameterError, match="not a torch device"):
        _score(["good"], models["planted"], device="toaster")


def test_without_the_extra_the_error_names_it(monkeypatch):
    from jkit.sentiment.transformer import score_transformer

    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingResourceError, match=r"jkit\[transformers\]"):
        score_transformer(["good"], "some/model")
