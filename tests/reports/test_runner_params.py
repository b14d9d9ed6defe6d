"""Rule words for free-text parameters, checked before any kernel starts; a study file as --data."""

from __future__ import annotations

import pandas as pd
import pytest

import jkit.cli
from jkit.errors import MissingResourceError, ParameterError
from jkit.reports.params import parse_parameters, validate_overrides
from jkit.reports.planning import plan
from jkit.reports.provenance import data_fingerprint
from jkit.reports.runner import run
from tests.reports import fake_papermill, make_project, write_notebook

CELL = (
    'window = "90D"  # funnel window; a duration\n'
    'period_cut = ""  # splits the periods; a date; empty: the middle of the data\n'
    'lanes = "reach,actions"  # lanes of the map; list of: reach, actions, touchpoints, emotion\n'
    'breakdowns = "persona,touchpoint"  # breakdown columns; names\n'
    'text_col = "text"  # feedback column; a name\n'
    'stages = ""  # stage model; a stage model; empty: the study\'s\n'
    'personas = "fitted"  # persona source; also: fitted, truth; a name or path\n'
    'model_path = ""  # saved personas; a path; empty: not saved\n'
    'lexicon_file = ""  # domain lexicon; an existing path; empty: none\n'
    'assume_tz = "UTC"  # zone of naive times; a time zone\n'
    'events: list = ["purchase"]  # conversion events; names\n'
)


@pytest.fixture
def params():
    return parse_parameters(CELL, notebook="nb")


def test_rule_words_are_read_from_the_comments(params):
    kinds = {n: p.kind for n, p in params.items()}
    assert kinds == {"window": "duration", "period_cut": "date", "lanes": "list_of", "breakdowns": "names",
                     "text_col": "name", "stages": "stage_model", "personas": "name_or_path", "model_path": "path",
                     "lexicon_file": "existing_path", "assume_tz": "timezone", "events": "names"}
    assert params["lanes"].items == ("reach", "actions", "touchpoints", "emotion")
    assert params["window"].accepts() == "a duration with a unit, such as '90D', '14 days', '12h' or '30min'"
    assert params["period_cut"].accepts().endswith(", or empty")
    assert parse_parameters('x = "a"  # a name such as text; one of: a, b', notebook="nb")["x"].choices == ("a", "b")
    assert parse_parameters('d = "x"  # not a rule: names are free here', notebook="nb")["d"].kind is None


@pytest.mark.parametrize(("name", "good"), [
    ("window", ["14D", "14 days", "12h", "30min", "1.5h", "2W", "1D12h"]),
    ("period_cut", ["", "2025-07-01", "2025-07-01T12:00", "2025-07-01 12:00:00+02:00", "2025-07-01T00:00:00Z"]),
    ("lanes", ["reach", "reach, emotion", "touchpoints,actions"]),
    # column names as real exports spell them (Mall_Customers.csv: "Spending Score (1-100)", "Annual Income (k$)")
    ("breakdowns", ["persona", "persona, touchpoint", "Event Type,region_2", "Spending Score (1-100),Annual Income (k$)",
                    "Q3 [NPS]", "Revenue ($)", "share %"]),
    ("text_col", ["text", "review text", "body.en", "Review Text (EN)"]),
    ("stages", ["", "five_stage", "my/stages.yaml"]),
    ("personas", ["fitted", "truth", "segment"]),
    ("assume_tz", ["UTC", "Europe/Berlin", "+02:00"]),
])
def test_good_values_pass(params, name, good):
    for text in good:
        assert validate_overrides("nb", params, {}, text={name: text})[name] == text


@pytest.mark.parametrize(("name", "text", "why"), [
    ("window", "90", "'90' is not a duration (a number and a unit)"),
    ("window", "ninety days", "'ninety days' is not a duration"),
    ("window", "0D", "'0D' is not a positive duration"),
    ("window", "3M", "'3M' is not a duration"),
    ("window", "", "the empty text is not accepted"),
    ("period_cut", "July 2025", "'July 2025' is not a date"),
    ("period_cut", "2025-02-30", "'2025-02-30' is not a real date"),
    ("lanes", "reach,pains", "'reach,pains' holds 'pains', which is not allowed"),
    ("lanes", "reach,,emotion", "'reach,,emotion' has an empty item between commas"),
    ("breakdowns", "persona,,x", "'persona,,x' has an empty name between commas"),
    ("breakdowns", "persona,x;y", "'persona,x;y' holds 'x;y', which is not a name"),
    ("breakdowns", "persona;x", "'persona;x' is not a name"),
    ("text_col", "", "the empty text is not accepted"),
    ("text_col", "a,b", "'a,b' is not a name"),
    ("text_col", "x'); import os; ('", "\"x'); import os; ('\" is not a name"),
    ("breakdowns", "<img src=x>", "'<img src=x>' is not a name"),
    ("stages", "six_stage", "'six_stage' is neither a stage model template nor a .yaml file"),
    ("assume_tz", "Mars/Olympus", "'Mars/Olympus' is not a known time zone"),
])
def test_bad_values_name_the_report_parameter_and_an_example(params, name, text, why):
    with pytest.raises(ParameterError) as info:
        validate_overrides("nb", params, {}, text={name: text}, sources={name: "-p"})
    message = str(info.value)
    assert message.startswith(f"nb: parameter {name!r} (from -p): {why}"), message
    assert "; it accepts " in message and "_col=" not in message


def test_everything_a_duration_accepts_pandas_reads():
    params = parse_parameters('w = "1D"  # window; a duration', notebook="nb")
    for text in ("14D", "14 days", "12h", "30min", "1.5h", "2W", "1D12h", "90s", "1 hour", "45 minutes"):
        validate_overrides("nb", params, {}, text={"w": text})
        assert pd.Timedelta(text) > pd.Timedelta(0)


def test_non_json_values_and_non_finite_numbers_are_refused(tmp_path):
    import datetime as dt

    params = parse_parameters('x = None  # anything\ncols = ["a"]  # columns\nf = 1.0  # a number\n'
                              'cut = ""  # a date; empty: none', notebook="nb")
    with pytest.raises(ParameterError, match=r"nb: parameter 'x': datetime.date\(2025, 7, 1\) \(date\) is not a plain "
                                             r"literal .*quote dates and times in YAML"):
        validate_overrides("nb", params, {"x": dt.date(2025, 7, 1)})
    with pytest.raises(ParameterError, match=r"parameter 'cols'.*is not a plain literal"):
        validate_overrides("nb", params, {"cols": [dt.date(2025, 7, 1)]})
    with pytest.raises(ParameterError, match=r"parameter 'f' \(from command line\): inf is not a finite number"):
        validate_overrides("nb", params, {}, text={"f": "inf"})
    with pytest.raises(ParameterError, match=r"parameter 'cut': datetime.date\(2025, 7, 1\) is not text \(quote it"):
        validate_overrides("nb", params, {"cut": dt.date(2025, 7, 1)})


def test_a_bad_duration_fails_before_any_kernel_starts(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path / "proj")
    write_notebook(project / "notebooks" / "04-window.ipynb",
                   'data_dir = "../data/sample"  # data folder\nwindow = "90D"  # funnel window; a duration\n'
                   'tz = "UTC"  # zone; a time zone', ["print(window)"])
    calls = fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    # `-p window=90 days` in a shell: the value is "90" and "days" is taken for a notebook
    assert jkit.cli.main(["run", "04", "-p", "window=90", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jkit: error: 04-window: parameter 'window' (from -p): '90' is not a duration") and "'90D'" in err
    assert jkit.cli.main(["run", "04", "-p", "tz=Mars/Olympus", "--quiet"]) == 2
    assert "parameter 'tz' (from -p): 'Mars/Olympus' is not a known time zone" in capsys.readouterr().err
    assert calls == [] and not (project / "reports").exists()


def test_path_rules_make_paths_absolute_and_check_existing_ones(tmp_path, monkeypatch):
    project = make_project(tmp_path / "proj")
    write_notebook(project / "notebooks" / "04-paths.ipynb",
                   'stages = ""  # a stage model; empty: the study\'s\n'
                   'personas = "fitted"  # also: fitted; a name or path\n'
                   'lexicon_file = ""  # an existing path; empty: none\nmodel_path = ""  # a path; empty: none', [])
    monkeypatch.chdir(project)
    (project / "my.yaml").write_text("name: x\n")
    (project / "lex.txt").write_text("good\t2\n")
    [p] = plan(["04"], parameter_strings=["stages=my.yaml", "personas=segment", "lexicon_file=lex.txt",
                                          "model_path=models/p.joblib"])
    assert p.kernel_values["stages"] == str(project / "my.yaml") and p.shown["stages"] == "my.yaml"
    assert p.kernel_values["personas"] == "segment"  # a name stays a name
    assert p.kernel_values["model_path"] == str(project / "models" / "p.joblib")
    with pytest.raises(MissingResourceError, match=r"04-paths: parameter 'lexicon_file' \(from -p\): 'nope.txt' "
                                                   r"does not exist"):
        plan(["04"], parameter_strings=["lexicon_file=nope.txt"])
    with pytest.raises(MissingResourceError, match=r"parameter 'stages' \(from -p\): 'gone.yaml' does not exist"):
        plan(["04"], parameter_strings=["stages=gone.yaml"])


def test_a_study_file_is_accepted_as_data(tmp_path, monkeypatch):
    project = make_project(tmp_path / "proj")
    study = project / "study"
    (study / "exports").mkdir(parents=True)
    (study / "exports" / "a.csv").write_text("user,t,e\nu1,2025-01-01,view\n")
    (study / "exports" / "b.csv").write_text("user,t,e\nu2,2025-01-02,view\nu3,2025-01-02,buy\n")
    (study / "reviews.csv").write_text("id,body\nR1,nice\n")
    (study / "study.yaml").write_text(
        "events:\n  path: exports/*.csv\n  columns: {customer_id: user, timestamp: t, event: e}\n"
        "feedback: reviews.csv\ncustomers: from_events\n")
    calls = fake_papermill(monkeypatch)
    monkeypatch.chdir(project)
    [p] = plan(["02"], data="study/study.yaml")
    assert p.data_dir == study / "study.yaml" and p.shown["data_dir"] == "study/study.yaml"
    fp = {f["table"]: f for f in data_fingerprint(study / "study.yaml")}
    assert fp["events"]["name"] == "exports/*.csv (2 files)" and fp["events"]["rows"] == 3
    assert fp["feedback"]["name"] == "reviews.csv" and fp["feedback"]["rows"] == 1
    assert fp["study"]["name"] == "study.yaml" and "customers" not in fp
    assert {f["table"] for f in data_fingerprint(study)} == {"events", "feedback", "study"}  # the folder holding it
    result = run(["02"], data="study/study.yaml")
    assert result.ok and calls[0]["parameters"]["data_dir"] == str(study / "study.yaml")
    assert "exports/*.csv (2 files)" in (project / "reports" / "index.html").read_text()
    (project / "notes.txt").write_text("x")
    with pytest.raises(MissingResourceError, match=r"data_dir 'notes.txt' \(from --data\) is a file but not a study"):
        plan(["02"], data="notes.txt")
    with pytest.raises(MissingResourceError, match=r"data_dir 'nowhere.yaml' \(from --data\) is not a folder or a "
                                                   r"study file"):
        plan(["02"], data="nowhere.yaml")


def test_a_folder_with_only_some_tables_is_fingerprinted(tmp_path):
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event\nC1,2025-01-01,view\n")
    assert [f["table"] for f in data_fingerprint(tmp_path)] == ["events"]


def test_an_unquoted_value_with_a_space_gets_a_hint(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path / "proj")
    monkeypatch.chdir(project)
    assert jkit.cli.main(["run", "-p", "n=90", "days", "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == (
        "jkit: error: no notebook matches 'days'; the notebooks are: 01-alpha, 02-beta, 03-gamma "
        "(a -p value with a space must be quoted, such as -p 'n=90 days')")
