"""What report notebooks call: escaped display, skipping and caveats, and the steps they share.

Everything that comes from data is HTML-escaped, so a notebook never writes raw customer text
into its output::

    from jkit.notebook import collect_caveats, require, show_caveats, show_header, show_table
    caveats = collect_caveats()          # first cell: every JkitWarning from here on is kept
    data = jkit.load(data_dir)
    require(data, "events")              # raises ReportSkipped("needs events: the study has none")
    show_header("Stage funnel", data, params=dict(window=window))
    ...
    show_caveats(caveats)                # last cell: a "Caveats" section in a reader's words

:mod:`jkit.notebook.display` holds the display helpers (header, tables, "how to read this"
notes, human units), :mod:`jkit.notebook.support` skipping, caveats and the shared persona fit,
:mod:`jkit.notebook.feedback` the feedback report's date window and rating calibration,
:mod:`jkit.notebook.glue` the steps several notebooks repeat (Spark start-up, the quote
redactor, persona sources, KPI cells), :mod:`jkit.notebook.overview` the tables of the data
overview report and :mod:`jkit.notebook.value` the steps of the retention and value report.
"""

from jkit.notebook.display import (
    MISSING,
    escape,
    escape_markdown,
    format_duration,
    format_measure,
    format_number,
    format_percent,
    format_period,
    format_table,
    header_html,
    how_to_read,
    show_header,
    show_headlines,
    show_table,
)
from jkit.notebook.feedback import (
    RATING_COLUMNS,
    StudySentiment,
    calibrated_model,
    feedback_window,
    rating_column,
    study_sentiment,
)
from jkit.notebook.glue import (
    PERSONA_TRUTH_FILE,
    breakdown_columns,
    has_persona_truth,
    kpi_bounds,
    kpi_display,
    kpi_value,
    names_list,
    persona_labels,
    quote_redactor,
    start_engine,
    traits_with_data,
)
from jkit.notebook.overview import PERIOD_NAMES, events_per_period, overview_period, stage_reach, touchpoint_totals
from jkit.notebook.personas import spread_headline, spread_sentence, stable_headline
from jkit.notebook.support import (
    BEHAVIOUR_COLUMNS,
    NEEDS,
    Caveats,
    caveats_html,
    caveats_link_html,
    collect_caveats,
    columns_list,
    data_span,
    fit_personas,
    left_out,
    left_out_text,
    note,
    period_for_span,
    reached_stages_only,
    require,
    show_caveats,
    show_caveats_link,
    skip_report,
    study_folder,
    with_revenue,
)
from jkit.notebook.value import (
    HOLDOUT_MISS,
    PERIOD_WORDS,
    SEE_HOLDOUT,
    ValueFit,
    check_holds,
    clv_headline,
    events_in_log,
    fit_value,
    holdout_miss,
    period_one_retention,
    purchase_summary,
    value_by_persona,
)

__all__ = [
    # display
    "escape_markdown", "show_header", "show_table", "how_to_read", "show_headlines", "format_table", "escape",
    "format_duration", "format_percent", "format_number", "format_measure", "format_period", "header_html", "MISSING",
    # support (was jkit.report_support)
    "Caveats", "collect_caveats", "require", "show_caveats", "skip_report", "NEEDS", "left_out", "left_out_text",
    "note", "show_caveats_link", "caveats_link_html", "caveats_html", "fit_personas", "with_revenue", "columns_list",
    "period_for_span", "data_span", "study_folder", "BEHAVIOUR_COLUMNS", "reached_stages_only",
    # feedback report
    "spread_headline", "spread_sentence", "stable_headline",
    "RATING_COLUMNS", "StudySentiment", "calibrated_model", "feedback_window", "rating_column", "study_sentiment",
    # glue
    "PERSONA_TRUTH_FILE", "breakdown_columns", "has_persona_truth", "kpi_bounds", "kpi_display", "kpi_value",
    "names_list", "persona_labels", "quote_redactor", "start_engine", "traits_with_data",
    # overview
    "PERIOD_NAMES", "events_per_period", "overview_period", "stage_reach", "touchpoint_totals",
    # the retention and value report
    "HOLDOUT_MISS", "PERIOD_WORDS", "SEE_HOLDOUT", "ValueFit", "check_holds", "clv_headline", "events_in_log", "fit_value",
    "holdout_miss", "period_one_retention", "purchase_summary", "value_by_persona",
]
