from __future__ import annotations

import pytest

from jkit.errors import ParameterError
from jkit.paths import ENDED, step_matrix
from tests.paths.events import small_log


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_step_matrix_by_hand(engine):
    m = step_matrix(small_log(), steps=4, engine=engine)
    # a: visit cart view visit; b: visit view view; c: visit
    assert m.loc["visit"].tolist() == pytest.approx([1, 0, 0, 1 / 3])
    assert m.loc["cart"].tolist() == pytest.approx([0, 1 / 3, 0, 0])
    assert m.loc["view"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 0])
    assert m.loc[ENDED].tolist() == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3])
    assert list(m.index) == ["visit", "cart", "view", ENDED] and m.attrs["units"] == 3


def test_step_matrix_from_a_start_event_and_collapsed():
    m = step_matrix(small_log(), steps=2, start="view", collapse_repeats=True)
    # a: view visit; b: view (its second view collapsed)
    assert m.loc["view"].tolist() == [1.0, 0.0]
    assert m.loc["visit"].tolist() == [0.0, 0.5]
    assert m.loc[ENDED].tolist() == [0.0, 0.5]
    with pytest.raises(ParameterError, match="start='nope'"):
        step_matrix(small_log(), start="nope")
