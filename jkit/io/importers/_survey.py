"""The survey importers' shared core: questions, the text and score rules, the mapping to the contract.

The rules are documented in :mod:`jkit.io.importers.surveys`; this module implements them once for
Qualtrics, SurveyMonkey, Typeform and Google Forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jkit.errors import ParameterError
from jkit.io.importers._feedback import (
    CsvTable,
    assemble,
    blank_to_na,
    check_bool,
    check_options,
    check_timezone,
    numbers,
    row_reasons,
    stem_of,
    to_utc,
)
from jkit.io.importers.base import Imported

_SCORES = {  # name: (keywords in the question text, low, high) — detection order
    "nps": (re.compile(r"recommend|net promoter|\bnps\b"), 0, 10),
    "ces": (re.compile(r"\beffort|\bces\b|\beas(?:y|ily|ier)\b|\bdifficult"), 1, 7),
    "csat": (re.compile(r"satisf|\bcsat\b"), 1, 5),
}
COMMON = ("text_column", "score_columns", "customer_column", "keep_personal")


@dataclass
class Question:
    """One answer column of a survey: its id, question text, position and what the vendor says of it."""

    id: str
    text: str
    col: int
    open_hint: bool = False  # the vendor marks it as a text entry
    derived: bool = False  # computed by the vendor (Text iQ topics, NPS group): never text or score
    grouped: bool = False  # one column of a multi-column question: never a score


def survey_options(fmt: str, options: Mapping[str, Any], accepted: tuple[str, ...]) -> dict[str, Any]:
    """The options of a survey format, checked, with their defaults."""
    check_options(fmt, options, accepted)
    opts = {"text_column": None, "score_columns": {}, "customer_column": None, "timezone": "UTC",
            "keep_personal": False, "dayfirst": False, "timestamp_column": None}
    opts.update(options)
    for key in ("text_column", "customer_column", "timestamp_column"):
        if opts[key] is not None and not isinstance(opts[key], str):
            raise ParameterError(f"{fmt}: {key} must be a column id or question text, not {opts[key]!r}")
    scores = opts["score_columns"] or {}
    if not isinstance(scores, Mapping) or any(k not in _SCORES for k in scores):
        raise ParameterError(f"{fmt}: score_columns must map nps, csat or ces to a column id, not {scores!r}")
    opts["score_columns"] = dict(scores)
    opts["timezone"] = check_timezone(fmt, opts["timezone"])
    opts["keep_personal"] = check_bool(fmt, "keep_personal", opts["keep_personal"])
    opts["dayfirst"] = check_bool(fmt, "dayfirst", opts["dayfirst"])
    return opts


def _resolve(fmt: str, ref: str, questions: list[Question], what: str) -> Question:
    for q in questions:
        if q.id == ref:
            return q
    for q in questions:
        if q.text == ref.strip():
            return q
    ids = ", ".join(q.id for q in questions) or "none"
    raise ParameterError(f"{fmt}: {what} {ref!r} is not a question of the file; its questions are {ids}")


def _detect_scores(frame: pd.DataFrame, questions: list[Question], used: set[str], wanted: list[str],
                   notes: list[str]) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for name in wanted:
        keywords, low, high = _SCORES[name]
        for q in questions:
            if q.id in used or q.derived or q.grouped or not keywords.search(q.text.lower()):
                continue
            values, unreadable = numbers(frame[q.col], leading=True)
            nums = pd.to_numeric(values, errors="coerce").dropna()
            if unreadable.any() or nums.empty or not nums.between(low, high).all():
                notes.append(f"{q.id} ({q.text!r}) reads like a {name} question but its answers are not all numbers "
                             f"from {low} to {high}: kept as column {q.id}; map it with score_columns={{'{name}': "
                             f"'{q.id}'}}")
                continue
            if name in found:
                notes.append(f"{q.id} ({q.text!r}) also reads like a {name} question: kept as column {q.id}")
                continue
            found[name] = q
            used.add(q.id)
            notes.append(f"{name} taken from {q.id} ({q.text!r}), detected from its text")
    return found


def _choose_text(frame: pd.DataFrame, questions: list[Question], used: set[str], notes: list[str]) -> Question | None:
    pool = [q for q in questions if q.id not in used and not q.derived]
    hinted = [q for q in pool if q.open_hint]
    scored: list[tuple[float, int, Question]] = []
    for i, q in enumerate(hinted or pool):
        answers = blank_to_na(frame[q.col]).dropna()
        if not hinted and (answers.empty or not numbers(answers, leading=True)[1].any()):
            continue  # no answers, or only numbers and number-led scale labels ("10 - Extremely likely")
        score = float(answers.str.len().mean() * answers.nunique() / len(answers)) if len(answers) else 0.0
        scored.append((score, -i, q))
    if not scored:
        notes.append("text: no open-text question found, so text is empty; name one with text_column")
        return None
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    best = scored[0][2]
    others = [q for s, _, q in scored[1:] if s > 0]
    if others:
        notes.append(f"text taken from {best.id} ({best.text!r}), the question with the longest, most varied "
                     f"answers; other candidates: {', '.join(q.id for q in others)} — choose with text_column")
    return best


def _customer(fmt: str, path: Path, frame: pd.DataFrame, meta: dict[str, int], questions: list[Question],
              ref: str | None, default: str | None) -> tuple[pd.Series | None, str | None, Question | None]:
    """The customer ids (None when there are none), and the metadata column or question they come from."""
    if ref is None and default is None:
        return None, None, None
    if (ref or default) in meta:
        ids = blank_to_na(frame[meta[ref or default]])
        return (ids if ids.notna().any() else None), ref or default, None
    if ref is None:
        return None, None, None
    try:
        q = _resolve(fmt, ref, questions, "customer_column")
    except ParameterError:
        raise ParameterError(f"{fmt}: customer_column {ref!r} is not a column of {path.name}; its columns are "
                             f"{', '.join([*meta, *(q.id for q in questions)])}") from None
    ids = blank_to_na(frame[q.col])
    return (ids if ids.notna().any() else None), None, q


def _timestamps(frame: pd.DataFrame, meta: dict[str, int], time_columns: list[str], formats: tuple[str, ...],
                timezone: str, reasons: dict[int, str]) -> pd.Series:
    """The first present time of ``time_columns`` in each row; an unreadable one makes the row bad."""
    stamp = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    decided = pd.Series(False, index=frame.index)
    for name in time_columns:
        if name not in meta:
            continue
        raw = frame[meta[name]]
        times, bad = to_utc(raw, timezone=timezone, formats=formats)
        use = ~decided & blank_to_na(raw).notna()
        stamp[use] = times[use]
        row_reasons(reasons, use & bad, raw, name)
        decided |= use
    return stamp


def map_survey(fmt: str, path: Path, table: CsvTable, questions: list[Question], meta: dict[str, int], *,
               opts: dict[str, Any], id_column: str | None, customer_default: str | None, time_columns: list[str],
               formats: tuple[str, ...], timezone: str) -> Imported:
    """Map one survey export (questions and metadata columns found) onto the feedback contract."""
    frame, nums = table.frame, table.numbers
    notes: list[str] = []
    reasons: dict[int, str] = {}
    columns: dict[str, Any] = {}
    if id_column is not None and id_column in meta:
        columns["feedback_id"] = blank_to_na(frame[meta[id_column]])
    else:
        columns["feedback_id"] = pd.Series([f"{stem_of(path)}-{n}" for n in nums], dtype="string")
    ids, customer_meta, customer_q = _customer(fmt, path, frame, meta, questions, opts["customer_column"],
                                               customer_default)
    if ids is not None:
        columns["customer_id"] = ids
    used_meta = {id_column, customer_meta}
    columns["timestamp"] = _timestamps(frame, meta, time_columns, formats, timezone, reasons)
    used: set[str] = {customer_q.id} if customer_q else set()
    chosen_text = _resolve(fmt, opts["text_column"], questions, "text_column") if opts["text_column"] else None
    if chosen_text is not None:
        used.add(chosen_text.id)
    scores: dict[str, Question] = {}
    for name, ref in opts["score_columns"].items():
        if ref is None:
            continue
        q = _resolve(fmt, ref, questions, f"score_columns[{name!r}]")
        if q.id in used:
            raise ParameterError(f"{fmt}: {q.id} cannot be both text and {name}, or two scores")
        scores[name] = q
        used.add(q.id)
    wanted = [name for name in _SCORES if name not in opts["score_columns"]]
    scores.update(_detect_scores(frame, questions, used, wanted, notes))
    if chosen_text is None:
        chosen_text = _choose_text(frame, questions, used, notes)
    columns["text"] = blank_to_na(frame[chosen_text.col]) if chosen_text else pd.Series(pd.NA, index=frame.index,
                                                                                         dtype="string")
    columns["source"] = "survey"
    for name in ("nps", "csat", "ces"):
        if name in scores:
            columns[name] = numbers(frame[scores[name].col], leading=True)[0]
    taken = {q.id for q in scores.values()} | {q.id for q in (chosen_text, customer_q) if q is not None}
    extra = {name: blank_to_na(frame[col]) for name, col in meta.items() if name not in used_meta}
    extra.update({q.id: blank_to_na(frame[q.col]) for q in questions if q.id not in taken})
    attrs = {
        "questions": {q.id: q.text for q in questions},
        "text_column": chosen_text.id if chosen_text else None,
        "score_columns": {name: q.id for name, q in scores.items()},
        "notes": notes,
    }
    return assemble(columns, pd.DataFrame(extra, index=frame.index), numbers_=nums, reasons=reasons,
                    bad=table.bad, source=path.name, attrs=attrs)


def unnamed(meta: dict[str, int], frame: pd.DataFrame, col: int) -> None:
    """Keep a column without a header under ``column_<n>`` unless it is empty throughout."""
    if blank_to_na(frame[col]).notna().any():
        meta[f"column_{col + 1}"] = col
