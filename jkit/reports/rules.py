"""The rule words of a parameter comment for text that has a shape: durations, dates, names, paths.

A clause of the comment (the text between ``;``) that starts with one of these words declares
what a text parameter accepts; it is checked before any kernel starts::

    window = "90D"  # funnel window; a duration
    period_cut = ""  # splits the two periods; a date; empty: the middle of the data's period
    lanes = "reach,actions"  # lanes of the map; list of: reach, actions, touchpoints, emotion
    breakdowns = "persona"  # breakdown columns; names
    text_col = "text"  # feedback column; a name
    lexicon_file = ""  # domain lexicon; an existing path; empty: none
    model_path = ""  # saved personas; a path
    stages = ""  # stage model; a stage model; empty: the study's
    personas = "fitted"  # persona source; also: fitted, truth; a name or path
    assume_tz = "UTC"  # zone of naive times; a time zone

The empty text is accepted when the default is empty or the comment says ``empty: …``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jkit.errors import ParameterError

__all__ = ["KINDS", "parse_kind", "check_kind", "kind_words", "allows_empty", "is_pathlike", "parse_bounds",
           "parse_choices", "parse_also"]

_CHOICES = re.compile(r"one of:\s*(?P<values>[^;()]+)", re.IGNORECASE)
_NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_ALSO = re.compile(r"\balso:\s*(?P<values>[^;()]+)", re.IGNORECASE)
_RANGE = re.compile(rf"range:\s*(?P<low>{_NUM})?\s*\.\.\s*(?P<high>{_NUM})?", re.IGNORECASE)

#: rule word -> kind, longest first so that "an existing path" wins over "a path"
KINDS = {
    "a name or path": "name_or_path",
    "an existing path": "existing_path",
    "an existing file": "existing_path",
    "a stage model": "stage_model",
    "a time zone": "timezone",
    "a pandas duration": "duration",
    "a duration": "duration",
    "an instant": "date",
    "a date": "date",
    "a path": "path",
    "a name": "name",
    "names": "names",
    "list of:": "list_of",
}
_LIST_OF = re.compile(r"list of:\s*(?P<values>[^;()]+)", re.IGNORECASE)
_UNITS = (
    r"w|weeks?|d|days?|h|hr|hours?|m|min|mins|minutes?|s|sec|secs|seconds?|ms|milliseconds?"
)
_DURATION = re.compile(rf"^\s*(?:(?:\d+(?:\.\d+)?|\.\d+)\s*(?:{_UNITS})\s*)+$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# column names as real exports spell them ("Spending Score (1-100)", "Revenue ($)", "Q3 [NPS]"); a ';'
# or a quote is a typo for ',' or code, not a name
_NAME_CHARS = r"\w\-.:/()\[\]$%#&+?"
_NAME = re.compile(rf"^[{_NAME_CHARS}](?:[{_NAME_CHARS} ]*[{_NAME_CHARS}])?$")
_EXAMPLES = {
    "duration": "a duration with a unit, such as '90D', '14 days', '12h' or '30min'",
    "date": "a date such as '2025-07-01', or an instant such as '2025-07-01T12:00:00Z'",
    "name": "a name such as 'text' (letters, digits, _ . - : / ( ) [ ] $ % # & + ? and spaces inside)",
    "names": "comma-separated names such as 'persona,touchpoint'",
    "path": "a file or folder path",
    "existing_path": "the path of an existing file or folder",
    "stage_model": "a stage model template ({templates}) or the path of a stage model YAML file",
    "name_or_path": "a name, or the path of an existing file",
    "timezone": "a time zone such as 'UTC', 'Europe/Berlin' or '+02:00'",
}


def parse_kind(help_text: str) -> tuple[str | None, tuple[str, ...] | None]:
    """The kind a comment declares (``"duration"``…) and, for ``list of:``, its items."""
    for clause in (c.strip().lower() for c in help_text.split(";")):
        for word, kind in KINDS.items():
            if kind == "list_of":
                if clause.startswith(word):
                    m = _LIST_OF.search(help_text)
                    words = (w.strip().strip("'\"") for w in m.group("values").split(",")) if m else ()
                    return kind, tuple(w for w in words if w)
            elif clause == word or clause.startswith((word + " ", word + ",", word + ":")):
                return kind, None
    return None, None


def allows_empty(help_text: str, default: Any) -> bool:
    """Whether the empty text is accepted: an empty default, or ``empty: …`` in the comment."""
    return default == "" or default == [] or "empty:" in help_text.lower()


def kind_words(kind: str, items: tuple[str, ...] | None = None, *, as_list: bool = False) -> str:
    """What a kind accepts, in words (``as_list``: for a parameter whose default is a list)."""
    if as_list and kind == "names":
        return "a list of names such as [purchase, subscribed]"
    if as_list and kind == "list_of":
        return "a list of values from " + ", ".join(repr(i) for i in items or ())
    if kind == "list_of":
        return "comma-separated values from " + ", ".join(repr(i) for i in items or ())
    text = _EXAMPLES[kind]
    if kind == "stage_model":
        from jkit.stages import TEMPLATES

        text = text.format(templates=", ".join(TEMPLATES))
    return text


def is_pathlike(text: str) -> bool:
    """Text that reads as a path rather than a name: a separator, a leading ``.``/``~`` or a file suffix."""
    return "/" in text or "\\" in text or text.startswith((".", "~")) or bool(re.search(r"\.[A-Za-z]\w{0,7}$", text))


def _duration(text: str) -> str | None:
    if not _DURATION.match(text):
        return "is not a duration (a number and a unit)"
    import pandas as pd

    try:
        value = pd.Timedelta(text.strip())
    except (ValueError, TypeError):
        return "is not a duration pandas can read"
    return None if value > pd.Timedelta(0) else "is not a positive duration"


def _date(text: str) -> str | None:
    if not _DATE.match(text.strip()):
        return "is not a date (YYYY-MM-DD) or an ISO instant"
    try:
        dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return "is not a real date"
    return None


def _timezone(text: str) -> str | None:
    stripped = text.strip()
    if re.fullmatch(r"[+-]\d{2}:?\d{2}", stripped) or stripped.upper() in ("UTC", "Z"):
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(stripped)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "is not a known time zone"
    return None


def _names(text: str) -> str | None:
    items = [t.strip() for t in text.split(",")]
    if any(not t for t in items):
        return "has an empty name between commas"
    bad = [t for t in items if not _NAME.match(t)]
    if not bad:
        return None
    return "is not a name" if len(items) == 1 else f"holds {bad[0]!r}, which is not a name"


def check_kind(kind: str, value: Any, *, items: tuple[str, ...] | None, base: Path | None,
               bad: Callable[[str], Exception]) -> Any:
    """Check a non-empty value against its kind; return it (paths are not resolved here)."""
    if kind == "list_of" and isinstance(value, list):
        unknown = [v for v in value if v not in (items or ())]
        if unknown:
            raise bad(f"{unknown[0]!r} is not allowed")
        return value
    if kind == "names" and isinstance(value, list):
        bad_items = [v for v in value if not isinstance(v, str) or not _NAME.match(v.strip())]
        if bad_items:
            raise bad(f"{bad_items[0]!r} is not a name")
        return value
    if not isinstance(value, str):
        raise bad(f"{value!r} is not text")
    reason = None
    if kind == "duration":
        reason = _duration(value)
    elif kind == "date":
        reason = _date(value)
    elif kind == "timezone":
        reason = _timezone(value)
    elif kind == "name":
        reason = None if _NAME.match(value.strip()) and "," not in value else "is not a name"
    elif kind == "names":
        reason = _names(value)
    elif kind == "list_of":
        parts = [t.strip() for t in value.split(",")]
        unknown = [t for t in parts if t not in (items or ())]
        if unknown:
            reason = f"holds {unknown[0]!r}, which is not allowed" if unknown[0] else "has an empty item between commas"
    elif kind == "stage_model":
        from jkit.stages import TEMPLATES

        if value.strip() not in TEMPLATES and not value.strip().endswith((".yaml", ".yml")):
            reason = "is neither a stage model template nor a .yaml file"
    elif kind == "name_or_path" and not is_pathlike(value):
        reason = None if _NAME.match(value.strip()) else "is not a name or a path"
    if reason:
        raise bad(f"{value!r} {reason}")
    return value


def check_literal(value: Any, bad: Callable[[str], Exception]) -> None:
    """Values must be plain literals papermill can write into Python and ``run.json`` can hold."""
    import math

    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        raise bad(f"{value!r} is not a finite number")
    if isinstance(value, (str, bool, int, float)) or value is None:
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            check_literal(v, bad)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise bad(f"the key {k!r} is not text (quote it in YAML: '{k}')")
            check_literal(v, bad)
        return
    raise bad(f"{value!r} ({type(value).__name__}) is not a plain literal (text, number, true/false, list or "
              "mapping); quote dates and times in YAML: '2025-07-01'")


def parse_bounds(help_text: str, name: str, notebook: str) -> tuple[float | None, float | None]:
    m = _RANGE.search(help_text)
    if not m:
        return None, None
    try:
        low = float(m.group("low")) if m.group("low") else None
        high = float(m.group("high")) if m.group("high") else None
    except ValueError:
        raise ParameterError(
            f"{notebook}: parameter {name!r}: cannot read the range in its comment {help_text!r}; "
            "write it as 'range: 0..1' (either bound may be left out)"
        ) from None
    return low, high


def _listed_words(pattern: re.Pattern, help_text: str) -> list[str] | None:
    """The comma-separated, unquoted words after ``one of:`` / ``also:``; None when absent."""
    m = pattern.search(help_text)
    if not m:
        return None
    return [w for w in (raw.strip().strip("'\"") for raw in m.group("values").split(",")) if w]


def parse_also(help_text: str) -> tuple[str, ...]:
    return tuple(_listed_words(_ALSO, help_text) or ())


def parse_choices(help_text: str, type_: str) -> tuple | None:
    words = _listed_words(_CHOICES, help_text)
    if words is None:
        return None
    values = []
    for raw in words:
        if type_ == "int":
            try:
                values.append(int(raw))
                continue
            except ValueError:
                pass
        if type_ == "float":
            try:
                values.append(float(raw))
                continue
            except ValueError:
                pass
        values.append(raw)
    return tuple(values)
