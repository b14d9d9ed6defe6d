"""What a report notebook needs from jkit besides display: skipping, and the caveats it collects.

A report that cannot run on a study says so instead of failing::

    from jkit.notebook import collect_caveats, require, show_caveats
    caveats = collect_caveats()          # first cell: every JkitWarning from here on is kept
    data = jkit.load(data_dir)
    require(data, "events")              # raises ReportSkipped("needs events: the study has none")
    ...
    show_caveats(caveats)                # last cell: a "Caveats" section in a reader's words

``jkit run`` turns :class:`~jkit.errors.ReportSkipped` into a *skipped* report with its reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from jkit._rules import PERIODS, column_list
from jkit.errors import JkitWarning, MissingColumnError, ReportSkipped
from jkit.journey_map.periods import data_span
from jkit.notebook.display import escape

__all__ = [
    "Caveats", "collect_caveats", "require", "show_caveats", "skip_report", "NEEDS", "left_out", "left_out_text", "note",
    "show_caveats_link", "caveats_link_html", "caveats_html", "fit_personas", "with_revenue", "columns_list", "period_for_span",
    "data_span", "study_folder", "BEHAVIOUR_COLUMNS", "reached_stages_only",
]

#: what a report may need: (table, column or None) -> how a reader is told it is missing
NEEDS = {
    "events": ("events", None, "needs events: the study has none"),
    "customers": ("customers", None, "needs customers: the study has none"),
    "feedback": ("feedback", None, "needs feedback: the study has none"),
    "feedback text": ("feedback", "text", "needs feedback text: the study has none"),
    "event times": ("events", "timestamp", "needs event times: the study has none"),
    "feedback times": ("feedback", "timestamp", "needs feedback times: the feedback has no timestamp column"),
    "feedback stages": ("feedback", "stage", "needs the stage of each feedback text: the feedback has no stage column"),
    "customers or events": ("customers", None, "needs customers or events: the study has neither"),
}


def skip_report(reason: str) -> None:
    """Stop the report here: ``jkit run`` marks it skipped with ``reason``."""
    raise ReportSkipped(reason)


def require(data, *needs: str) -> None:
    """Skip the report unless ``data`` holds every one of ``needs`` (keys of :data:`NEEDS`)."""
    for need in needs:
        if need not in NEEDS:
            raise KeyError(f"unknown need {need!r}; expected one of {', '.join(NEEDS)}")
        table, column, reason = NEEDS[need]
        if not data.has(table, column):
            skip_report(reason)


@dataclass
class Caveats:
    """The JkitWarnings raised since :func:`collect_caveats`, in order, without repeats."""

    messages: list[str] = field(default_factory=list)
    _previous: object = None

    def add(self, message: str) -> None:
        text = " ".join(str(message).split())
        if text and text not in self.messages:
            self.messages.append(text)


def collect_caveats() -> Caveats:
    """Start keeping every :class:`~jkit.errors.JkitWarning` (shown by :func:`show_caveats`), not printing them."""
    caveats = Caveats()
    previous = warnings.showwarning

    def keep(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, JkitWarning):
            caveats.add(str(message))
        else:
            previous(message, category, filename, lineno, file, line)

    caveats._previous = previous
    warnings.simplefilter("always", JkitWarning)
    warnings.showwarning = keep
    return caveats


def _validation_notes(data) -> list[str]:
    """What lenient loading set aside, table by table (also below the warning threshold)."""
    validation = getattr(data, "validation", None)
    notes = []
    for table, lost in (getattr(validation, "rows_set_aside", None) or {}).items():
        if lost:
            read = validation.rows_read.get(table, 0) if hasattr(validation, "rows_read") else 0
            of = f" of {read:,}" if read else ""
            notes.append(f"{table}: {lost:,}{of} rows broke the data contract and were set aside (lenient loading); "
                         "they are left out of every figure")
    return notes


def caveats_html(caveats: Caveats, data=None) -> str:
    """The HTML of the "Caveats" section (anchor ``#caveats``): every kept warning, and what loading noted."""
    items = list(data.warnings()) if data is not None else []
    if data is not None and not any("set aside" in m for m in items):
        items += _validation_notes(data)
    items += [m for m in caveats.messages if m not in items]
    if not items:
        body = "<p>None: nothing was set aside, filled in or left out.</p>"
    else:
        body = "<ul>" + "".join(f"<li>{escape(m)}</li>" for m in items) + "</ul>"
    return f"<h2 id='caveats'>Caveats</h2>{body}"


def show_caveats(caveats: Caveats, data=None) -> None:
    """Display the "Caveats" section."""
    from IPython.display import HTML, display

    display(HTML(caveats_html(caveats, data)))


def caveats_link_html(caveats: Caveats | None = None) -> str:
    """A line under the headlines that points to the "Caveats" section at the end."""
    return ("<p class='jkit-caveats-link' style='margin:0.2em 0 1em'>"
            "<a href='#caveats'>Caveats: what this report set aside, filled in or left out ↓</a></p>")


def show_caveats_link(caveats: Caveats | None = None) -> None:
    """Display :func:`caveats_link_html` (under the headline box)."""
    from IPython.display import HTML, display

    display(HTML(caveats_link_html(caveats)))


def left_out_text(what: str, why: str) -> str:
    """``"The emotion lane is left out: the study has no feedback."``"""
    what = what[0].upper() + what[1:] if what else what
    plural = what.endswith("s") and not what.endswith(("ss", "is", "sis")) and " lane" not in what \
        and " section" not in what and " table" not in what and " figure" not in what
    verb = "are" if plural else "is"
    why = why.rstrip(". ")
    return f"{what} {verb} left out: {why}."


def note(text: str) -> None:
    """One line in italics: what the report left out and why."""
    from IPython.display import HTML, display

    display(HTML(f"<p class='jkit-left-out'><em>{escape(text)}</em></p>"))


def left_out(what: str, why: str) -> None:
    """Say in one line that a section is left out, and why (instead of an empty figure)."""
    note(left_out_text(what, why))


def columns_list(text: str | None) -> list[str] | None:
    """A comma-separated report parameter as a list (None when empty: automatic)."""
    items = [c.strip() for c in str(text or "").split(",") if c.strip()]
    return items or None


def study_folder(data_dir) -> Path:
    """The folder of a study given as a folder or a ``study.yaml``."""
    path = Path(data_dir)
    return path.parent if path.is_file() else path


def with_revenue(data, revenue_col: str = "revenue"):
    """``data`` whose events carry the amounts of ``revenue_col`` as ``revenue`` (warns when there is none)."""
    import dataclasses

    events = data.events
    if revenue_col in events.columns and events[revenue_col].notna().any():
        if revenue_col == "revenue":
            return data
        events = events.drop(columns=["revenue"], errors="ignore").rename(columns={revenue_col: "revenue"})
        return dataclasses.replace(data, events=events)
    if data.has("events"):
        warnings.warn(f"events: no revenue (column {revenue_col!r}); spend and value figures are n/a, not 0",
                      JkitWarning, stacklevel=2)
    if "revenue" in events.columns:
        return dataclasses.replace(data, events=events.drop(columns=["revenue"]))
    return data


#: cohort / bucket periods from the finest to the coarsest, with the span each one needs to be worth it
_PERIOD_STEPS = (("h", "2D"), ("D", "21D"), ("W", "120D"), ("M", "730D"), ("Q", "3650D"), ("Y", None))
_PERIOD_ORDER = ["h", "D", "W", "M", "Q", "Y"]


def period_for_span(span, wanted: str, allowed: tuple[str, ...] = ("D", "W", "M")) -> str:
    """The period ``wanted`` or, when the data's ``span`` is too short for several of them, a finer one.

    A 3-hour log gets hours (if allowed), three weeks of data days, four months weeks; a period
    is never made coarser than asked.
    """
    import pandas as pd

    if span is None:
        return wanted
    # the period words of jkit._rules, in any case; this scale also has hours
    w = "h" if wanted.lower() in ("h", "hour") else PERIODS.get(wanted.upper()) or PERIODS.get(wanted.lower()) \
        or wanted.upper()
    if w not in _PERIOD_ORDER:
        return wanted
    fit = next((p for p, need in _PERIOD_STEPS if need is None or span < pd.Timedelta(need)), "Y")
    options = [p for p in _PERIOD_ORDER if p in allowed]
    if not options:
        return wanted
    best = min(_PERIOD_ORDER.index(w), _PERIOD_ORDER.index(fit))
    finer = [p for p in options if _PERIOD_ORDER.index(p) <= best]
    chosen = finer[-1] if finer else options[0]
    return chosen if chosen != w else wanted


#: behaviour columns of :func:`jkit.personas.customer_features` personas fall back on
BEHAVIOUR_COLUMNS = ("n_events", "frequency", "monetary", "recency_days", "stage_reached")


def with_outcome_columns(features, data, outcomes):
    """``features`` with the customers' own columns that ``outcomes`` names (or, for ``"auto"``, that are named
    like an outcome) and :func:`~jkit.personas.customer_features` does not carry: a study's churn, response or
    score columns are judged even when they are not contract columns."""
    from jkit.personas.outcomes import OUTCOME_NAMES

    if not outcomes or not data.has("customers") or "customer_id" not in data.customers.columns:
        return features
    customers = data.customers
    if outcomes == "auto":
        wanted = [c for c in customers.columns if str(c).lower() in OUTCOME_NAMES]
    else:
        wanted = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    extra = [c for c in wanted if c in customers.columns and c not in features.columns and c != "customer_id"]
    if not extra:
        return features
    own = customers[["customer_id", *extra]].drop_duplicates("customer_id")
    return features.merge(own, on="customer_id", how="left", validate="one_to_one")


def fit_personas(
    data,
    columns: str | list[str] | None = None,
    *,
    n_personas="auto",
    k_range: tuple[int, int] = (2, 8),
    reduce: bool = True,
    n_bootstrap: int = 0,
    random_state: int = 0,
    profile_cols: list[str] | None = None,
    sentiment=None,
    purchase_events=None,
    outcomes="auto",
    engine: str | None = None,
):
    """Fit the personas the journey map and the persona report both show (same settings: same personas).

    ``columns`` (the reports' ``persona_columns``) are the columns that define the personas;
    empty: who customers are (profile columns) and their touchpoint mix. A study whose
    customers have neither (derived from a clickstream) gets personas from behaviour (events,
    purchases, revenue, recency, stage reached), with a warning. Returns ``(model, assigned,
    features)``: the fitted :class:`~jkit.personas.PersonaModel`, its ``assign`` table and the
    feature table. ``outcomes`` (``"auto"``, a list, or empty for none) are judged, never clustered on.
    """
    import pandas as pd

    from jkit.errors import DataValidationError
    from jkit.kpis import default_conversion_events
    from jkit.personas import PersonaModel, customer_features

    buys = default_conversion_events(data.stages, purchase_events) if data.stages.names else None
    kw = {"purchase_events": buys} if buys else {}
    features = customer_features(data, profile_cols=profile_cols, behaviour=data.has("events"),
                                 sentiment=sentiment if sentiment is not None else False, engine=engine, **kw)
    features = with_outcome_columns(features, data, outcomes)
    chosen = columns_list(columns) if isinstance(columns, str) or columns is None else list(columns)
    if chosen:
        missing = [c for c in chosen if c not in features.columns]
        if missing:

            raise MissingColumnError(f"persona_columns: no column {column_list(missing)}; the customer features "
                                 f"are {', '.join(c for c in features.columns if c != 'customer_id')}")
    settings = dict(n_personas=n_personas, k_range=k_range, n_components="auto" if reduce else None,
                    n_bootstrap=n_bootstrap, random_state=random_state, outcomes=outcomes or None)

    def split(cols):
        numeric = [c for c in cols if pd.api.types.is_numeric_dtype(features[c])
                   and not pd.api.types.is_bool_dtype(features[c])]
        return numeric, [c for c in cols if c not in numeric]

    if chosen:
        numeric, categorical = split(chosen)
        model = PersonaModel(numeric_cols=numeric, categorical_cols=categorical, **settings).fit(features)
    else:
        try:
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always", JkitWarning)
                model = PersonaModel(**settings).fit(features)
            for w in seen:  # the fit that is kept: its warnings are the reader's
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        except DataValidationError:
            behaviour = [c for c in BEHAVIOUR_COLUMNS if c in features.columns and features[c].nunique() > 1]
            if not behaviour:
                raise
            warnings.warn("personas: the customers have no profile or touchpoint columns that vary, so the personas "
                          f"are formed from behaviour ({', '.join(behaviour)}); set persona_columns to choose",
                          JkitWarning, stacklevel=2)
            model = PersonaModel(numeric_cols=behaviour, categorical_cols=[], **settings).fit(features)
    return model, model.assign(features), features


def reached_stages_only(data):
    """``data`` with a stage model cut to the stages its events reach (first to last), and a note.

    A transaction log holds only purchases: a funnel from "awareness" would count 0 customers
    at every stage, and a last stage without any event would always show "100% lost". The stages
    before the first one with events and after the last one with events are dropped (a model
    keeps at least two stages); the note says which (None when nothing was dropped).
    """
    import dataclasses

    from jkit.stages import StageModel

    if not data.has("events"):
        return data, None
    present = set(data.events["event"].dropna().astype(str).unique())
    stages = list(data.stages.stages)
    hit = [i for i, s in enumerate(stages) if present & set(s.events)]
    if not hit:
        return data, None
    first, last = hit[0], hit[-1]
    if last - first < 1:
        return data, None
    if first == 0 and last == len(stages) - 1:
        return data, None
    kept = StageModel(name=data.stages.name, stages=tuple(stages[first:last + 1]),
                      description=data.stages.description, source=data.stages.source,
                      unassigned=data.stages.unassigned)
    before = [s.name for s in stages[:first]]
    after = [s.name for s in stages[last + 1:]]
    parts = []
    if before:
        parts.append(f"measured from {stages[first].name} on")
    if after:
        parts.append(f"up to {stages[last].name}")
    missing = ", ".join(before + after)
    text = (f"The events hold no event of {'stage' if len(before + after) == 1 else 'stages'} {missing}, so the "
            f"journey is {' and '.join(parts)}.")
    warnings.warn(f"stages: no event of {missing}; the journey is {' and '.join(parts)}", JkitWarning, stacklevel=2)
    return dataclasses.replace(data, stages=kept), text


