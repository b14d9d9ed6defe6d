"""YAML from users (stage models, study files) is plain data, small, and cannot bomb (issue 16)."""

from __future__ import annotations

import time

import pytest

import jkit
from jkit.errors import DataValidationError
from jkit.safe_yaml import parse_yaml

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
stages: [*i]
"""


def test_an_alias_bomb_fails_at_once(tmp_path):
    assert len(BOMB.encode()) < 520
    path = tmp_path / "stages.yaml"
    path.write_text(BOMB, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(DataValidationError, match=r"stages.yaml: not a valid stage model: more than 20 aliases"):
        jkit.load_stage_model(path)
    assert time.perf_counter() - started < 2


def test_tags_that_build_objects_are_refused():
    with pytest.raises(DataValidationError, match="not a valid"):
        parse_yaml("!!python/object/apply:os.system ['echo pwned']", "x.yaml")
    assert parse_yaml("a: [1, 2]\nb: text", "x.yaml") == {"a": [1, 2], "b": "text"}


def test_a_latin1_file_is_a_clear_error(tmp_path):
    path = tmp_path / "stages.yaml"
    path.write_bytes("name: caf\xe9\nstages: []\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match=r"stages.yaml: the stage model is not UTF-8 text.*save it as UTF-8"):
        jkit.load_stage_model(path)


@pytest.mark.parametrize("body, match", [
    ("stages:\n", r"'stages' must be a list of stages"),
    ("stages: 5\n", r"'stages' must be a list of stages"),
    ("stages:\n  - {name: a, events: }\n  - {name: b, events: [x]}\n", r"stage 1 \('a'\): 'events' must be a list"),
    ("stages:\n  - {name: a, events: 3}\n  - {name: b, events: [x]}\n", r"'events' must be a list of event names"),
    ("stages:\n  - {name: '', events: [y]}\n  - {name: b, events: [x]}\n", r"stage 1: 'name' must be a non-empty name"),
])
def test_malformed_stage_models_name_the_problem(tmp_path, body, match):
    path = tmp_path / "stages.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataValidationError, match=match):
        jkit.load_stage_model(path)


def test_an_oversized_study_file_is_refused(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("events: e.csv\n" + "#" * (1 << 20), encoding="utf-8")
    with pytest.raises(DataValidationError, match="at most 1,048,576 are read"):
        jkit.load(path)
