"""The paths figures draw the tables they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jkit.errors import ParameterError  # noqa: E402
from jkit.paths import paths, step_matrix, transitions  # noqa: E402
from jkit.plotting import plot_path_flow, plot_step_matrix, plot_transition_heatmap  # noqa: E402
from tests.paths.events import small_log  # noqa: E402


def test_path_flow_draws_a_block_per_event_and_step_and_leaves_other_out():
    table = paths(small_log(), steps=3, top=2)
    fig, ax = plt.subplots()
    assert plot_path_flow(table, ax=ax) is ax
    blocks = [p for p in ax.patches if isinstance(p, plt.Rectangle)]
    shown = table[table["path"] != "other"]
    expected = sum(shown[c].dropna().nunique() for c in ["step_1", "step_2", "step_3"])
    assert len(blocks) == expected
    # the first column's block holds every drawn customer: its height is the whole (1.0)
    first = [b for b in blocks if abs(b.get_x() + b.get_width() / 2) < 1e-9]
    assert sum(b.get_height() for b in first) == pytest.approx(1.0)
    assert "other" in ax.get_title() and [t.get_text() for t in ax.get_xticklabels()] == ["step 1", "step 2", "step 3"]
    plt.close(fig)


def test_path_flow_escapes_dollar_names():
    log = small_log().replace({"event": {"visit": "$$$$"}})
    fig, ax = plt.subplots()
    plot_path_flow(paths(log, steps=2), ax=ax)
    assert any(t.get_text().startswith(r"\$\$\$\$") for t in ax.texts)
    fig.canvas.draw()
    plt.close(fig)


def test_transition_heatmap_cells_are_the_table():
    table = transitions(small_log())
    fig, ax = plt.subplots()
    plot_transition_heatmap(table, ax=ax)
    image = ax.get_images()[0].get_array()
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    i, j = rows.index("view"), cols.index("view")
    assert image[i, j] == pytest.approx(0.5)
    plt.close(fig)
    with pytest.raises(ParameterError, match="one group at a time"):
        plot_transition_heatmap(transitions(small_log(), by="touchpoint"))


def test_step_matrix_heatmap():
    m = step_matrix(small_log(), steps=4)
    fig, ax = plt.subplots()
    plot_step_matrix(m, ax=ax)
    np.testing.assert_allclose(np.asarray(ax.get_images()[0].get_array()), m.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "ENDED" and "3 paths" in ax.get_title()
    plt.close(fig)
    with pytest.raises(ParameterError):
        plot_step_matrix(pd.DataFrame())
