"""Issue 16.1: parameter values are plain data, written into the notebook as literals that cannot break out."""

from __future__ import annotations

import base64

import pytest

from jkit.errors import ParameterError
from jkit.reports.execute import _literal_translator
from jkit.reports.params import parse_parameters, plain_data, validate_overrides

PAYLOAD = '", __import__("os").system("id"), "'


def test_a_binary_tag_in_a_list_parameter_is_refused_before_any_kernel():
    declared = parse_parameters('cols = ["a", "b"]  # columns')
    b64 = base64.b64encode(PAYLOAD.encode()).decode()
    with pytest.raises(ParameterError, match=r"parameter 'cols'.*bytes"):
        validate_overrides("01-journey-map", declared, {}, text={"cols": f"[!!binary {b64}]"})
    with pytest.raises(ParameterError, match="bytes"):  # the same from a run configuration
        validate_overrides("01-journey-map", declared, {"cols": [PAYLOAD.encode()]}, sources={"cols": "reports.yaml"})


def test_dates_sets_and_objects_are_refused_but_plain_data_passes():
    import datetime as dt

    assert plain_data({"a": [1, 2.5, None, True, "x"]}, "p") == {"a": [1, 2.5, None, True, "x"]}
    for bad in (dt.date(2024, 1, 1), {1, 2}, object(), {"k": b"x"}, {1: "int key"}):
        with pytest.raises(ParameterError):
            plain_data(bad, "p")


@pytest.mark.parametrize("value", [PAYLOAD, 'a"\nimport os\nos.system("id")\n"', "back\\slash\\", "'''", ["x", PAYLOAD],
                                   {"k": PAYLOAD}, 3, 2.5, None, True])
def test_injected_code_is_a_literal_that_evaluates_to_the_value(value):
    code = _literal_translator().codify({"param": value})
    namespace: dict = {}
    exec(compile(code, "<parameters>", "exec"), {"__builtins__": {"float": float}}, namespace)  # noqa: S102
    assert namespace["param"] == value


def test_a_binary_tag_in_a_run_configuration_is_refused_at_plan_time(tmp_path):
    from jkit.reports import plan

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('cols = ["a", "b"]  # columns')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(cols)")]
    nbformat.write(nb, nbdir / "01-x.ipynb")
    b64 = base64.b64encode(PAYLOAD.encode()).decode()
    cfg = tmp_path / "reports.yaml"
    cfg.write_text(f"parameters:\n  cols: [!!binary {b64}]\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"parameter 'cols'.*bytes"):
        plan(notebooks_dir=nbdir, config=cfg, check_data=False)
