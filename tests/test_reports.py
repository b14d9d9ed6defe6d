"""Tests of jkit.reports: parameters, run configuration, layout, and real papermill runs.

The runs use tiny notebooks written here (a good one and one that raises) so that every
outcome is known in advance, plus the real notebooks of notebooks/ for their contract.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jkit.cli
from jkit.errors import MissingResourceError, ParameterError, ReportError
from jkit.personas import PersonaModel
from jkit.reports import layout
from jkit.reports.config import load_config
from jkit.reports.index import format_duration, render_index
from jkit.reports.params import Parameter, parse_parameters, read_parameters, validate_overrides
from jkit.reports.render import Scrubber, notebook_title
from jkit.reports.runner import data_fingerprint, discover, plan, run
from tests.reports import write_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SMALL_SAMPLE = ROOT / "data" / "sample-small"


# --------------------------------------------------------------------------- helpers


def make_tiny_data(folder: Path, n_customers: int = 40, seed: int = 1) -> Path:
    """A tiny valid study (customers, events, feedback) for running the real notebooks quickly."""
    import numpy as np

    from jkit.stages import load_stage_model

    rng = np.random.default_rng(seed)
    model = load_stage_model("five_stage")
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"C{i:04d}" for i in range(n_customers)]
    pd.DataFrame({"customer_id": ids, "signup_date": "2025-01-01", "region": rng.choice(["North", "South"], n_customers)}
                 ).to_csv(folder / "customers.csv", index=False)
    rows = []
    for cid in ids:
        depth = int(rng.integers(1, len(model.names) + 1))
        for s, stage in enumerate(model.names[:depth]):
            for _ in range(int(rng.integers(1, 4))):
                day = int(rng.integers(0, 90)) + s
                rows.append({"customer_id": cid,
                             "timestamp": (pd.Timestamp("2025-03-01", tz="UTC") + pd.Timedelta(days=day)).isoformat(),
                             "event": rng.choice(model[stage].events),
                             "touchpoint": rng.choice(["web", "mobile_app", "email"])})
    pd.DataFrame(rows).to_csv(folder / "events.csv", index=False)
    pd.DataFrame({"feedback_id": [f"F{i}" for i in range(5)], "customer_id": ids[:5],
                  "timestamp": "2025-04-01T10:00:00Z", "text": ["Great, thanks", "Too slow", "ok", "Fine", "Bad app"],
                  "source": "survey"}).to_csv(folder / "feedback.csv", index=False)
    return folder


def leaks(folder: Path, *needles: str) -> list[str]:
    """Files below ``folder`` whose text contains any of ``needles``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".json", ".log"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {n}" for n in needles if n and n in text]
    return found


@pytest.fixture
def project(tmp_path):
    """A project folder with notebooks/ (a good and a failing notebook) and data/."""
    nbdir = tmp_path / "proj" / "notebooks"
    write_notebook(nbdir / "01-good.ipynb",
                   'n = 3  # how many points; range: 1..10\n'
                   'label = "a"  # series label; one of: a, b, <c>\n'
                   'data_dir = "../data/sample"  # data folder',
                   ["import os\nprint('n =', n, 'label =', label, 'files =', sorted(os.listdir(data_dir)))",
                    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\n"
                    "ax.plot(range(n)); ax.set_title(f'{n} points'); plt.show()",
                    "print('data_dir is', data_dir)"],
                   title="Good report")
    write_notebook(nbdir / "02-bad.ipynb",
                   'boom = True  # raise in the second cell\ndata_dir = "../data/sample"  # data folder',
                   ["x = 1", "if boom:\n    raise ValueError('planned failure <b>here</b>')", "print('after')"],
                   title="Bad report")
    data = tmp_path / "proj" / "data" / "sample"
    data.mkdir(parents=True)
    (data / "customers.csv").write_text('customer_id,signup_date\nC1,2025-01-01\nC2,"2025-01-02"\n')
    return tmp_path / "proj"


# --------------------------------------------------------------------------- the parameters cell


def test_parse_parameters_infers_types_choices_ranges_and_help():
    params = parse_parameters(
        'window = "14D"  # funnel window: a pandas duration such as "7D"\n'
        'order = "ordered"  # one of: ordered, strict, any\n'
        "threshold = 0.05  # significance; range: 0..1\n"
        "k = 4  # clusters; range: 2..\n"
        "weeks = 4  # one of: 1, 2, 4\n"
        "redact = True  # hide personal data\n"
        "stages = ['a', 'b']  # stage names\n"
        "region: str = None  # a region, or None for all\n"
        "extra = None  # anything\n",
        notebook="nb",
    )
    assert list(params) == ["window", "order", "threshold", "k", "weeks", "redact", "stages", "region", "extra"]
    assert [p.type for p in params.values()] == ["str", "str", "float", "int", "int", "bool", "list", "str", "any"]
    assert params["window"].help == 'funnel window: a pandas duration such as "7D"'
    assert params["order"].choices == ("ordered", "strict", "any")
    assert params["weeks"].choices == (1, 2, 4)
    assert (params["threshold"].low, params["threshold"].high) == (0.0, 1.0)
    assert (params["k"].low, params["k"].high) == (2.0, None)
    assert params["region"].nullable and not params["window"].nullable
    assert params["threshold"].accepts() == "a number from 0 to 1"
    assert params["k"].accepts() == "a whole number of at least 2"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("x = 1 + 2  # sum", r"nb: parameter 'x' \(line 1\): the default must be a literal"),
        ("a = b = 1  # two", r"nb: parameters cell line 1: expected one 'name = literal  # help' assignment"),
        ("t = 2.0  # range: 0..1", r"nb: parameter 't' \(from its own default\): 2.0 is out of range; it accepts a number from 0 to 1"),
        ('m = "x"  # one of: a, b', r"nb: parameter 'm' \(from its own default\): 'x' is not allowed; it accepts one of 'a', 'b'"),
        ("def f(:", r"nb: the parameters cell is not valid Python"),
    ],
)
def test_parse_parameters_rejects_bad_cells(source, match):
    with pytest.raises(ParameterError, match=match):
        parse_parameters(source, notebook="nb")


def test_text_overrides_are_read_as_the_declared_type():
    params = parse_parameters(
        'region = "North"  # text\nn = 3  # count; range: 1..10\nalpha = 0.5  # level\nflag = False  # switch\n'
        "cols = ['a']  # columns\nopt: int = None  # optional\n",
        notebook="nb",
    )
    out = validate_overrides("nb", params, {}, text={"region": "2024", "n": "7", "alpha": "1", "flag": "yes",
                                                      "cols": "[x, y]", "opt": "None"})
    assert out == {"region": "2024", "n": 7, "alpha": 1.0, "flag": True, "cols": ["x", "y"], "opt": None}
    assert type(out["alpha"]) is float


@pytest.mark.parametrize(
    ("text", "typed", "match"),
    [
        ({"n": "1.5"}, {}, r"nb: parameter 'n' \(from command line\): '1.5' is not a whole number; it accepts a whole number from 1 to 10"),
        ({"n": "11"}, {}, r"nb: parameter 'n' \(from command line\): 11 is out of range"),
        ({"flag": "maybe"}, {}, r"'maybe' is not true or false"),
        ({}, {"region": False}, r"nb: parameter 'region': False is not text \(quote it in YAML: 'False'\); it accepts text"),
        ({}, {"n": True}, r"True is not a whole number"),
        ({}, {"alpha": "0.5"}, r"'0.5' is not a number"),
        ({"nope": "1"}, {}, r"nb: unknown parameter 'nope'; this notebook's parameters are: region, n, alpha, flag"),
    ],
)
def test_bad_overrides_name_notebook_parameter_and_what_is_accepted(text, typed, match):
    params = parse_parameters('region = "North"  # text\nn = 3  # count; range: 1..10\nalpha = 0.5  # level\n'
                              "flag = False  # switch\n", notebook="nb")
    with pytest.raises(ParameterError, match=match):
        validate_overrides("nb", params, typed, text=text)


def test_a_count_that_also_accepts_a_word():
    params = parse_parameters('k: int = "auto"  # clusters, or "auto"; range: 2..; also: auto\n', notebook="nb")
    k = params["k"]
    assert (k.type, k.default, k.also, k.nullable) == ("int", "auto", ("auto",), False)
    assert k.accepts() == "a whole number of at least 2, or 'auto'"
    assert validate_overrides("nb", params, {}, text={"k": "auto"}) == {"k": "auto"}
    assert validate_overrides("nb", params, {}, text={"k": " 5 "}) == {"k": 5}
    assert validate_overrides("nb", params, {"k": "auto"}) == {"k": "auto"}
    for text, why in (("Auto", "'Auto' is not a whole number"), ("1", "1 is out of range"), ("None", "'None' is not a whole number")):
        with pytest.raises(ParameterError, match=rf"nb: parameter 'k' \(from command line\): {why}; it accepts a whole number of at least 2, or 'auto'"):
            validate_overrides("nb", params, {}, text={"k": text})


def test_personas_report_takes_auto_or_a_count_and_a_known_model_mode():
    params = read_parameters(NOTEBOOKS / "04-personas.ipynb")
    out = validate_overrides("04-personas", params, {}, text={"n_personas": "auto", "model_mode": "load"})
    assert out == {"n_personas": "auto", "model_mode": "load"}
    assert validate_overrides("04-personas", params, {}, text={"n_personas": "4"}) == {"n_personas": 4}
    with pytest.raises(ParameterError, match=r"'refit' is not allowed; it accepts one of 'fit', 'load'"):
        validate_overrides("04-personas", params, {}, text={"model_mode": "refit"})


@settings(max_examples=60, deadline=None)
@given(low=st.integers(-50, 50), width=st.integers(0, 40), value=st.integers(-120, 120), as_text=st.booleans())
def test_integer_range_accepts_exactly_the_closed_interval(low, width, value, as_text):
    high = low + width
    params = parse_parameters(f"n = {low}  # count; range: {low}..{high}", notebook="nb")
    inside = low <= value <= high  # the reference: a closed interval
    call = (lambda: validate_overrides("nb", params, {}, text={"n": str(value)})) if as_text else (
        lambda: validate_overrides("nb", params, {"n": value}))
    if inside:
        assert call() == {"n": value}
    else:
        with pytest.raises(ParameterError, match="out of range"):
            call()


def test_read_parameters_of_a_notebook_file(tmp_path):
    path = write_notebook(tmp_path / "07-x.ipynb", 'a = 1  # first\nb = "t"  # second', [])
    params = read_parameters(path)
    assert params == {"a": Parameter("a", "int", 1, "first"), "b": Parameter("b", "str", "t", "second")}
    nb = nbformat.read(path, as_version=4)
    assert notebook_title(nb, "fallback") == "Tiny report"


# --------------------------------------------------------------------------- configuration and planning


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


def test_cli_list_prints_parameters_with_types_defaults_and_help(project, capsys):
    import shutil

    shutil.rmtree(project / "data")  # listing needs no data
    code = jkit.cli.main(["run", "--list", "--notebooks-dir", str(project / "notebooks")])
    out = capsys.readouterr().out
    assert code == 0
    assert "01-good  —  Good report" in out and "02-bad  —  Bad report" in out
    assert "    n         int    3\n              how many points; range: 1..10\n" in out
    assert "accepts one of 'a', 'b', '<c>'" in out


def test_cli_bad_parameter_exits_2_with_a_clear_message(project, capsys):
    code = jkit.cli.main(["run", "--notebooks-dir", str(project / "notebooks"), "--out", str(project / "r"),
                          "-p", "n=many"])
    assert code == 2
    assert "jkit: error: 01-good: parameter 'n' (from -p): 'many' is not a whole number" in capsys.readouterr().err


# --------------------------------------------------------------------------- layout, provenance, index, scrubbing


def test_run_folders_are_named_by_utc_time_and_never_reused(tmp_path):
    import datetime as dt

    t = dt.datetime(2026, 11, 23, 9, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    name1, tmp1 = layout.new_run_folder(tmp_path, t)
    name2, tmp2 = layout.new_run_folder(tmp_path, t)
    assert (name1, name2) == ("2026-11-23_081500", "2026-11-23_081500_2")
    assert tmp1.name == ".run-2026-11-23_081500" and tmp2.is_dir()
    for name, tmp in ((name1, tmp1), (name2, tmp2)):
        (tmp / "run.json").write_text("{}")
        layout.publish_run(tmp, tmp_path, name)
    assert [p.name for p in layout.run_folders(tmp_path)] == ["2026-11-23_081500_2", "2026-11-23_081500"]
    assert layout.prune_runs(tmp_path, 1) == ["2026-11-23_081500"]
    with pytest.raises(ParameterError, match="keep=0 should be a whole number of at least 1"):
        layout.prune_runs(tmp_path, 0)


def test_lock_keeps_a_second_run_out_and_cleans_crashed_runs(tmp_path):
    (tmp_path / ".run-2026-01-01_000000").mkdir()  # left by a crash
    (tmp_path / ".latest-old").mkdir()  # a swap interrupted between its two renames
    (tmp_path / ".latest-old" / "a.html").write_text("good")
    with layout.RunLock(tmp_path):
        assert not (tmp_path / ".run-2026-01-01_000000").exists()
        assert (tmp_path / "latest" / "a.html").read_text() == "good"
        with pytest.raises(ReportError, match="another `jkit run` is writing reports here"), layout.RunLock(tmp_path):
            pass
    with layout.RunLock(tmp_path):  # released on exit
        pass


def test_write_text_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "index.html"
    layout.write_text_atomic(target, "one")
    layout.write_text_atomic(target, "two")
    assert target.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_data_fingerprint_counts_records_not_lines(tmp_path):
    (tmp_path / "customers.csv").write_text('customer_id,note\nC1,"two\nlines"\nC2,x\n')
    pd.DataFrame({"a": range(7)}).to_parquet(tmp_path / "events.parquet")
    (tmp_path / "stages.yaml").write_text("name: x\n")
    fp = {f["table"]: f for f in data_fingerprint(tmp_path)}
    assert fp["customers"]["rows"] == len(pd.read_csv(tmp_path / "customers.csv")) == 2
    assert fp["events"]["rows"] == 7 and fp["stages"]["rows"] is None and "feedback" not in fp
    digest = hashlib.sha256(b"customers.csv" + (tmp_path / "customers.csv").read_bytes()).hexdigest()
    assert fp["customers"]["sha256"] == digest


def test_index_escapes_everything_from_data_and_parameters():
    page = render_index(
        [{"name": "x", "title": "<script>alert(1)</script>", "status": "failed", "started": "2026-11-23T08:15:00+00:00",
          "duration": 75.2, "parameters": {"q": "<img src=x onerror=alert(2)>"}, "data": "d&d",
          "href": None, "failure_href": "x.failed.html", "error": "ValueError: <b>bad</b>"}],
        run={"name": "r", "started": "2026-11-23T08:15:00+00:00", "duration": 80,
             "data": {"d&d": [{"name": "<e>.csv", "rows": 1234, "sha256": "ab" * 32}]}},
    )
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bad" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;e&gt;.csv" in page and "1,234 rows" in page
    assert "1 reports · 0 ok · 1 failed" in page and "2026-11-23 08:15:00 UTC" in page and "1 min 15 s" in page
    assert format_duration(3.04) == "3.0 s" and format_duration(3725) == "1 h 2 min"


def test_scrubber_replaces_local_paths_longest_first():
    s = Scrubber({"/srv/proj/data/sample": "data/sample", "/srv/proj": "."})
    assert s.text("read /srv/proj/data/sample/x.csv and /srv/proj/notebooks") == "read data/sample/x.csv and ./notebooks"
    assert s.text(f"{sys.prefix}/lib/site.py") == "<env>/lib/site.py"
    assert s.text("File /home/alice/x.py, /Users/bob/y") == "File ~/x.py, ~/y"


# --------------------------------------------------------------------------- real runs (kernel "jkit")


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


# --------------------------------------------------------------------------- the real notebooks


REAL = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_notebooks_follow_the_report_contract(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "jkit", "kernelspec must name the 'jkit' kernel"
    assert nb.cells[0].cell_type == "markdown" and notebook_title(nb, "") != "", "first cell: a markdown title"
    params = read_parameters(path)
    assert params.get("data_dir") and params["data_dir"].default == "../data/sample"
    assert all(p.help for p in params.values()), "every parameter documented by a comment on its line"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit notebooks with outputs stripped"


def test_discover_finds_the_real_notebooks_in_name_order():
    found = discover(NOTEBOOKS)
    assert [p.name for p in found] == sorted(p.name for p in found)
    assert "05-data-overview.ipynb" in [p.name for p in found]


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


def test_scrubber_replaces_paths_as_html_urls_and_json_write_them():
    """Issue 16.7: a folder named 'R&D study' slipped past the scrubber as 'R&amp;D study'."""
    import html as html_lib
    import json as json_lib
    import urllib.parse

    folder = "/home/alice/R&D study/it's <here>"
    s = Scrubber({folder: "data"})
    for written in (folder, html_lib.escape(folder), html_lib.escape(folder, quote=False),
                    urllib.parse.quote(folder), json_lib.dumps(folder)[1:-1]):
        out = s.text(f"read {written}/customers.csv")
        assert out == "read data/customers.csv", written
        assert "alice" not in out


@pytest.mark.slow
def test_a_data_folder_whose_name_html_escapes_never_shows_its_absolute_path(tmp_path, kernel_available):
    data = make_tiny_data(tmp_path / "R&D study")
    result = run(["05"], notebooks_dir=NOTEBOOKS, reports_dir=tmp_path / "reports", data=data)
    assert result.ok, result.summary()
    assert not leaks(tmp_path / "reports", str(tmp_path), str(tmp_path).replace("&", "&amp;"), "R&amp;D study/")


def test_scrubber_writes_the_shown_form_as_the_path_was_written():
    """An HTML-escaped path is replaced by the HTML-escaped shown form, never by raw markup."""
    import html as html_lib

    folder = "/srv/x/R&D <img src=x onerror=alert(1)>"
    s = Scrubber({folder: "R&D <img src=x onerror=alert(1)>"})
    page = s.text(f"data_dir = {html_lib.escape(folder)}/customers.csv")
    assert "<img" not in page and "R&amp;D &lt;img" in page and "/srv/x" not in page
    rtl = "/srv/x/R&D \u202eevil"  # repr() writes U+202E as \u202e: the Python-literal form is known too
    assert "/srv/x" not in Scrubber({rtl: "data"}).text(f"data_dir = {rtl!r}")
