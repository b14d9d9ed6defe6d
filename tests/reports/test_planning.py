"""Planning a run (jkit.reports.planning): precedence of overrides, data paths, unknown parameters,
discovering the notebooks.
"""

from __future__ import annotations

import pytest

from jkit.errors import MissingResourceError, ParameterError
from jkit.reports.runner import discover, plan
from tests.reports import kernel_runs
from tests.reports.kernel_runs import NOTEBOOKS

project = kernel_runs.project  # the real-papermill project, not the fake one of tests/reports/conftest.py


def test_overrides_precedence_default_config_report_cli(project, monkeypatch):
    monkeypatch.chdir(project)
    cfg = project / "reports.yaml"
    cfg.write_text("parameters: {n: 5, label: b}\nreports:\n  - notebook: 01-good\n    parameters: {n: 6}\n"
                   "  - notebook: 01-good\n    name: good-cli\n  - notebook: 02-bad\n")
    planned = plan(notebooks_dir="notebooks", config=cfg, parameter_strings=["label=a"])
    by_name = {p.name: p for p in planned}
    assert list(by_name) == ["01-good", "good-cli", "02-bad"]
    assert by_name["01-good"].values == {"n": 6, "label": "a"}  # report beats global, CLI beats both
    assert by_name["good-cli"].values == {"n": 5, "label": "a"}
    assert by_name["02-bad"].values == {}  # the global n/label do not apply to a notebook without them
    assert by_name["02-bad"].shown == {"boom": True, "data_dir": "data/sample"}
    planned = plan(notebooks_dir="notebooks", config=cfg, parameter_strings=["n=9"])
    assert [p.values.get("n") for p in planned] == [9, 9, None]


def test_data_is_absolute_for_the_kernel_but_shown_relative(project, monkeypatch):
    monkeypatch.chdir(project)
    planned = plan(["01"], notebooks_dir="notebooks", data="data/sample")
    assert planned[0].values["data_dir"] == str(project / "data" / "sample")
    assert planned[0].shown["data_dir"] == "data/sample"
    with pytest.raises(MissingResourceError, match=r"01-good: data_dir 'data/nowhere' \(from --data\) is not a folder"):
        plan(["01"], notebooks_dir="notebooks", data="data/nowhere")


def test_unknown_parameter_for_every_selected_notebook_is_an_error(project):
    with pytest.raises(ParameterError, match=r"unknown parameter 'windw': none of the selected notebooks has it; "
                                             r"their parameters are 01-good: n, label, data_dir; 02-bad: boom, data_dir"):
        plan(notebooks_dir=project / "notebooks", parameter_strings=["windw=7D"])
    with pytest.raises(ParameterError, match=r"-p 'n': expected NAME=VALUE"):
        plan(notebooks_dir=project / "notebooks", parameter_strings=["n"])
    with pytest.raises(ParameterError, match=r"no notebook matches '09'; the notebooks are: 01-good, 02-bad"):
        plan(["09"], notebooks_dir=project / "notebooks")


def test_discover_finds_the_real_notebooks_in_name_order():
    found = discover(NOTEBOOKS)
    assert [p.name for p in found] == sorted(p.name for p in found)
    assert "05-data-overview.ipynb" in [p.name for p in found]
