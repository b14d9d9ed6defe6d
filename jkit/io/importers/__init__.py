"""Importers for the exports users have: each a ``format:`` name of the study file and a function.

======================  ==========  ==========================================================
format                  table       function
======================  ==========  ==========================================================
``ga4``                 events      :func:`read_ga4` — GA4 BigQuery export (Parquet, NDJSON, CSV)
``segment``             events      :func:`read_segment` — Segment track/page/screen/identify JSON
``mixpanel``            events      :func:`read_mixpanel` — Mixpanel raw export (NDJSON)
``amplitude``           events      :func:`read_amplitude` — Amplitude export (NDJSON)
``snowplow``            events      :func:`read_snowplow` — Snowplow enriched events (TSV)
``qualtrics``           feedback    :func:`read_qualtrics` — Qualtrics CSV (three header rows)
``surveymonkey``        feedback    :func:`read_surveymonkey` — SurveyMonkey CSV (two header rows)
``typeform``            feedback    :func:`read_typeform` — Typeform responses CSV
``google_forms``        feedback    :func:`read_google_forms` — Google Forms responses CSV
``zendesk``             feedback    :func:`read_zendesk` — Zendesk ticket export (JSON or CSV)
``google_play``         feedback    :func:`read_google_play` — Google Play reviews
``app_store``           feedback    :func:`read_app_store` — App Store reviews
======================  ==========  ==========================================================

The mapping of each vendor's fields is in ``docs/data-contract.md`` and in each function's
docstring.
"""

from __future__ import annotations

from jkit.errors import ParameterError
from jkit.io.importers import amplitude, app_reviews, ga4, mixpanel, segment, snowplow, surveys, zendesk
from jkit.io.importers.amplitude import read_amplitude
from jkit.io.importers.app_reviews import read_app_store, read_google_play
from jkit.io.importers.base import BadRecord, FileSample, Imported, Importer, finish, sample_file
from jkit.io.importers.ga4 import read_ga4
from jkit.io.importers.mixpanel import read_mixpanel
from jkit.io.importers.segment import read_segment
from jkit.io.importers.snowplow import read_snowplow
from jkit.io.importers.surveys import read_google_forms, read_qualtrics, read_surveymonkey, read_typeform
from jkit.io.importers.zendesk import read_zendesk

__all__ = [
    "IMPORTERS",
    "BadRecord",
    "FileSample",
    "Imported",
    "Importer",
    "detect_format",
    "finish",
    "get_importer",
    "read_amplitude",
    "read_app_store",
    "read_ga4",
    "read_google_forms",
    "read_google_play",
    "read_mixpanel",
    "read_qualtrics",
    "read_segment",
    "read_snowplow",
    "read_surveymonkey",
    "read_typeform",
    "read_zendesk",
    "sample_file",
]

#: every importer by format name
IMPORTERS: dict[str, Importer] = {
    imp.name: imp
    for module in (ga4, segment, mixpanel, amplitude, snowplow, surveys, zendesk, app_reviews)
    for imp in module.IMPORTERS
}


def get_importer(name: str) -> Importer:
    """The importer of format ``name``; a :class:`~jkit.errors.ParameterError` naming the known ones otherwise."""
    try:
        return IMPORTERS[name]
    except KeyError:
        raise ParameterError(
            f"unknown format {name!r}; expected csv, tsv, parquet, json or one of {', '.join(IMPORTERS)}"
        ) from None


def detect_format(path, table: str | None = None) -> Importer | None:
    """The importer whose ``detect`` recognises the file at ``path`` (optionally only for ``table``), if any."""
    sample = sample_file(path)
    for imp in IMPORTERS.values():
        if table is not None and imp.table != table:
            continue
        if imp.detect(sample):
            return imp
    return None
