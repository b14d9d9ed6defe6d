"""The parameters cell (jkit.reports.params): types, choices, ranges, overrides, and the real
notebooks' report contract.
"""

from __future__ import annotations

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jkit.errors import ParameterError
from jkit.reports.params import Parameter, parse_parameters, read_parameters, validate_overrides
from jkit.reports.render import notebook_title
from tests.reports import write_notebook
from tests.reports.kernel_runs import NOTEBOOKS


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
