"""Run configuration files (jkit.reports.config): expansion, key checks, the example configuration.
"""

from __future__ import annotations

import pytest

from jkit.errors import MissingResourceError, ParameterError
from jkit.reports.config import load_config
from jkit.reports.runner import discover, plan
from tests.reports.kernel_runs import NOTEBOOKS, ROOT, make_tiny_data


def test_config_expands_each_and_checks_keys(tmp_path):
    cfg = tmp_path / "r.yaml"
    cfg.write_text("data: d\nparameters: {n: 2}\nreports:\n  - 1\n  - notebook: 02-bad\n    name: per-region\n"
                   "    parameters: {boom: false}\n    each: {region: [North, South West]}\n")
    config = load_config(cfg)
    assert config.data == "d" and config.parameters == {"n": 2}
    assert [(e.notebook, e.variant) for e in config.reports] == [
        ("01", {}), ("02-bad", {"region": "North"}), ("02-bad", {"region": "South West"})]
    assert config.reports[2].parameters == {"boom": False, "region": "South West"}
    cfg.write_text("reprots: []\n")
    with pytest.raises(ParameterError, match=r"r.yaml: unknown key 'reprots'; a run configuration accepts data, "):
        load_config(cfg)
    cfg.write_text("reports:\n  - notebook: 01\n    params: {}\n")
    with pytest.raises(ParameterError, match=r"r.yaml: reports\[0\]: unknown key 'params'"):
        load_config(cfg)
    with pytest.raises(MissingResourceError, match="nope.yaml: no such run configuration file"):
        load_config(tmp_path / "nope.yaml")


def test_example_run_config_is_valid_for_the_real_notebooks(tmp_path):
    example = ROOT / "reports.example.yaml"
    config = load_config(example)
    needed = {e.notebook for e in config.reports}
    present = {p.stem for p in discover(NOTEBOOKS)}
    if not needed <= present:
        pytest.skip(f"notebooks not written yet: {sorted(needed - present)}")
    data = make_tiny_data(tmp_path / "data")  # the example's data/sample may not exist yet
    planned = plan(notebooks_dir=NOTEBOOKS, config=example, data=data)
    names = [p.name for p in planned]
    assert names == ["01-journey-map", "journey-map-seven_stage", "journey-map-ten_step", "05-data-overview"]
    assert planned[1].values["stages"] == "seven_stage" and planned[1].values["window"] == "60D"
    assert planned[1].title == "Customer journey map by stage model — stages=seven_stage"
    assert all(p.values.get("top_n", 3) == 3 for p in planned) and planned[3].values == {
        "data_dir": str(data), "period": "month"}
