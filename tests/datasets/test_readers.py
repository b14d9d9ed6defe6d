"""Reading a sample back: finding data/sample, the truth files, and the errors that say how to make them."""

from __future__ import annotations

import json

import pytest

from jkit import datasets
from jkit.errors import MissingResourceError


def test_load_sample_finds_data_sample_from_a_subfolder(tmp_path, monkeypatch):
    datasets.make_sample(n_customers=100, seed=2, out_dir=tmp_path / "data" / "sample", progress=False)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    data = datasets.load_sample()
    assert len(data.customers) == 100
    assert len(datasets.load_sample(tmp_path / "data" / "sample").events) == len(data.events)


def test_load_sample_missing_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if (tmp_path.parent / "data" / "sample").exists():  # pragma: no cover - unusual tmp layout
        pytest.skip("a data/sample above the temporary folder")
    with pytest.raises(MissingResourceError, match="run `jkit sample-data`"):
        datasets.load_sample()
    with pytest.raises(MissingResourceError, match="nowhere: no such folder; run `jkit sample-data --out"):
        datasets.load_sample(tmp_path / "nowhere")
    with pytest.raises(MissingResourceError, match="truth.json: no such file"):
        datasets.load_truth(tmp_path)


def test_truth_files_round_trip(small_sample_dir):
    truth = datasets.load_truth(small_sample_dir / "truth.json")
    assert truth == json.loads((small_sample_dir / "truth.json").read_text(encoding="utf-8"))
    personas = datasets.load_personas_truth(small_sample_dir)
    assert list(personas.columns) == ["customer_id", "persona"]
    assert personas["customer_id"].dtype == "string" and personas["persona"].dtype == "string"
    assert set(personas["persona"]) == set(truth["personas"])
