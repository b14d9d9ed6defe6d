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
