"""The ``jkit`` command: ``jkit sample-data``."""

from __future__ import annotations

import warnings

from jkit import datasets


def test_cli_sample_data_writes_the_folder(tmp_path, capsys):
    from jkit.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["sample-data", "--out", str(tmp_path / "cli"), "--customers", "150", "--quiet"]) == 0
    assert datasets.load_truth(tmp_path / "cli")["n_customers"] == 150
    assert capsys.readouterr().out == ""


def test_cli_sample_data_small_regenerates_the_committed_sample(tmp_path, small_sample_dir):
    from jkit.cli import main

    assert main(["sample-data", "--small", "--out", str(tmp_path / "small"), "--customers", "7", "--quiet"]) == 0
    for name in ("customers.csv", "feedback.csv", "personas_truth.csv", "stages.yaml", "truth.json"):
        assert (tmp_path / "small" / name).read_bytes() == (small_sample_dir / name).read_bytes(), name
    assert datasets.small_sample_dir() == small_sample_dir
