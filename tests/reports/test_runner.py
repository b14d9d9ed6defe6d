"""Real runs (jkit.reports.runner, kernel "jkit"): success then failure, fail-fast, crashes, hostile
values, the real notebooks on small data, exports beside a report.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import sys

import nbformat
import pandas as pd
import pytest

import jkit.cli
from jkit.errors import MissingResourceError, ParameterError
from jkit.personas import PersonaModel
from jkit.reports import layout
from jkit.reports.runner import run
from tests.reports import kernel_runs, write_notebook
from tests.reports.kernel_runs import NOTEBOOKS, ROOT, SMALL_SAMPLE, leaks, make_tiny_data

project = kernel_runs.project  # the real-papermill project, not the fake one of tests/reports/conftest.py


def test_bad_parameters_fail_before_any_kernel_starts(project, monkeypatch):
    import papermill

    calls = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append(a))
    reports = project / "reports"
    for kwargs, error in [
        ({"parameter_strings": ["n=0"]}, "01-good: parameter 'n' \\(from -p\\): 0 is out of range"),
        ({"parameter_strings": ["label=z"]}, "01-good: parameter 'label' \\(from -p\\): 'z' is not allowed; "
                                             "it accepts one of 'a', 'b', '<c>'"),
        ({"parameters": {"boom": "yes"}}, "02-bad: parameter 'boom' \\(from parameters\\): 'yes' is not true or false"),
    ]:
        with pytest.raises(ParameterError, match=error):
            run(notebooks_dir=project / "notebooks", reports_dir=reports, **kwargs)
    assert calls == []
    assert not reports.exists() or not any(reports.iterdir())


def test_missing_kernel_says_how_to_install_it(project, monkeypatch):
    import papermill

    calls = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append(a))
    with pytest.raises(MissingResourceError, match=r"kernel 'no-such-kernel' .* is not installed; install it with "
                                                   r"`make setup`, or with `.venv/bin/python -m ipykernel install"):
        run(notebooks_dir=project / "notebooks", reports_dir=project / "reports", kernel="no-such-kernel")
    assert calls == []


@pytest.mark.slow
def test_success_then_failure_keeps_the_good_report_and_exits_1(project, kernel_available, monkeypatch, capsys):
    monkeypatch.chdir(project)
    # 1) everything succeeds
    first = run(notebooks_dir="notebooks", reports_dir="reports", data="data/sample",
                parameter_strings=["boom=false", "n=4"])
    assert first.exit_code == 0 and [r.status for r in first.reports] == ["ok", "ok"]
    reports = project / "reports"
    assert first.run_dir.resolve().parent == reports and first.run_dir.name.startswith("20")
    good_html = (reports / "latest" / "02-bad.html").read_text()
    assert sorted(p.name for p in (reports / "latest").iterdir()) == [
        "01-good.html", "01-good.ipynb", "02-bad.html", "02-bad.ipynb", "index.html", "run.json"]
    page = (reports / "latest" / "01-good.html").read_text()
    assert "n = 4 label = a files = [&#x27;customers.csv&#x27;]" in page or "n = 4 label = a files = ['customers.csv']" in page
    assert "<title>Good report</title>" in page
    assert "data:image/png;base64," in page  # the figure is embedded
    assert "cdnjs" not in page and "<script src=" not in page  # opens offline
    assert "print(&#x27;n =&#x27;" not in page and "print('n ='" not in page  # no code by default
    assert "data_dir is data/sample" in page  # the kernel got an absolute path, the reader sees this

    # 2) the bad notebook fails through the CLI: exit 1, one line per failure, previous good report kept
    code = jkit.cli.main(["run", "--notebooks-dir", "notebooks", "--out", "reports", "--quiet", "-p", "n=2"])
    err = capsys.readouterr().err
    assert code == 1
    runs = layout.run_folders(reports)
    second = runs[0]
    assert len(runs) == 2 and second != first.run_dir
    failure_line = [line for line in err.splitlines() if line.startswith("FAILED")]
    # In [4]: papermill injects a parameters cell in every run now (data_dir always goes in absolute)
    assert failure_line == [f"FAILED 02-bad: ValueError: planned failure <b>here</b> (cell In [4]) -- see "
                            f"reports/{second.name}/02-bad.failed.html"]
    assert (reports / "latest" / "02-bad.html").read_text() == good_html  # not replaced by the broken one
    assert (reports / "latest" / "01-good.html").read_text() != page  # the good one was refreshed (n=2)
    failed_page = (second / "02-bad.failed.html").read_text()
    assert "This report failed in cell <code>In [4]</code>" in failed_page
    assert "planned failure &lt;b&gt;here&lt;/b&gt;" in failed_page and "<b>here</b>" not in failed_page
    assert "raise" in failed_page  # the failing cell's code is shown
    executed = nbformat.read(second / "02-bad.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in executed.cells for o in c.get("outputs", []))
    manifest = json.loads((second / "run.json").read_text())
    assert manifest["status"] == "failed"
    assert [(r["name"], r["status"], r["cell"]) for r in manifest["reports"]] == [("01-good", "ok", None),
                                                                                  ("02-bad", "failed", 4)]
    assert manifest["data"]["data/sample"][0]["rows"] == 2

    index = (reports / "index.html").read_text()
    assert f"href='{second.name}/02-bad.failed.html'" in index
    assert "href='latest/02-bad.html'" in index and f"showing the last good report from run {first.name}" in index
    assert "href='latest/01-good.html'" in index and "<li><code>n</code> = <code>2</code></li>" in index
    assert "customers.csv" in index and "2 rows" in index
    latest_manifest = json.loads((reports / "latest" / "run.json").read_text())
    assert [(r["name"], r["from_run"]) for r in latest_manifest["reports"]] == [("01-good", second.name),
                                                                                ("02-bad", first.name)]
    lines = err.splitlines()  # --quiet: no progress, no kernel noise; the run line and one line per failure
    assert len(lines) == 2 and lines[1] == failure_line[0]
    assert lines[0].startswith(f"jkit run {second.name}: 1 of 2 reports ok, 1 failed in ")
    assert "02-bad: failed in" in (second / "run.log").read_text()
    assert not leaks(reports, str(project), str(project.parent), os.path.expanduser("~") + "/", sys.prefix)


def test_fail_fast_skips_the_rest_and_config_sets_order(project, kernel_available, monkeypatch):
    monkeypatch.chdir(project)
    (project / "r.yaml").write_text("reports: [02-bad, 01-good]\nshow_code: true\n")
    result = run(config="r.yaml", notebooks_dir="notebooks", reports_dir="out", fail_fast=True)
    assert [(r.name, r.status) for r in result.reports] == [("02-bad", "failed"), ("01-good", "skipped")]
    assert result.exit_code == 1 and not (project / "out" / "latest" / "02-bad.html").exists()
    index = (project / "out" / "index.html").read_text()
    assert "skipped" in index and "not run: an earlier report failed (--fail-fast)" in index


def test_a_crash_mid_run_leaves_published_reports_alone(project, monkeypatch):
    import papermill

    monkeypatch.chdir(project)
    latest = project / "reports" / "latest"
    latest.mkdir(parents=True)
    (latest / "01-good.html").write_text("the good report")
    (project / "reports" / "index.html").write_text("the good index")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", crash)
    monkeypatch.setattr("jkit.reports.execute.check_kernel", lambda name: None)
    with pytest.raises(KeyboardInterrupt):
        run(["01"], notebooks_dir="notebooks", reports_dir="reports")
    assert [p.name for p in latest.iterdir()] == ["01-good.html"]
    assert (latest / "01-good.html").read_text() == "the good report"
    assert (project / "reports" / "index.html").read_text() == "the good index"
    assert layout.run_folders(project / "reports") == []
    with layout.RunLock(project / "reports"):  # the next run clears the crashed run's temporary folder
        assert sorted(p.name for p in (project / "reports").iterdir()) == [".jkit-run.lock", "index.html", "latest"]


def test_hostile_parameter_values_are_escaped_everywhere(project, kernel_available, monkeypatch):
    monkeypatch.chdir(project)
    write_notebook(project / "notebooks" / "03-echo.ipynb", 'note = "hello"  # any text',
                   ["from jkit.notebook import show_header\nshow_header('Echo', params={'note': note})"], title="Echo")
    hostile = "<script>window.__pwned=1</script>"
    result = run(["03"], notebooks_dir="notebooks", reports_dir="reports", parameter_strings=[f"note={hostile}"],
                 show_code=True)
    assert result.ok
    assert "show_header" in result.reports[0].html.read_text()  # --show-code keeps the code cells
    for page in (result.reports[0].html, project / "reports" / "index.html"):
        text = page.read_text()
        assert hostile not in text and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text


@pytest.mark.slow
def test_data_overview_renders_on_tiny_data(tmp_path, kernel_available):
    data = SMALL_SAMPLE if (SMALL_SAMPLE / "customers.csv").exists() else make_tiny_data(tmp_path / "tiny")
    result = run(["05"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "reports", data=data,
                 parameter_strings=["period=month"])
    assert result.ok, result.summary()
    page = result.reports[0].html.read_text()
    customers = len(pd.read_csv(next(data.glob("customers.*"))))
    assert f"{customers:,}" in page and "Stage reach" in page and "Events per touchpoint over time" in page
    assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", page)) == 2  # both figures embedded
    assert "How to read this" in page
    with open(next(data.glob("customers.csv"))) as fh:
        assert sum(1 for _ in csv.reader(fh)) - 1 == customers
    assert not leaks(tmp_path / "reports", str(ROOT), str(tmp_path), sys.prefix)


@pytest.mark.slow
def test_personas_report_fits_saves_then_assigns_nightly(tmp_path, kernel_available):
    """The nightly flow: fit and save the personas once, then later runs load them and assign."""
    model_path = tmp_path / "models" / "personas.joblib"
    common = [f"model_path={model_path}", "n_bootstrap=2", "score_feedback=False"]
    first = run(["04"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "fit", data=SMALL_SAMPLE,
                parameter_strings=[*common, "model_mode=fit"])
    assert first.ok, first.summary()
    assert model_path.is_file()
    fitted = PersonaModel.load(model_path)
    later = run(["04"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "nightly", data=SMALL_SAMPLE,
                parameter_strings=[*common, "model_mode=load"])
    assert later.ok, later.summary()
    page = html.unescape(later.reports[0].html.read_text())
    # the loaded personas, by name, with their shares over time
    assert all(name in page for name in fitted.names_.values())
    assert "Persona shares over time" in page
    assert not leaks(tmp_path / "nightly", str(ROOT), sys.prefix)


def test_output_dir_parameter_gets_a_files_folder_beside_the_report(tmp_path):
    """A notebook declaring output_dir exports into NAME_files/, which also lands in latest/."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from jkit import reports

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    nb = new_notebook(cells=[
        new_markdown_cell("# Exporter"),
        new_code_cell('output_dir = ""  # folder for exports; empty: none', metadata={"tags": ["parameters"]}),
        new_code_cell('from pathlib import Path\nif output_dir:\n    (Path(output_dir) / "table.csv").write_text("a,b\\n1,2\\n")'),
    ], metadata={"kernelspec": {"name": "jkit", "display_name": "Python (jkit)", "language": "python"}})
    nbformat.write(nb, nbs / "01-exporter.ipynb")
    result = reports.run(notebooks_dir=nbs, reports_dir=tmp_path / "reports", quiet=True)
    assert result.exit_code == 0
    report = result.reports[0]
    assert report.files == result.run_dir / "01-exporter_files"
    assert (report.files / "table.csv").read_text() == "a,b\n1,2\n"
    assert (tmp_path / "reports" / "latest" / "01-exporter_files" / "table.csv").is_file()
    assert report.parameters["output_dir"] == "01-exporter_files"


@pytest.mark.slow
def test_a_data_folder_whose_name_html_escapes_never_shows_its_absolute_path(tmp_path, kernel_available):
    data = make_tiny_data(tmp_path / "R&D study")
    result = run(["05"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "reports", data=data)
    assert result.ok, result.summary()
    assert not leaks(tmp_path / "reports", str(tmp_path), str(tmp_path).replace("&", "&amp;"), "R&amp;D study/")
