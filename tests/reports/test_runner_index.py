"""The index lists the newest good page of every report, says when each was made, and never links
to a deleted run."""

from __future__ import annotations

import json
import re

import pytest

from jkit.reports import layout
from jkit.reports.runner import run
from tests.reports import fake_papermill, make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "proj")
    (root / "data" / "sample" / "feedback.csv").write_text("feedback_id,text\nF1,hi\n")
    fake_papermill(monkeypatch)
    monkeypatch.chdir(root)
    return root


def latest_names(project):
    return sorted(p.name for p in (project / "reports" / "latest").iterdir())


def test_one_report_after_a_full_run_keeps_every_report(project):
    full = run(reports_dir="reports")
    assert [r.status for r in full.reports] == ["ok", "ok", "ok"]
    names = latest_names(project)
    assert "03-gamma.html" in names and "01-alpha_files" in names
    partial = run(["01"], reports_dir="reports", parameter_strings=["n=7"])
    assert [r.name for r in partial.reports] == ["01-alpha"]
    assert latest_names(project) == names  # every report still in latest/
    index = (project / "reports" / "index.html").read_text()
    for name in ("01-alpha", "02-beta", "03-gamma"):
        assert f"href='latest/{name}.html'" in index
    assert f"not in run {partial.name}: the page made in run {full.name}" in index
    latest = json.loads((project / "reports" / "latest" / "run.json").read_text())
    assert [(e["name"], e["from_run"]) for e in latest["reports"]] == [
        ("01-alpha", partial.name), ("02-beta", full.name), ("03-gamma", full.name)]
    assert (project / "reports" / "latest" / "01-alpha_files" / "alpha.csv").read_text() == "n\n7\n"
    made = re.findall(r"<td class='num'>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)</td>", index)
    assert len(made) == 3  # when each page was made
    assert (project / "reports" / "latest" / "index.html").read_text().count("href='02-beta.html'") == 2


def test_a_failure_keeps_the_good_page_and_links_what_failed(project):
    good = run(["02"], reports_dir="reports")
    page = (project / "reports" / "latest" / "02-beta.html").read_text()
    bad = run(["02"], reports_dir="reports", parameter_strings=["boom=true"])
    assert bad.exit_code == 1
    assert (project / "reports" / "latest" / "02-beta.html").read_text() == page
    index = (project / "reports" / "index.html").read_text()
    assert f"href='{bad.name}/02-beta.failed.html'" in index
    assert f"failed in run {bad.name}; showing the last good report from run {good.name}" in index
    later = run(["01"], reports_dir="reports")  # the failure is still told after a partial run
    index = (project / "reports" / "index.html").read_text()
    assert "href='latest/02-beta.html'" in index and f"href='{bad.name}/02-beta.failed.html'" in index
    assert later.ok


def test_keep_rewrites_the_index_without_links_to_deleted_runs(project):
    run(["02"], reports_dir="reports", parameter_strings=["boom=true"])  # fails, no good page yet
    for _ in range(3):
        last = run(["01"], reports_dir="reports", keep=2)
    kept = {p.name for p in layout.run_folders(project / "reports")}
    assert len(kept) == 2 and last.name in kept
    for page in (project / "reports" / "index.html", project / "reports" / "latest" / "index.html"):
        text = page.read_text()
        hrefs = re.findall(r"href='([^']+)'", text)
        runs = {h.split("/")[-2] for h in hrefs if re.match(r"(\.\./)?20\d\d-", h)}
        assert runs <= kept, (page, runs - kept)
        for h in hrefs:
            assert (page.parent / h).exists(), (page, h)
    # the old failure is still told, without its (deleted) page
    assert "02-beta" in (project / "reports" / "index.html").read_text()


@pytest.mark.slow
def test_with_a_real_kernel_one_report_after_a_full_run_keeps_every_report(tmp_path, monkeypatch):
    import jkit.cli
    from jkit.errors import MissingResourceError
    from jkit.reports.execute import check_kernel

    try:
        check_kernel("jkit")
    except MissingResourceError as exc:
        pytest.skip(str(exc))
    root = make_project(tmp_path / "real")
    monkeypatch.chdir(root)
    assert jkit.cli.main(["run", "--out", "reports", "--quiet"]) == 0  # 03 skips itself: no feedback
    assert jkit.cli.main(["run", "01", "--out", "reports", "--quiet", "-p", "n=3"]) == 0
    index = (root / "reports" / "index.html").read_text()
    assert "href='latest/01-alpha.html'" in index and "href='latest/02-beta.html'" in index
    assert "skipped: needs feedback text: the study has none" in index
    assert (root / "reports" / "latest" / "01-alpha_files" / "alpha.csv").read_text() == "n\n3\n"
    assert {"01-alpha.html", "02-beta.html"} <= {p.name for p in (root / "reports" / "latest").iterdir()}
