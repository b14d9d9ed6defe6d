import pytest

from jkit.errors import DataValidationError, MissingResourceError
from jkit.stages import TEMPLATES, StageModel, load_stage_model


@pytest.mark.parametrize("name,n", [("five_stage", 5), ("seven_stage", 7), ("ten_step", 10)])
def test_templates_load_with_their_stage_counts(name, n):
    model = load_stage_model(name)
    assert len(model.stages) == n
    assert name in TEMPLATES


def test_default_is_five_stage_in_journey_order():
    model = load_stage_model()
    assert model.names == ["awareness", "consideration", "purchase", "retention", "advocacy"]
    assert model.stage_of()["purchase"] == "purchase"
    assert model.stage_index()["retention"] == 3


def test_yaml_round_trip(tmp_path):
    model = load_stage_model("seven_stage")
    model.to_yaml(tmp_path / "s.yaml")
    again = load_stage_model(tmp_path / "s.yaml")
    assert again == model


def test_event_in_two_stages_is_an_error():
    spec = {"stages": [{"name": "a", "events": ["x"]}, {"name": "b", "events": ["x", "y"]}]}
    with pytest.raises(DataValidationError, match="event 'x' is listed under both 'a' and 'b'"):
        StageModel.from_dict(spec, source="my.yaml")


def test_missing_file_names_templates(tmp_path):
    with pytest.raises(MissingResourceError, match="not a template name"):
        load_stage_model(tmp_path / "nope.yaml")


def test_bad_yaml_names_file(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("stages: [unclosed")
    with pytest.raises(DataValidationError, match="bad.yaml: not a valid stage model"):
        load_stage_model(p)
