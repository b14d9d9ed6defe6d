"""Exports land in NAME_files/ beside the page; the kernel gets absolute paths; nothing is written
into notebooks/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import jkit.cli
from tests.reports import fake_papermill, files_below, make_project

ROOT = Path(__file__).resolve().parents[2]
SMALL_SAMPLE = ROOT / "data" / "sample-small"


def test_every_path_the_kernel_gets_is_absolute(tmp_path, monkeypatch):
    project = make_project(tmp_path / "proj")
    calls = fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    before = files_below(project / "notebooks")
    assert jkit.cli.main(["run", "01", "--out", "reports", "--quiet"]) == 0
    params = calls[0]["parameters"]
    assert Path(params["output_dir"]).is_absolute() and Path(params["data_dir"]).is_absolute()
    assert params["data_dir"] == str(project / "data" / "sample")  # the default, made absolute
    run_dir = next(p for p in (project / "reports").iterdir() if p.name.startswith("20"))
    assert (run_dir / "01-alpha_files" / "alpha.csv").read_text() == "n\n1\n"
    assert (project / "reports" / "latest" / "01-alpha_files" / "alpha.csv").is_file()
    assert files_below(project / "notebooks") == before


@pytest.mark.slow
def test_real_exports_land_beside_the_pages_with_a_relative_out(tmp_path, kernel_available, monkeypatch):
    """The journey map's JSON/CSV and the funnel's drop-out CSV reach reports/latest/NAME_files/."""
    if not (SMALL_SAMPLE / "customers.csv").exists():
        pytest.skip("data/sample-small is missing")
    project = tmp_path / "proj"
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(SMALL_SAMPLE, project / "data" / "sample")
    monkeypatch.chdir(project)
    before = files_below(project / "notebooks")
    code = jkit.cli.main(["run", "01", "02", "--out", "reports", "--quiet"])
    run_dir = next(p for p in (project / "reports").iterdir() if p.name.startswith("20"))
    assert code == 0, (run_dir / "run.log").read_text()[-3000:]
    for name, patterns in (("01-journey-map", ("*.json", "*.csv")), ("02-stage-funnel", ("*.csv",))):
        for folder in (run_dir / f"{name}_files", project / "reports" / "latest" / f"{name}_files"):
            for pattern in patterns:
                assert list(folder.glob(pattern)), f"no {pattern} in {folder}"
    assert files_below(project / "notebooks") == before  # nothing new under notebooks/
    assert not (project / "notebooks" / "reports").exists()


def test_the_executed_notebook_shows_the_exports_folder_by_its_name(tmp_path, monkeypatch):
    project = make_project(tmp_path / "proj")
    fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    import jkit.reports

    result = jkit.reports.run(["01"], reports_dir="reports")
    text = result.reports[0].ipynb.read_text()
    assert ".run-" not in text and str(project) not in text
