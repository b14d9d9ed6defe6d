"""Figures: DataFrame in, matplotlib Axes out (no ``plt.show()``, no file writes).

One submodule per analysis; the public functions are re-exported here.
"""
from jkit.plotting.funnels import *  # noqa: F401,F403
from jkit.plotting.journey_map import plot_journey_map  # noqa: F401
from jkit.plotting.overview import plot_events_over_time, plot_stage_reach  # noqa: F401
from jkit.plotting.paths import *  # noqa: F401,F403
from jkit.plotting.personas import *  # noqa: F401,F403
from jkit.plotting.readability import (  # noqa: F401
    group_palette,
    plain_text,
    set_category_ticks,
    set_date_axis,
    wrap_labels,
)
from jkit.plotting.retention import *  # noqa: F401,F403
from jkit.plotting.sentiment import *  # noqa: F401,F403
