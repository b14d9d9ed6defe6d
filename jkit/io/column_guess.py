"""Guessing the column map of a raw file for ``jkit init``, each decision with its evidence.

Each contract column (:data:`jkit.schema.TABLES`) is looked for by name — the contract name, then
:data:`SYNONYMS`, without case or punctuation (``"Customer ID"`` is ``customer_id``), then names
holding a telling word (``Order Time``) — and kept only when its content fits: 95% of the times
parse, ids are present, numbers are numbers in the contract's range (:func:`guess_columns`).
Columns a vendor importer already mapped only get their evidence (:func:`importer_columns`).

Decisions worth knowing:

* Day/month order: written when the data decides (a day above 12); when every day is at most 12,
  ``dayfirst: false`` is written and the user is asked to check.
* ``revenue`` is mapped only when purchase-like events alone carry values: a ``price`` that views
  and carts carry too is a product price, not revenue (:func:`unmap_price_as_revenue`).

This module owns the name lists, the content checks and :class:`Column`; it knows nothing of
the draft as a whole (:mod:`jkit.io.drafting`) or of stages (:mod:`jkit.io.stage_draft`).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError
from jkit.io.readers import BLANK_LIKE
from jkit.schema import TABLES, ColumnSpec
from jkit.timestamps import parse_timestamps

__all__ = ["Column", "ColumnGuess", "guess_columns", "importer_columns", "unmap_price_as_revenue",
           "norm_name", "name_words", "REQUIRED", "SYNONYMS"]

#: the columns of each table a draft cannot do without
REQUIRED = {"events": ("customer_id", "timestamp", "event"), "feedback": ("text",), "customers": ("customer_id",)}
#: other names of each contract column, in order of preference
SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in {
    "customer_id": "user_id userid user client_id customer customerid customer_number cust_id distinct_id visitor_id "
                   "account_id member_id user_pseudo_id anonymous_id uid person_id contact_id",
    "timestamp": "event_time time ts datetime date_time date created_at event_timestamp occurred_at event_date "
                 "timestamp_utc event_datetime submitted_at received_at sent_at created",
    "event": "event_type event_name action activity type event_action",
    "touchpoint": "channel platform device device_type source_medium medium",
    "session_id": "session user_session sessionid session_key visit_id",
    "revenue": "price amount value revenue_usd total order_value sales total_price",
    "text": "text review comment comments content body feedback message sentence response review_text verbatim answer",
    "feedback_id": "review_id id response_id ticket_id comment_id",
    "signup_date": "signup signup_at created_at registered_at registration_date join_date joined first_seen created",
    "source": "source_type origin", "nps": "nps_score likelihood_to_recommend", "csat": "csat_score satisfaction",
    "ces": "ces_score effort", "age": "age_years", "gender": "sex genre", "region": "country state city location",
    "income": "annual_income annual_income_k salary", "education": "education_level",
    "job_title": "job occupation profession title", "acquisition_channel": "channel utm_source acquisition_source",
}.items()}
#: last-resort candidates: names with one of the first words (and one of the second, when given)
_HINTS = {"timestamp": ({"time", "date", "timestamp", "datetime", "at"}, set()),
          "signup_date": ({"signup", "registered", "registration", "joined", "created"}, set()),
          "customer_id": ({"user", "customer", "client", "visitor", "member", "account"},
                          {"id", "number", "no", "key", "uuid"})}


def norm_name(name: object) -> str:
    """``name`` lower-cased with everything but letters and digits removed (``"Customer ID"`` -> ``customerid``)."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def name_words(name: str) -> list[str]:
    """The lower-case words of ``name``, split at punctuation and camelCase (``"addToCart"`` -> add, to, cart)."""
    return [w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if w]


@dataclass
class Column:
    """One contract column's decision: the file column (None: not mapped) and the evidence."""

    contract: str
    column: str | None
    evidence: str


@dataclass
class ColumnGuess:
    """The column map guessed for one table, and what the user must map or check."""

    columns: list[Column] = field(default_factory=list)
    dayfirst: bool | None = None
    missing: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- content checks


def _blank(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.strip()
    return s.isna() | text.isna() | text.isin(BLANK_LIKE) | (text == "")


def _times(s: pd.Series) -> tuple[pd.Series | None, bool | None, str]:
    """Parsed times (None when under 95% parse), the dayfirst to write, and a note on the order."""
    values = s[~_blank(s)]
    tries: dict[object, pd.Series] = {}
    for dayfirst in (None, False, True):
        with contextlib.suppress(DataValidationError):
            tries[dayfirst] = parse_timestamps(values, dayfirst=dayfirst)
    lo, hi = pd.Timestamp("1900-01-01", tz="UTC"), pd.Timestamp("2100-01-01", tz="UTC")
    ok = {k: v for k, v in tries.items() if v.between(lo, hi).mean() >= 0.95}
    if None in ok:  # the data decides; write the order only when it matters
        same = [k for k in (False, True) if k in ok and ok[k].equals(ok[None])]
        return ok[None], same[0] if len(same) == 1 else None, "decided by the data (a day above 12)" if len(same) == 1 else ""
    if False in ok and True in ok:
        return ok[False], False, "every day is at most 12: could be day-first too"
    good = [k for k in (False, True) if k in ok]
    return (ok[good[0]], good[0], "the only order that reads every date") if good else (None, None, "")


def _form(s: pd.Series, dayfirst: bool | None) -> str:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "date/time values"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "epoch times"
    first = str(s[~_blank(s)].iloc[0]).strip()
    if re.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}", first):
        return f"{'day/month/year' if dayfirst else 'month/day/year'} ({first})"
    if re.match(r"^\d{4}-?\d{2}-?\d{2}", first) and not first.isdigit():
        zoned = re.search(r"(Z|[+-]\d{2}:?\d{2}|\s*UTC|\s*GMT)$", first, re.IGNORECASE)
        return "ISO 8601 with zone" if zoned else "ISO 8601 without zone"
    return ("YYYYMMDD" if len(first) == 8 else "epoch times") if first.isdigit() else repr(first)


def _check(s: pd.Series, spec: ColumnSpec) -> tuple[str | None, str, bool | None]:
    """(evidence, or None when refused; why refused; dayfirst) of ``s`` as contract column ``spec``."""
    blank = _blank(s)
    present = s[~blank]
    n_blank = f", {int(blank.sum()):,} blank" if blank.any() else ""
    if present.empty:
        return None, "every value is blank", None
    if spec.kind == "timestamp":
        parsed, dayfirst, note = _times(s)
        if parsed is None:
            return None, "under 95% of the values read as dates", None
        lo, hi = (f"{t:%Y-%m-%d %H:%M:%S} UTC" for t in (parsed.min(), parsed.max()))
        return f"{lo} … {hi}, form {_form(s, dayfirst)}{'; ' + note if note else ''}{n_blank}", "", dayfirst
    if spec.kind in ("number", "integer"):
        nums = pd.to_numeric(present.astype("string").str.strip(), errors="coerce")
        bad = nums.isna() | ~nums.between(-np.inf if spec.low is None else spec.low,
                                          np.inf if spec.high is None else spec.high)
        if spec.kind == "integer":
            bad |= nums != np.round(nums)
        if bad.any():
            return None, f"values such as {str(present[bad.to_numpy()].iloc[0])!r} are not {spec.expected}", None
        return f"numbers {nums.min():g} … {nums.max():g}{n_blank}", "", None
    if blank.mean() > 0.5 or (not spec.nullable and spec.default and blank.any()):
        return None, f"{int(blank.sum()):,} of {len(s):,} values are blank", None
    if spec.kind == "text":
        if pd.to_numeric(present, errors="coerce").notna().mean() > 0.5:
            return None, "the values are numbers, not text", None
        return f"{len(present):,} texts, mean {present.astype('string').str.len().mean():.0f} characters", "", None
    distinct = present.astype("string").str.strip().nunique()
    if spec.name == "feedback_id" and distinct < len(present):
        return None, "values repeat (feedback_id must be unique)", None
    what = "name" if spec.name == "event" else "value"
    return f"{distinct:,} distinct {what}{'s' if distinct != 1 else ''}{n_blank}", "", None


# --------------------------------------------------------------------------- the column map


def _candidates(frame: pd.DataFrame, spec: ColumnSpec, claimed: set[str]) -> list[str]:
    """File columns that could be ``spec``, best first: its name, synonyms, telling words."""
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        by_norm.setdefault(norm_name(col), str(col))
    names = [spec.name] if spec.name in frame.columns else []
    names += [c for n in (spec.name, *SYNONYMS.get(spec.name, ())) if (c := by_norm.get(norm_name(n))) is not None]
    if spec.name in _HINTS:
        first, second = _HINTS[spec.name]
        names += [str(c) for c in frame.columns if (w := set(name_words(str(c)))) & first and (w & second or not second)]
    if spec.name == "text" and not names:  # free text under another name: the longest text column
        lengths = {str(c): frame[c].astype("string").str.len().mean() for c in frame.columns
                   if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])) and c not in claimed}
        names = [max(lengths, key=lambda c: lengths[c])] if lengths and max(lengths.values()) >= 20 else []
    return [c for c in dict.fromkeys(names) if c not in claimed]


def guess_columns(frame: pd.DataFrame, table: str) -> ColumnGuess:
    """Map each contract column of ``table`` to the first file column whose content fits.

    Parameters
    ----------
    frame : DataFrame
        The raw file as read (or its first rows), columns as they are named there.
    table : str
        ``"events"``, ``"customers"`` or ``"feedback"`` (a key of :data:`jkit.schema.TABLES`).

    Returns
    -------
    ColumnGuess
        A :class:`Column` (with its evidence) per contract column found or refused, the day/month
        order to write, the required columns nothing fits (``missing``, with the ``refused``
        candidates), and what the user should check. ``stage`` is never guessed.
    """
    guess, claimed = ColumnGuess(), set[str]()
    for spec in sorted(TABLES[table], key=lambda s: (not s.required, s.name == "revenue")):
        if spec.name == "stage":  # stage names must match the stage model: never guessed
            continue
        refused = []
        for col in _candidates(frame, spec, claimed):
            evidence, why, dayfirst = _check(frame[col], spec)
            if evidence is None:
                refused.append(f"{col} ({why})")
                continue
            claimed.add(col)
            guess.columns.append(Column(spec.name, col, evidence))
            guess.dayfirst = dayfirst if guess.dayfirst is None else guess.dayfirst
            if "at most 12" in evidence:
                guess.checks.append(f"{table}.{spec.name} ← {col}: dates could be day-first; dayfirst: false is "
                                    "written — set it to true if they are")
            aware = isinstance(frame[col].dtype, pd.DatetimeTZDtype) or "with zone" in evidence or "epoch" in evidence
            if spec.kind == "timestamp" and not aware:
                guess.checks.append(f"{table}.{spec.name} ← {col}: times carry no zone and are read as UTC; set "
                                    "timezone: in study.yaml if they are local times")
            break
        else:
            if spec.name in REQUIRED[table]:
                guess.missing.append(spec.name)
                guess.refused[spec.name] = refused
            elif refused:
                guess.columns.append(Column(spec.name, None, "not mapped: " + "; ".join(refused)))
                guess.checks.append(f"{table}.{spec.name} is not mapped: " + "; ".join(refused))
                if spec.name in frame.columns:
                    guess.checks.append(f"{table}: column {spec.name!r} has the contract's name, so loading reads "
                                        "it and will refuse it; rename it in the file")
            elif spec.default and spec.default != "row":
                guess.columns.append(Column(spec.name, None, f"no column found: filled with {spec.default!r}"))
    return guess


def importer_columns(frame: pd.DataFrame, table: str) -> ColumnGuess:
    """The contract columns of ``table`` a vendor importer already made in ``frame``, with their evidence.

    Parameters
    ----------
    frame : DataFrame
        The table as the importer returns it (contract column names).
    table : str
        A key of :data:`jkit.schema.TABLES`.

    Returns
    -------
    ColumnGuess
        A :class:`Column` per contract column present (evidence ``"present"`` when its content does
        not pass the checks) and the required columns the importer did not make.
    """
    guess = ColumnGuess()
    for spec in TABLES[table]:
        if spec.name in frame.columns:
            guess.columns.append(Column(spec.name, spec.name, _check(frame[spec.name], spec)[0] or "present"))
    guess.missing = [c for c in REQUIRED[table] if c not in frame.columns]
    return guess


def unmap_price_as_revenue(columns: list[Column], frame: pd.DataFrame, purchase_like: set[str]) -> str | None:
    """Unmap a guessed revenue column that other events than purchases carry too: it is a price.

    Parameters
    ----------
    columns : list of Column
        The guessed map of the events table; the revenue :class:`Column` is changed in place
        (``column`` set to None, ``evidence`` saying why).
    frame : DataFrame
        The raw events.
    purchase_like : set of str
        The event names placed like a purchase or a repeat purchase.

    Returns
    -------
    str or None
        What the user should check when the column was unmapped; None when it is kept (or no
        revenue column was guessed, or the file's column is named ``revenue``).
    """
    chosen = next((c for c in columns if c.contract == "revenue" and c.column), None)
    event_col = next((c.column for c in columns if c.contract == "event" and c.column), None)
    if chosen is None or event_col is None or chosen.column == "revenue":
        return None
    values = pd.to_numeric(frame[chosen.column].astype("string").str.strip(), errors="coerce")
    other = ~frame[event_col].astype("string").str.strip().isin(purchase_like)
    share = float((values[other].fillna(0) != 0).mean()) if other.any() else 0.0
    if share <= 0.05 and purchase_like:
        return None
    kinds = ", ".join(frame.loc[other & values.notna(), event_col].astype("string").value_counts().index[:3])
    chosen.evidence = f"not mapped: {chosen.column} holds values on {share:.0%} of the other events ({kinds}): " \
                      "a price, not revenue"
    check = (f"events.revenue is not mapped: {chosen.column} is set on {kinds} events too. Revenue of "
             f"purchases: the {chosen.column} of purchase events after loading, or map a revenue column")
    chosen.column = None
    return check
