"""Survey exports to the feedback table: Qualtrics, SurveyMonkey, Typeform and Google Forms CSVs.

Each response is one feedback row (``source="survey"``). What the four have in common:

* ``text`` is the free-text answer: the question named by the option ``text_column`` (a column id
  such as ``"Q2"`` or the question's text), else the **open-text question** found by this rule:
  among the questions the vendor marks as text entry (Qualtrics import ids ending in ``_TEXT``,
  SurveyMonkey ``Open-Ended Response`` columns) — or, when the export marks none, among the
  questions with at least one answer that is neither a number nor a number-led scale label
  (``"10 - Extremely likely"``) — the one whose answers are longest and most varied (mean length
  × share of distinct answers). When several questions qualify, the choice and the others are
  listed in ``frame.attrs["notes"]``. Rows whose answer is empty stay (``text`` missing): the
  loader decides what to do with them.
* ``nps`` (0–10), ``csat`` (1–5) and ``ces`` (1–7) are the questions named by the option
  ``score_columns`` (``{"nps": "Q5", "csat": None}``; ``None`` turns detection off), else the
  single-column question whose English text reads like one — "recommend" / "net promoter" for
  NPS, "effort" / "easy" / "difficult" for CES, "satisf" / "CSAT" for CSAT — when all its answers
  are numbers on that scale (a leading number of a label counts: ``"10 - Extremely likely"``).
  Detected and skipped candidates are listed in ``frame.attrs["notes"]``.
* Every other question is kept as a column named by its id; ``frame.attrs["questions"]`` maps each
  id to its question text (``"text_column"`` and ``"score_columns"`` attrs say which became
  ``text``/scores). Answers are kept as text, empty answers missing.
* Personal data (e-mail addresses, names, IP addresses, locations) is left out unless
  ``keep_personal=True``.
* ``customer_id`` comes from the column named by the option ``customer_column`` — a metadata or
  hidden-field column, or a question (id or text), which then is not kept as a question (Qualtrics
  default: ``ExternalReference``); it is left out when that column is empty in every row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from jkit.errors import ParameterError
from jkit.io.importers._feedback import head_rows, read_csv_table, strip_html
from jkit.io.importers._survey import COMMON, Question, map_survey, survey_options, unnamed
from jkit.io.importers.base import FileSample, Imported, Importer, finish, sample_file

__all__ = ["read_qualtrics", "read_surveymonkey", "read_typeform", "read_google_forms", "IMPORTERS"]

# --------------------------------------------------------------------------- Qualtrics

_QUALTRICS_PERSONAL = {"IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "LocationLatitude",
                       "LocationLongitude", "LocationAccuracy", "Name", "EmailAddress"}
_IMPORT_ID = re.compile(r"""ImportId['"]\s*:\s*['"]([^'"]*)""")


def _qualtrics_layout(rows: list[list[str]]) -> int:
    """3 (column ids, question texts, ImportId row), 2 (legacy: V1… ids, names and texts) or 0 (not Qualtrics)."""
    if len(rows) >= 3 and any(c.startswith(("{\"ImportId\"", "{'ImportId'")) for c in rows[2]):
        return 3
    if len(rows) >= 2 and rows[0] and rows[0][0] == "V1" and any(c.lower() == "responseid" for c in rows[1]):
        return 2
    return 0


def parse_qualtrics(path: Path, **options: Any) -> Imported:
    """Read one Qualtrics CSV export (see :func:`read_qualtrics`)."""
    opts = survey_options("qualtrics", options, (*COMMON, "timezone"))
    layout = _qualtrics_layout(head_rows(sample_file(path), 3))
    if not layout:
        raise ParameterError(f"qualtrics: {path.name} has neither the three header rows (ImportId in the third) "
                             "nor the legacy two (V1, V2… then ResponseID) of a Qualtrics export")
    table = read_csv_table(path, layout)
    ids, texts = table.header[0], table.header[1]
    questions: list[Question] = []
    meta: dict[str, int] = {}
    for col, (cid, text) in enumerate(zip(ids, texts, strict=True)):
        if layout == 3:
            match = _IMPORT_ID.search(table.header[2][col])
            import_id = match[1] if match else ""
            is_question, name = import_id.startswith("QID"), cid
        else:
            import_id = ""
            name = text if re.fullmatch(r"V\d+", cid) else cid
            is_question = bool(re.match(r"Q\d", cid))
        if not name:
            unnamed(meta, table.frame, col)
        elif is_question:
            derived = " - " in cid or cid.upper().endswith("_NPS_GROUP")
            questions.append(Question(cid, strip_html(text), col, import_id.endswith("_TEXT"), derived))
        elif name not in _QUALTRICS_PERSONAL or opts["keep_personal"]:
            meta[name] = col
    id_column = "ResponseId" if "ResponseId" in meta else "ResponseID"
    customer = "ExternalReference" if "ExternalReference" in meta else "ExternalDataReference"
    return map_survey("qualtrics", path, table, questions, meta, opts=opts, id_column=id_column,
                   customer_default=customer, time_columns=["RecordedDate", "EndDate", "StartDate"],
                   formats=("%Y-%m-%d %H:%M:%S",), timezone=opts["timezone"])


def read_qualtrics(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Qualtrics CSV export as feedback rows, one per response.

    Both layouts are read: the current one with three header rows (column ids, question texts,
    ``{"ImportId": …}``) and the legacy one with two (``V1, V2…`` and ``Q1…``; names and question
    texts). Questions are the columns whose import id starts with ``QID`` (legacy: ids ``Q1…``);
    the other columns are metadata and embedded data, kept under their names.

    ======================  =====================================================================
    column                  from
    ======================  =====================================================================
    ``feedback_id``         ``ResponseId`` (legacy ``ResponseID``)
    ``customer_id``         ``ExternalReference`` (legacy ``ExternalDataReference``) or the column
                            named by ``customer_column``; left out when empty throughout
    ``timestamp``           ``RecordedDate``, else ``EndDate``, else ``StartDate``: Qualtrics writes
                            the account's local time without a zone, read in ``timezone``
    ``text``                the open-text question (``_TEXT`` import ids first; module rule)
    ``source``              ``"survey"``
    ``nps``/``csat``/``ces``  detected or ``score_columns`` questions (module rule)
    ``Q1``, ``Q3``…         the other questions by id; texts in ``attrs["questions"]``; Text iQ
                            (``Q2 - Topics``) and ``_NPS_GROUP`` columns are kept, never mapped
    ``Status``, ``Progress``…  the other metadata and embedded data, as text
    (left out)              ``IPAddress``, ``RecipientLastName``/``FirstName``/``Email``,
                            ``LocationLatitude``/``Longitude`` (legacy ``Name``, ``EmailAddress``,
                            ``LocationAccuracy``): personal data, kept only with ``keep_personal``
    ======================  =====================================================================

    Parameters
    ----------
    path : str or Path
        The export (``.csv``, ``.tsv``, ``.gz``; UTF-8, UTF-16 or Windows-1252).
    lenient : bool, default False
        Set unreadable rows (more fields than the header, an unreadable date) aside and list
        them in ``frame.attrs["bad_records"]`` instead of raising.
    **options
        ``text_column``, ``score_columns``, ``customer_column``, ``timezone`` (default ``"UTC"``)
        and ``keep_personal`` (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.

    Raises
    ------
    DataValidationError
        When a row cannot be read (file and row named) and ``lenient`` is False.
    ParameterError
        For an unknown option or a column the file does not have.
    """
    return finish(parse_qualtrics(Path(path), **options), lenient=lenient)


def _detect_qualtrics(sample: FileSample) -> bool:
    rows = head_rows(sample, 3)
    return bool(_qualtrics_layout(rows)) and any(c in ("ResponseId", "ResponseID") for r in rows[:2] for c in r)


# --------------------------------------------------------------------------- SurveyMonkey

_SM_META = {"Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name"}
_SM_PERSONAL = {"IP Address", "Email Address", "First Name", "Last Name"}
_SM_PLAIN = {"", "Response", "Open-Ended Response"}


def parse_surveymonkey(path: Path, **options: Any) -> Imported:
    """Read one SurveyMonkey CSV export (see :func:`read_surveymonkey`)."""
    opts = survey_options("surveymonkey", options, (*COMMON, "timezone", "dayfirst"))
    table = read_csv_table(path, 2)
    heads, subs = table.header
    meta: dict[str, int] = {}
    groups: list[tuple[str, list[int]]] = []
    for col, (head, sub) in enumerate(zip(heads, subs, strict=True)):
        head, sub = head.strip(), sub.strip()
        if head in _SM_META or re.fullmatch(r"Custom Data \d+", head):
            if head not in _SM_PERSONAL or opts["keep_personal"]:
                meta[head] = col
        elif head:
            groups.append((head, [col]))
        elif groups and col == groups[-1][1][-1] + 1:
            groups[-1][1].append(col)
        else:
            unnamed(meta, table.frame, col)
    questions: list[Question] = []
    for k, (head, cols) in enumerate(groups, start=1):
        for j, col in enumerate(cols, start=1):
            sub = subs[col].strip()
            text = strip_html(head) if sub in _SM_PLAIN else f"{strip_html(head)} — {sub}"
            qid = f"Q{k}" if len(cols) == 1 else f"Q{k}_{j}"
            questions.append(Question(qid, text, col, sub == "Open-Ended Response", grouped=len(cols) > 1))
    date = "%d/%m/%Y" if opts["dayfirst"] else "%m/%d/%Y"
    formats = tuple(f"{date} {clock}" for clock in ("%I:%M:%S %p", "%H:%M:%S", "%I:%M %p", "%H:%M"))
    return map_survey("surveymonkey", path, table, questions, meta, opts=opts, id_column="Respondent ID",
                   customer_default=None, time_columns=["End Date", "Start Date"], formats=formats,
                   timezone=opts["timezone"])


def read_surveymonkey(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a SurveyMonkey CSV export (all responses, expanded or condensed) as feedback rows.

    The export has two header rows: the question texts (a blank cell continues the question to
    its left: matrix rows, choices, "Other (please specify)") and their sub-labels (``Response``,
    ``Open-Ended Response``, choice labels). A question with one column gets the id ``Q<k>``
    (k counts questions from 1); one with several gets ``Q<k>_<j>`` and the text
    ``"question — sub-label"``.

    ======================  =====================================================================
    column                  from
    ======================  =====================================================================
    ``feedback_id``         ``Respondent ID``
    ``customer_id``         the column named by ``customer_column`` (e.g. ``"Custom Data 1"``)
    ``timestamp``           ``End Date``, else ``Start Date`` (``11/28/2023 10:11:12 AM``: month
                            first, or day first with ``dayfirst=True``); the zone chosen for the
                            export, read in ``timezone``
    ``text``                the open-text question (``Open-Ended Response`` columns first)
    ``source``              ``"survey"``
    ``nps``/``csat``/``ces``  detected or ``score_columns`` questions (module rule)
    ``Q1``, ``Q2_1``…       the other questions; texts in ``attrs["questions"]``
    ``Collector ID``,       kept as text
    ``Start Date``,
    ``Custom Data 1``…
    (left out)              ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``:
                            personal data, kept only with ``keep_personal``
    ======================  =====================================================================

    Parameters
    ----------
    path : str or Path
        The export.
    lenient : bool, default False
        Set unreadable rows aside (``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``text_column``, ``score_columns``, ``customer_column``, ``timezone`` (default ``"UTC"``),
        ``dayfirst`` (default False) and ``keep_personal`` (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.
    """
    return finish(parse_surveymonkey(Path(path), **options), lenient=lenient)


def _detect_surveymonkey(sample: FileSample) -> bool:
    return {"Respondent ID", "Collector ID"} <= set(sample.columns)


# --------------------------------------------------------------------------- Typeform

_TF_META = {"#", "Response ID", "Token", "Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)",
            "Network ID", "Tags", "Ending"}
_TF_HIDDEN = re.compile(r"^[a-z][a-z0-9_]*$")
_TF_PERSONAL = re.compile(
    r"^(e_?mail|email_address|name|first_?name|last_?name|full_?name|phone(_number)?|ip(_address)?)$"
)


def parse_typeform(path: Path, **options: Any) -> Imported:
    """Read one Typeform responses CSV (see :func:`read_typeform`)."""
    opts = survey_options("typeform", options, COMMON)
    table = read_csv_table(path, 1)
    meta: dict[str, int] = {}
    questions: list[Question] = []
    for col, head in enumerate(table.header[0]):
        head = head.strip()
        if not head:
            unnamed(meta, table.frame, col)
        elif head in _TF_META or _TF_HIDDEN.match(head):
            if not _TF_PERSONAL.match(head) or opts["keep_personal"]:
                meta[head] = col
        else:
            questions.append(Question(f"Q{len(questions) + 1}", strip_html(head), col))
    id_column = next((c for c in ("#", "Response ID", "Token") if c in meta), None)
    return map_survey("typeform", path, table, questions, meta, opts=opts, id_column=id_column,
                   customer_default=None, time_columns=["Submit Date (UTC)", "Start Date (UTC)"],
                   formats=("%Y-%m-%d %H:%M:%S",), timezone="UTC")


def read_typeform(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Typeform responses CSV export as feedback rows.

    One header row: ``#`` (the response token; newer exports ``Response ID``), one column per
    question (its text, HTML removed; ids ``Q1…`` in column order), hidden fields and variables
    (lower-case identifiers such as ``user_id``, ``utm_source``, ``score``), ``Response Type``,
    ``Start Date (UTC)``, ``Stage Date (UTC)``, ``Submit Date (UTC)``, ``Network ID``, ``Tags``.

    ======================  =====================================================================
    column                  from
    ======================  =====================================================================
    ``feedback_id``         ``#`` (or ``Response ID``)
    ``customer_id``         the hidden field named by ``customer_column`` (e.g. ``"user_id"``)
    ``timestamp``           ``Submit Date (UTC)``, else ``Start Date (UTC)`` (partial responses):
                            UTC, as labelled
    ``text``                the open-text question (module rule)
    ``source``              ``"survey"``
    ``nps``/``csat``/``ces``  detected or ``score_columns`` questions: an Opinion Scale / NPS
                            question with 0–10 answers becomes ``nps``
    ``Q1``…                 the other questions; texts in ``attrs["questions"]``
    hidden fields, ``Network ID``, ``Response Type``…  kept as text
    (left out)              hidden fields named like personal data (``email``, ``name``,
                            ``first_name``, ``last_name``, ``phone``, ``ip``) unless ``keep_personal``
    ======================  =====================================================================

    Parameters
    ----------
    path : str or Path
        The export.
    lenient : bool, default False
        Set unreadable rows aside (``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``text_column``, ``score_columns``, ``customer_column`` and ``keep_personal``.

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.
    """
    return finish(parse_typeform(Path(path), **options), lenient=lenient)


def _detect_typeform(sample: FileSample) -> bool:
    cols = sample.columns
    has_id = bool(cols) and (cols[0] == "#" or "Response ID" in cols)
    return has_id and ("Submit Date (UTC)" in cols or "Start Date (UTC)" in cols)


# --------------------------------------------------------------------------- Google Forms

_GF_TIMESTAMP = ("Timestamp", "Marca temporal", "Zeitstempel", "Horodateur", "Carimbo de data/hora",
                 "Informazioni cronologiche", "Tijdstempel")
_GF_EMAIL = ("Email Address", "Email address")
_CONTRACT = {"feedback_id", "customer_id", "timestamp", "text", "source"}
_GF_STAMP = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}[ ,]+\d{1,2}:\d{2}")


def _gf_formats(dayfirst: bool) -> tuple[str, ...]:
    dmy = ("%d/%m/%Y", "%d.%m.%Y") if dayfirst else ("%m/%d/%Y",)
    clocks = ("%H:%M:%S", "%I:%M:%S %p", "%H:%M")
    return (*(f"{d} {c}" for d in dmy for c in clocks), "%Y/%m/%d %I:%M:%S %p %z", "%Y/%m/%d %H:%M:%S %z",
            "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S")


def parse_google_forms(path: Path, **options: Any) -> Imported:
    """Read one Google Forms responses CSV (see :func:`read_google_forms`)."""
    opts = survey_options("google_forms", options, (*COMMON, "timezone", "dayfirst", "timestamp_column"))
    table = read_csv_table(path, 1)
    heads = [h.strip() for h in table.header[0]]
    stamp = opts["timestamp_column"] or next((h for h in heads if h in _GF_TIMESTAMP), None)
    if stamp is None or stamp not in heads:
        raise ParameterError(f"google_forms: {path.name} has no {stamp or 'Timestamp'!r} column; "
                             "name the submission time column with timestamp_column")
    meta: dict[str, int] = {}
    questions: list[Question] = []
    for col, head in enumerate(heads):
        if not head:
            unnamed(meta, table.frame, col)
        elif head == stamp or head == "Score" or (head in _GF_EMAIL and opts["keep_personal"]):
            meta[head] = col
        elif head not in _GF_EMAIL:
            questions.append(Question(f"Q{len(questions) + 1}", strip_html(head), col))
    return map_survey("google_forms", path, table, questions, meta, opts=opts, id_column=None,
                   customer_default=None, time_columns=[stamp], formats=_gf_formats(opts["dayfirst"]),
                   timezone=opts["timezone"])


def read_google_forms(path: str | Path, *, lenient: bool = False, **options: Any) -> pd.DataFrame:
    """Read a Google Forms responses CSV (downloaded from Forms or from its Google Sheet) as feedback rows.

    One header row: ``Timestamp``, ``Email Address`` when the form collects it, ``Score`` for
    quizzes, then one column per question (its text; ids ``Q1…`` in column order).

    ======================  =====================================================================
    column                  from
    ======================  =====================================================================
    ``feedback_id``         ``"<file stem>-<row>"`` (Forms has no response id)
    ``customer_id``         the column named by ``customer_column``
    ``timestamp``           ``Timestamp`` (or ``timestamp_column``): ``3/1/2024 10:11:12`` month
                            first (``dayfirst=True`` for day-first sheets) or ``2024/03/01 10:11:12
                            AM GMT+1``; a time without zone is the form owner's, read in ``timezone``
    ``text``                the open-text question (module rule)
    ``source``              ``"survey"``
    ``nps``/``csat``/``ces``  detected or ``score_columns`` questions (a linear scale 0–10 "How
                            likely … recommend" becomes ``nps``)
    ``Q1``…                 the other questions; texts in ``attrs["questions"]``
    ``Score``               kept as text
    (left out)              ``Email Address``: personal data, kept only with ``keep_personal``
    ======================  =====================================================================

    Parameters
    ----------
    path : str or Path
        The export.
    lenient : bool, default False
        Set unreadable rows aside (``frame.attrs["bad_records"]``) instead of raising.
    **options
        ``text_column``, ``score_columns``, ``customer_column``, ``timezone`` (default ``"UTC"``),
        ``dayfirst`` (default False), ``timestamp_column`` and ``keep_personal`` (default False).

    Returns
    -------
    DataFrame
        The feedback rows, contract columns first.
    """
    return finish(parse_google_forms(Path(path), **options), lenient=lenient)


def _detect_google_forms(sample: FileSample) -> bool:
    cols = sample.columns
    if len(cols) < 2 or cols[0] not in _GF_TIMESTAMP or _CONTRACT & set(cols):
        return False
    rows = head_rows(sample, 2)
    return len(rows) < 2 or not rows[1] or bool(_GF_STAMP.match(rows[1][0]))


IMPORTERS = (
    Importer("qualtrics", "feedback", parse_qualtrics, _detect_qualtrics,
             "Qualtrics survey responses CSV (three header rows, or the legacy two)",
             (*COMMON, "timezone")),
    Importer("surveymonkey", "feedback", parse_surveymonkey, _detect_surveymonkey,
             "SurveyMonkey survey responses CSV (two header rows)", (*COMMON, "timezone", "dayfirst")),
    Importer("typeform", "feedback", parse_typeform, _detect_typeform, "Typeform responses CSV", COMMON),
    Importer("google_forms", "feedback", parse_google_forms, _detect_google_forms,
             "Google Forms responses CSV (from Forms or its Sheet)",
             (*COMMON, "timezone", "dayfirst", "timestamp_column")),
)
