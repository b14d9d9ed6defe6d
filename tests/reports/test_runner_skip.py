"""A report whose study lacks what it needs is *skipped* with its reason, never failed."""

from __future__ import annotations

import json

import pytest

import jkit.cli
from jkit.reports.runner import run
from tests.reports import fake_papermill, make_project, write_notebook


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj")


def test_a_real_kernel_skip_is_recorded_with_its_reason_and_exit_0(project, kernel_available, monkeypatch, capsys):
    monkeypatch.chdir(project)
    write_notebook(project / "notebooks" / "04-needs.ipynb", 'data_dir = "../data/sample"  # data folder',
                   ["from jkit.notebook import skip_report\nskip_report('needs feedback text')",
                    "print('never here')"], title="Needs feedback")
    code = jkit.cli.main(["run", "04", "02", "--out", "reports", "--quiet"])
    assert code == 0 and capsys.readouterr().err == ""  # a skip is not a failure: nothing on stderr
    reports = project / "reports"
    run_dir = next(p for p in reports.iterdir() if p.name.startswith("20"))
    manifest = json.loads((run_dir / "run.json").read_text())
    rows = {r["name"]: r for r in manifest["reports"]}
    assert manifest["status"] == "ok"
    assert rows["04-needs"]["status"] == "skipped" and rows["04-needs"]["reason"] == "needs feedback text"
    assert rows["04-needs"]["error"] == "" and rows["04-needs"]["html"] is None
    assert rows["02-beta"]["status"] == "ok"
    assert not list(run_dir.glob("04-needs*.html"))  # no failure page
    index = (reports / "index.html").read_text()
    assert "skipped: needs feedback text" in index and "what failed" not in index
    assert "<span class='status skipped'>skipped</span>" in index


def test_a_skip_keeps_the_earlier_good_page(project, monkeypatch):
    fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    (project / "data" / "sample" / "feedback.csv").write_text("feedback_id,text\nF1,hi\n")
    first = run(["03"], reports_dir="reports")
    assert [r.status for r in first.reports] == ["ok"]
    good = (project / "reports" / "latest" / "03-gamma.html").read_text()
    (project / "data" / "sample" / "feedback.csv").unlink()
    second = run(["03"], reports_dir="reports")
    assert [(r.status, r.reason) for r in second.reports] == [("skipped", "needs feedback text: the study has none")]
    assert second.exit_code == 0 and second.ok
    assert "1 skipped" in second.summary() and second.skip_lines() == [
        "skipped 03-gamma: needs feedback text: the study has none"]
    assert (project / "reports" / "latest" / "03-gamma.html").read_text() == good
    index = (project / "reports" / "index.html").read_text()
    assert "href='latest/03-gamma.html'" in index
    assert f"skipped in run {second.name}; showing the last good report from run {first.name}" in index
    latest = json.loads((project / "reports" / "latest" / "run.json").read_text())
    entry = latest["reports"][0]
    assert entry["from_run"] == first.name and entry["last_attempt"]["status"] == "skipped"
    assert entry["last_attempt"]["reason"] == "needs feedback text: the study has none"


def test_fail_fast_skips_the_rest_with_a_reason(project, monkeypatch):
    fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    result = run(["02", "01"], reports_dir="reports", fail_fast=True, parameter_strings=["boom=true"])
    assert [(r.name, r.status) for r in result.reports] == [("02-beta", "failed"), ("01-alpha", "skipped")]
    assert result.reports[1].reason == "not run: an earlier report failed (--fail-fast)"
    assert result.exit_code == 1
    manifest = json.loads((result.run_dir / "run.json").read_text())
    assert manifest["reports"][1]["reason"] == "not run: an earlier report failed (--fail-fast)"
