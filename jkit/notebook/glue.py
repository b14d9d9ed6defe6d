"""The steps the report notebooks share, so a notebook holds parameters, calls and prose only.

This module owns what the notebooks used to spell out themselves: starting Spark when a report
runs on it (:func:`start_engine`), the quote redactor (:func:`quote_redactor`), comma-separated
parameters (:func:`names_list`), where each customer's persona comes from (:func:`persona_labels`,
:func:`has_persona_truth`: the only place a report reads ``personas_truth.csv`` or a model file),
the breakdown columns of the funnel report (:func:`breakdown_columns`), KPI cells
(:func:`kpi_value`, :func:`kpi_bounds`, :func:`kpi_display`) and the traits worth drawing
(:func:`traits_with_data`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from jkit.errors import ParameterError
from jkit.formatting import format_number, format_percent
from jkit.notebook.support import columns_list, fit_personas, study_folder

__all__ = [
    "PERSONA_TRUTH_FILE",
    "breakdown_columns",
    "has_persona_truth",
    "kpi_bounds",
    "kpi_display",
    "kpi_value",
    "names_list",
    "persona_labels",
    "quote_redactor",
    "start_engine",
    "traits_with_data",
]

#: the planted personas of the sample data, beside the study
PERSONA_TRUTH_FILE = "personas_truth.csv"


def start_engine(engine: str, spark_master: str = "") -> None:
    """Start (or join) the Spark session when ``engine`` is ``"spark"``; nothing for other engines.

    ``spark_master`` is the master URL; empty uses the active session or ``local[*]``.
    """
    if engine == "spark":
        import jkit.spark

        jkit.spark.get_spark(spark_master or None)


def quote_redactor(data, redact: bool = True):
    """The :class:`~jkit.privacy.Redactor` for quotes (personal data and the study's customer names), or False.

    ``redact=False`` returns False: quotes are then shown as written.
    """
    if not redact:
        return False
    from jkit.privacy import Redactor, customer_names

    return Redactor(names=customer_names(data.customers))


def names_list(text: str | None) -> list[str]:
    """A comma-separated parameter as a list of names, blanks dropped (``[]`` when empty)."""
    return columns_list(text) or []


def has_persona_truth(data_dir) -> bool:
    """Whether the study in ``data_dir`` (a folder or a study file) holds :data:`PERSONA_TRUTH_FILE`."""
    return (study_folder(data_dir) / PERSONA_TRUTH_FILE).exists()


def persona_labels(
    data, source: str, *, data_dir: str | None = None, random_state: int = 0,
    columns: str | Sequence[str] | None = None, **fit: Any,
) -> pd.DataFrame | None:
    """Each customer's persona from one of several sources, for per-persona maps.

    ``source`` is ``""`` (no personas: returns None), ``"truth"`` (the sample data's
    ``personas_truth.csv`` beside the study in ``data_dir``, a folder or a study file),
    ``"model"`` (fit personas now with :func:`jkit.notebook.fit_personas`, the settings the
    persona report uses, so both show the same personas; ``columns`` are the persona columns), a
    path to a saved PersonaModel, or a customers column. Returns a DataFrame with ``customer_id``
    and ``persona``.
    """
    if not source:
        return None
    if source == "truth":
        path = study_folder(data_dir or ".") / PERSONA_TRUTH_FILE
        if not path.exists():
            raise ParameterError(f"personas='truth' needs {path.name} beside the study (the sample data has one)")
        return pd.read_csv(path, dtype=str)[["customer_id", "persona"]]
    if source in data.customers.columns:
        return pd.DataFrame({"customer_id": data.customers["customer_id"], "persona": data.customers[source]})
    from jkit.personas import PersonaModel, customer_features

    if source == "model":
        _, assigned, _ = fit_personas(data, columns, random_state=random_state, **fit)
        return pd.DataFrame({"customer_id": assigned.iloc[:, 0].astype(str), "persona": assigned["persona_name"]})
    if Path(source).is_file():
        model = PersonaModel.load(source)
        features = customer_features(data)
    else:
        raise ParameterError(
            f"personas={source!r} should be '', 'truth', 'model', a saved PersonaModel file or a customers column"
        )
    assigned = model.assign(features)
    return pd.DataFrame({"customer_id": assigned.iloc[:, 0].astype(str), "persona": assigned["persona_name"]})


def breakdown_columns(data, wanted: Sequence[str], attributes: pd.DataFrame | None = None
                      ) -> tuple[list[str], list[str], list[str]]:
    """Split the breakdown columns a report asks for into ``(usable, missing, without_data)``.

    A column is known when the events, the customers or ``attributes`` carry it; an events
    column the study only holds as a filled-in default has no data. ``usable`` keeps the order
    of ``wanted``.
    """
    known = set(data.events.columns) | set(data.customers.columns) | set([] if attributes is None
                                                                         else attributes.columns)
    missing = [b for b in wanted if b not in known]
    no_data = [b for b in wanted if b in known and b in data.events.columns and not data.has("events", b)]
    usable = [b for b in wanted if b in known and b not in no_data]
    return usable, missing, no_data


def _number_text(value: float, unit: str) -> str:
    if unit == "share":
        return format_percent(value)
    return format_number(value, 2 if unit == "currency" else 1)


def kpi_value(row) -> str:
    """A KPI table row's value as text: a share as a percentage, currency with 2 decimals, else 1; "n/a"."""
    if pd.isna(row["value"]):
        return "n/a"
    return _number_text(row["value"], row["unit"])


def kpi_bounds(row) -> str:
    """A KPI table row's interval as ``"low – high"`` text (as :func:`kpi_value`), or "n/a"."""
    if pd.isna(row["low"]) or pd.isna(row["high"]):
        return "n/a"
    return f"{_number_text(row['low'], row['unit'])} – {_number_text(row['high'], row['unit'])}"


def kpi_display(kpis: pd.DataFrame) -> pd.DataFrame:
    """:func:`jkit.kpis.kpi_table` output with ``value`` as text and an ``interval`` text column."""
    return kpis.assign(value=kpis.apply(kpi_value, axis=1), interval=kpis.apply(kpi_bounds, axis=1))


def traits_with_data(traits: pd.DataFrame, has_revenue: bool) -> pd.DataFrame:
    """A persona model's ``traits_`` without the traits that hold no information.

    A trait on which every persona and the population agree (a column every customer shares) is
    no trait; nor is spend (``monetary``, ``avg_order_value``) when the study has no revenue.
    """
    keys = traits.groupby(["feature", "level"], dropna=False)
    flat = keys["population"].transform(lambda v: v.nunique() == 1) & keys["value"].transform(lambda v: v.nunique() <= 1)
    no_revenue = (not has_revenue) & traits["feature"].isin(["monetary", "avg_order_value"])
    return traits[~(flat | no_revenue)]
