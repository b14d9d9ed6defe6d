"""jkit.sentiment.lexicon: offline lexicon loading, domain lexicons, no cache touched at import."""

from __future__ import annotations

import zipfile

import nltk.data
import pytest
from nltk.sentiment.vader import SentimentIntensityAnalyzer

from jkit.errors import DataValidationError, MissingResourceError
from jkit.sentiment import lexicon, read_lexicon, score_sentiment

# --------------------------------------------------------------------------- lexicon loading


def _vs_lexicon_file():
    path = lexicon._vadersentiment_lexicon_file()
    if path is None:
        pytest.skip("vaderSentiment is not installed")
    return path


def test_loader_prefers_nltk_data_zip(tmp_path, monkeypatch):
    data_dir = tmp_path / "nltk_data"
    (data_dir / "sentiment").mkdir(parents=True)
    with zipfile.ZipFile(data_dir / "sentiment" / "vader_lexicon.zip", "w") as zf:
        zf.writestr("vader_lexicon/vader_lexicon.txt", "good\t1.5\t0.5\t[1]\nbad\t-2.0\t0.5\t[-2]")
    monkeypatch.setattr(nltk.data, "path", [str(data_dir)])
    assert lexicon.lexicon_source() == ("nltk_data", lexicon.LEXICON_RESOURCE)
    assert lexicon.parse_lexicon(lexicon.lexicon_text()) == {"good": 1.5, "bad": -2.0}


def test_loader_finds_unzipped_nltk_data(tmp_path, monkeypatch):
    folder = tmp_path / "nltk_data" / "sentiment" / "vader_lexicon"
    folder.mkdir(parents=True)
    (folder / "vader_lexicon.txt").write_text("fine\t0.8\t0.4\t[1]", encoding="utf-8")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "nltk_data")])
    assert lexicon.lexicon_source()[0] == "nltk_data"
    assert lexicon.parse_lexicon(lexicon.lexicon_text()) == {"fine": 0.8}


def test_loader_falls_back_to_vadersentiment_through_an_nltk_data_dir(tmp_path, monkeypatch):
    source = _vs_lexicon_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(nltk.data, "path", [str(empty)])
    monkeypatch.setenv("JKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert lexicon.lexicon_source() == ("vaderSentiment", lexicon.LEXICON_RESOURCE)
    built = tmp_path / "cache" / "nltk_data" / "sentiment" / "vader_lexicon.zip"
    with zipfile.ZipFile(built) as zf:
        assert zf.read("vader_lexicon/vader_lexicon.txt") == source.read_bytes()
    assert str(tmp_path / "cache" / "nltk_data") in nltk.data.path
    # NLTK's own analyzer now loads it with its default resource name (no absolute path needed)
    assert SentimentIntensityAnalyzer().polarity_scores("good")["compound"] > 0
    # a second call reuses the cached zip
    mtime = built.stat().st_mtime_ns
    lexicon.lexicon_source()
    assert built.stat().st_mtime_ns == mtime


def test_loader_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    monkeypatch.setattr(lexicon, "_vadersentiment_lexicon_file", lambda: None)
    with pytest.raises(MissingResourceError, match=r"pip install vaderSentiment") as info:
        lexicon.lexicon_source()
    assert "python -m nltk.downloader vader_lexicon" in str(info.value)
    assert "never downloads" in str(info.value)


def test_nltk_refuses_absolute_lexicon_paths_which_is_why_jkit_uses_a_data_dir():
    path = _vs_lexicon_file()
    with pytest.raises(Exception, match="(?i)security|not allowed|forbidden|absolute"):
        SentimentIntensityAnalyzer(lexicon_file=f"file:{path}")


def test_domain_lexicon_from_dict_and_file(tmp_path):
    text = "Item on backorder again"
    assert score_sentiment([text])["label"].iloc[0] == "neutral"
    assert score_sentiment([text], lexicon={"Backorder": -1.8})["label"].iloc[0] == "negative"
    path = tmp_path / "words.tsv"
    path.write_text("# my shop\nword\tvalence\nbackorder\t-1.8\ngreat\t-1\n", encoding="utf-8")
    assert read_lexicon(path) == {"backorder": -1.8, "great": -1.0}
    assert score_sentiment(["great"], lexicon=path)["label"].iloc[0] == "negative"  # overrides VADER
    csv = tmp_path / "words.csv"
    csv.write_text("glitchy,-1.5\n", encoding="utf-8")
    assert read_lexicon(csv) == {"glitchy": -1.5}


def test_domain_lexicon_errors_name_the_entry(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("refund\tlots\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bad.tsv: entry 1 \('refund'\): valence 'lots' is not a number"):
        read_lexicon(bad)
    with pytest.raises(DataValidationError, match="outside -4 to 4"):
        read_lexicon({"x": 9})
    with pytest.raises(DataValidationError, match="one word without spaces"):
        read_lexicon({"on hold": -1})
    with pytest.raises(MissingResourceError, match="not found"):
        read_lexicon(tmp_path / "none.tsv")


def test_cache_dir_is_not_touched_at_import(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "JKIT_CACHE_DIR": str(tmp_path / "c")}
    subprocess.run([sys.executable, "-c", "import jkit.sentiment"], check=True, env=env)
    assert not (tmp_path / "c").exists()
