"""The sample map and its planted truth, shared by the journey-map tests."""

from __future__ import annotations

import json

import pytest

from jkit.journey_map import journey_map


@pytest.fixture(scope="module")
def sample_map(small_sample):
    return journey_map(small_sample)


@pytest.fixture(scope="module")
def truth(small_sample_dir):
    return json.loads((small_sample_dir / "truth.json").read_text())
