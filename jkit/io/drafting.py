"""``jkit init``: draft a study (``study.yaml`` + ``stages.yaml``) from raw exports, then validate it.

A vendor export (:func:`jkit.io.importers.detect_format`, or ``format=``) is read by its importer,
which maps the columns itself. Any other file is read as it is (separator and encoding sniffed) and
each contract column (:data:`jkit.schema.TABLES`) is looked for by name — the contract name, then
:data:`SYNONYMS`, without case or punctuation (``"Customer ID"`` is ``customer_id``), then names
holding a telling word (``Order Time``) — and kept only when its content fits: 95% of the times
parse, ids are present, numbers are numbers in the contract's range. Each decision carries its
evidence. Files above :data:`LARGE_BYTES` are inferred from their first :data:`SAMPLE_ROWS` rows;
their event names are still counted over the whole file.

Decisions worth knowing:

* Day/month order: written when the data decides (a day above 12); when every day is at most 12,
  ``dayfirst: false`` is written and the user is asked to check.
* ``revenue`` is mapped only when purchase-like events alone carry values: a ``price`` that views
  and carts carry too is a product price, not revenue (left unmapped, listed under "Check").
* Stages: an event name of the stage template (``five_stage`` unless told) goes to its stage; any
  other name goes by the first :data:`RULES` keyword among its words to the stage of the template
  event it behaves like (``cart`` -> ``add_to_cart``; ``view_search_results`` -> ``search``; a bare
  ``view`` is a product view, ``page_view`` a landing visit). Retention (repeat, login,
  session_start) and advocacy (review, share, refer) are tried before purchase, and purchase
  before consideration, so ``repeat_purchase`` is retention. Stages with no event are left out;
  names no rule places go under ``unassigned:`` (loaded with no stage) for the user to assign.
  When fewer than two stages get events, a two-stage model is drafted: ``first_seen`` (the name
  most customers do first) and ``later`` (the rest).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from jkit.errors import DataValidationError, JkitError, ParameterError
from jkit.io.readers import BLANK_LIKE, FILE_FORMATS, ReadSpec, expand_paths, format_of, read_source
from jkit.io.sniff import WHITESPACE, read_head, sniff_encoding, sniff_separator
from jkit.schema import TABLES, ColumnSpec
from jkit.stages import load_stage_model
from jkit.timestamps import parse_timestamps

__all__ = ["Draft", "TableDraft", "draft_study", "place_event", "SYNONYMS", "RULES"]

SAMPLE_ROWS = 200_000
LARGE_BYTES = 64 << 20
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
#: keyword rules for event names, first match wins: (words, the template event the name behaves like)
RULES: tuple[tuple[tuple[str, ...], str], ...] = tuple((tuple(w.split()), e) for w, e in (
    ("repeat renew renewal reorder rebuy return returning resubscribe", "repeat_purchase"),
    ("login signin sign_in log_in logon session_start app_open", "account_login"),
    ("support help ticket contact complaint chat", "support_contact"),
    ("review rate rating", "review_posted"), ("refer referral invite recommend", "referral_sent"),
    ("share", "social_share"), ("checkout payment shipping billing", "checkout_start"),
    ("purchase order buy transaction subscribe subscribed subscription signup sign_up register registration pay paid "
     "conversion", "purchase"),
    ("search", "search"), ("wishlist wish favorite favourite save", "add_to_wishlist"),
    ("compare comparison", "compare"), ("cart basket", "add_to_cart"),
    ("impression promotion promo ad ads banner campaign", "ad_impression"),
    ("landing visit first_visit first_open page pageview screen install home", "landing_visit"),
    ("email newsletter open", "email_open"), ("view product item detail browse", "product_view"),
))
_PURCHASE_LIKE = {"purchase", "repeat_purchase"}


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if w]


@dataclass
class Column:
    """One contract column's decision: the file column (None: not mapped) and the evidence."""

    contract: str
    column: str | None
    evidence: str


@dataclass
class TableDraft:
    """What ``jkit init`` decided for one table (``format`` is written only when not the file's own)."""

    table: str
    path: Path
    how: str
    rows: int = 0
    format: str | None = None
    sep: str | None = None
    encoding: str | None = None
    columns: list[Column] = field(default_factory=list)
    dayfirst: bool | None = None
    missing: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    sampled: bool = False

    @property
    def importer(self) -> bool:
        """Whether a vendor importer reads the file (and maps its columns)."""
        return self.format not in (None, *FILE_FORMATS)


@dataclass
class Draft:
    """The drafted study: what was written and decided, and what loading it found."""

    out_dir: Path
    study_path: Path
    stages_path: Path | None = None
    tables: dict[str, TableDraft] = field(default_factory=dict)
    stages: list[tuple[str, list[tuple[str, int, str]]]] = field(default_factory=list)
    unassigned: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validation: str = ""
    loads: bool = False

    @property
    def must_map(self) -> list[str]:
        """``table.column`` of every required column no file column was found for."""
        return [f"{t.table}.{c}" for t in self.tables.values() for c in t.missing]

    @property
    def checks(self) -> list[str]:
        """What the user should check."""
        return [c for t in self.tables.values() for c in t.checks] + self.notes

    @property
    def exit_code(self) -> int:
        """0 when the draft loads strictly and maps every required column, else 1."""
        return 0 if self.loads and not self.must_map else 1

    def report(self) -> str:
        """The summary ``jkit init`` prints."""
        lines = [f"drafted {self.study_path}" + (f" and {self.stages_path}" if self.stages_path else "")]
        for t in self.tables.values():
            where = [f"{t.rows:,} rows"] + [x for x in (t.sep and f"separator {t.sep!r}", t.encoding) if x]
            lines.append(f"{t.table}: {t.path} — {t.how} ({', '.join(where)})")
            for c in t.columns:
                via = c.contract if not c.column else (
                    f"{c.contract} (from the {t.format} importer)" if t.importer else f"{c.contract} ← {c.column}")
                lines.append(f"  {via}: {c.evidence}")
            for c in t.missing:
                tried = "; ".join(t.refused.get(c, [])) or f"no column named {c}, {', '.join(SYNONYMS[c][:5])}…"
                lines.append(f"  you must map {t.table}.{c}: {tried}; add `{c}: <file column>` under "
                             f"{t.table}.columns in study.yaml")
            if t.others:
                more = f" and {len(t.others) - 12} more" if len(t.others) > 12 else ""
                lines.append(f"  other columns, kept as they are: {', '.join(t.others[:12])}{more}")
        if "events" in self.tables and "customers" not in self.tables:
            lines.append("customers: from_events (one per customer_id, sign-up = first event)")
        if self.stages:
            lines.append("stages:")
            lines += [f"  {name}: " + ", ".join(f"{e} ({n:,})" for e, n, _ in evs) for name, evs in self.stages]
            lines.append("  unassigned (assign them in stages.yaml): "
                         + (", ".join(f"{e} ({n:,})" for e, n in self.unassigned) or "none"))
        lines += [f"validation: {self.validation}", "Check:"] + [f"  - {c}" for c in self.checks or ["nothing"]]
        return "\n".join(lines)


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
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return "date/time values" if pd.api.types.is_datetime64_any_dtype(s.dtype) else "epoch times"
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


def _candidates(frame: pd.DataFrame, spec: ColumnSpec, claimed: set[str]) -> list[str]:
    """File columns that could be ``spec``, best first: its name, synonyms, telling words."""
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        by_norm.setdefault(_norm(col), str(col))
    names = [spec.name] if spec.name in frame.columns else []
    names += [c for n in (spec.name, *SYNONYMS.get(spec.name, ())) if (c := by_norm.get(_norm(n))) is not None]
    if spec.name in _HINTS:
        first, second = _HINTS[spec.name]
        names += [str(c) for c in frame.columns if (w := set(_words(str(c)))) & first and (w & second or not second)]
    if spec.name == "text" and not names:  # free text under another name: the longest text column
        lengths = {str(c): frame[c].astype("string").str.len().mean() for c in frame.columns
                   if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])) and c not in claimed}
        names = [max(lengths, key=lambda c: lengths[c])] if lengths and max(lengths.values()) >= 20 else []
    return [c for c in dict.fromkeys(names) if c not in claimed]


def _infer(frame: pd.DataFrame, t: TableDraft) -> None:
    """Map each contract column of ``t.table`` to the first candidate whose content fits."""
    claimed: set[str] = set()
    for spec in sorted(TABLES[t.table], key=lambda s: (not s.required, s.name == "revenue")):
        if spec.name == "stage":  # stage names must match the stage model: never guessed
            continue
        refused = []
        for col in _candidates(frame, spec, claimed):
            evidence, why, dayfirst = _check(frame[col], spec)
            if evidence is None:
                refused.append(f"{col} ({why})")
                continue
            claimed.add(col)
            t.columns.append(Column(spec.name, col, evidence))
            t.dayfirst = dayfirst if t.dayfirst is None else t.dayfirst
            if "at most 12" in evidence:
                t.checks.append(f"{t.table}.{spec.name} ← {col}: dates could be day-first; dayfirst: false is "
                                "written — set it to true if they are")
            aware = isinstance(frame[col].dtype, pd.DatetimeTZDtype) or "with zone" in evidence or "epoch" in evidence
            if spec.kind == "timestamp" and not aware:
                t.checks.append(f"{t.table}.{spec.name} ← {col}: times carry no zone and are read as UTC; set "
                                "timezone: in study.yaml if they are local times")
            break
        else:
            if spec.name in REQUIRED[t.table]:
                t.missing.append(spec.name)
                t.refused[spec.name] = refused
            elif refused:
                t.columns.append(Column(spec.name, None, "not mapped: " + "; ".join(refused)))
                t.checks.append(f"{t.table}.{spec.name} is not mapped: " + "; ".join(refused))
                if spec.name in frame.columns:
                    t.checks.append(f"{t.table}: column {spec.name!r} has the contract's name, so loading reads "
                                    "it and will refuse it; rename it in the file")
            elif spec.default and spec.default != "row":
                t.columns.append(Column(spec.name, None, f"no column found: filled with {spec.default!r}"))


# --------------------------------------------------------------------------- reading


def _read(path: Path, table: str, fmt: str | None) -> tuple[TableDraft, pd.DataFrame]:
    """Read the file (or the start of a large one) and say how it is written."""
    first = expand_paths(path)[0]
    if fmt is None and table != "customers":
        from jkit.io.importers import detect_format

        found = detect_format(first, table)
        fmt = found.name if found is not None else None
    kind = fmt or format_of(first) or "csv"
    if fmt is not None and fmt not in FILE_FORMATS:
        from jkit.io.importers import get_importer

        t = TableDraft(table, path, f"format {fmt}: {get_importer(fmt).description} (its importer maps the columns)",
                       format=fmt)
    else:
        t = TableDraft(table, path, f"plain {kind.upper()} (no vendor format recognised)",
                       format=fmt if fmt and fmt != format_of(first) else None)
    if kind in ("csv", "tsv"):
        head = read_head(first)
        t.encoding = sniff_encoding(first, head)
        sep = "\t" if kind == "tsv" else sniff_separator(first, t.encoding, head)
        t.sep = {"\t": "tab", WHITESPACE: "whitespace"}.get(sep, sep)
        if first.stat().st_size > LARGE_BYTES:
            frame = pd.read_csv(first, sep=sep, encoding=t.encoding, dtype=str, keep_default_na=False,
                                na_values=list(BLANK_LIKE), nrows=SAMPLE_ROWS, on_bad_lines="skip")
            frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
            t.rows, t.sampled = len(frame), True
            t.how += f", {first.stat().st_size / 2**20:,.0f} MB: columns inferred from the first {SAMPLE_ROWS:,} rows"
            t.checks.append(f"{table}: the column map was inferred from the first {SAMPLE_ROWS:,} rows only")
            return t, frame
    raw = read_source(ReadSpec(path=path, format=fmt, sep=t.sep or "auto"), lenient=True)
    t.rows = len(raw.frame)
    if raw.bad:
        t.checks.append(f"{table}: {len(raw.bad):,} records cannot be read (record {raw.bad[0].row}: "
                        f"{raw.bad[0].reason}); fix them, or set lenient: true in study.yaml")
    return t, raw.frame


def _event_counts(t: TableDraft, frame: pd.DataFrame, column: str) -> pd.Series:
    """Count of each event name (stripped, as :func:`jkit.load` reads them); the whole file when sampled."""
    if not t.sampled:
        return frame[column].astype("string").str.strip().replace("", pd.NA).dropna().value_counts()
    sep = {"tab": "\t", "whitespace": WHITESPACE}.get(str(t.sep), t.sep)
    chunks = pd.read_csv(expand_paths(t.path)[0], sep=sep, encoding=t.encoding, dtype=str, usecols=[column],
                         chunksize=1 << 20, keep_default_na=False, na_values=list(BLANK_LIKE), on_bad_lines="skip")
    counts = pd.concat([c[column].astype("string").str.strip().value_counts() for c in chunks])
    return counts.groupby(level=0).sum().sort_values(ascending=False)


# --------------------------------------------------------------------------- stages


def place_event(name: str, stage_of: dict[str, str]) -> tuple[str | None, str | None, str]:
    """The stage of event ``name`` under a template's ``stage_of``, the template event it is like, and why."""
    by_norm = {_norm(e): e for e in stage_of}
    if name in stage_of or _norm(name) in by_norm:
        like = name if name in stage_of else by_norm[_norm(name)]
        return stage_of[like], like, "an event of the template" if like == name else f"the template's {like}"
    words = _words(name)
    for keys, like in RULES:
        for key in keys:
            k = key.split("_")
            if any(words[i:i + len(k)] == k for i in range(len(words))):
                why = f"word {key!r}: like {like}"
                return (stage_of[like], like, why) if like in stage_of else (None, like, why + " (not in the template)")
    return None, None, "no rule places it"


def _first_names(frame: pd.DataFrame, ev: TableDraft) -> pd.Series:
    """How many customers do each event name first (events of each name when times are unmapped)."""
    col = {c.contract: c.column for c in ev.columns if c.column}
    names = frame[col["event"]].astype("string").str.strip()
    if "customer_id" not in col or "timestamp" not in col:
        return names.value_counts()
    times = parse_timestamps(frame[col["timestamp"]], dayfirst=ev.dayfirst)
    ordered = pd.DataFrame({"c": frame[col["customer_id"]], "t": times, "e": names}).dropna().sort_values("t")
    return ordered.groupby("c", sort=False)["e"].first().value_counts()


def _draft_stages(draft: Draft, counts: pd.Series, template: str, first: Callable[[], pd.Series]) -> str:
    """Place the names of ``counts`` by ``template`` into ``draft.stages``; the text of stages.yaml."""
    model = load_stage_model(template)
    placed: dict[str, list[tuple[str, int, str]]] = {s.name: [] for s in model.stages}
    for name, n in counts.items():
        stage, _, why = place_event(str(name), model.stage_of())
        if stage is None:
            draft.unassigned.append((str(name), int(n)))
        else:
            placed[stage].append((str(name), int(n), why))
    descriptions = {s.name: s.description for s in model.stages}
    draft.stages = [(s.name, placed[s.name]) for s in model.stages if placed[s.name]]
    dropped = [s.name for s in model.stages if not placed[s.name]]
    if len(draft.stages) < 2:
        pool = [x for _, evs in draft.stages for x in evs]
        if len(pool) < 2:
            pool += [(e, n, "not placed by the rules") for e, n in draft.unassigned]
            draft.unassigned = []
        firsts = first()
        pool.sort(key=lambda x: (-int(firsts.get(x[0], 0)), -x[1]))
        later = pool[1:] or [("next_event", 0, "placeholder: the data holds a single event name")]
        draft.stages, dropped = [("first_seen", pool[:1]), ("later", later)], []
        descriptions = {"first_seen": "The event most customers do first.", "later": "Everything after it."}
        draft.notes.append(f"fewer than two stages of {model.name} got events: drafted a two-stage model "
                           "(first_seen = the name most customers do first, later = the rest); regroup it")
    if draft.unassigned:
        draft.notes.append("assign the unassigned event names in stages.yaml (they load with no stage): "
                           + ", ".join(f"{e} ({n:,})" for e, n in draft.unassigned))
    draft.notes.append(f"the stage of each event name in stages.yaml (placed by name, template {model.name})")
    lines = [f"# stages.yaml drafted by `jkit init` from the {len(counts):,} event names of "
             f"{draft.tables['events'].path.name}, by the {model.name} template.",
             "# After each name: its number of events and why it is there. Move names between stages as the",
             "# journey needs; names under `unassigned` load with no stage until you give them one.",
             f"name: {_q(model.name + '_draft')}", f"description: {_q('Drafted by jkit init from ' + model.name)}",
             "stages:"]
    for name, evs in draft.stages:
        lines += [f"  - name: {_q(name)}", f"    description: {_q(descriptions.get(name, ''))}", "    events:"]
        lines += [f"      - {_q(e)}" + _c(f"{_events(n)}; {why}") for e, n, why in evs]
    lines += [f"# not drafted (no event in the data): {', '.join(dropped)}"] if dropped else []
    lines.append("unassigned:" + ("" if draft.unassigned else " []"))
    lines += [f"  - {_q(e)}" + _c(f"{_events(n)}; no rule places it") for e, n in draft.unassigned]
    return "\n".join(lines) + "\n"


def _revenue(ev: TableDraft, frame: pd.DataFrame, purchase_like: set[str]) -> None:
    """Keep a revenue column only when purchase-like events alone carry values (else it is a price)."""
    chosen = next((c for c in ev.columns if c.contract == "revenue" and c.column), None)
    event_col = next((c.column for c in ev.columns if c.contract == "event" and c.column), None)
    if chosen is None or event_col is None or chosen.column == "revenue" or ev.importer:
        return
    values = pd.to_numeric(frame[chosen.column].astype("string").str.strip(), errors="coerce")
    other = ~frame[event_col].astype("string").str.strip().isin(purchase_like)
    share = float((values[other].fillna(0) != 0).mean()) if other.any() else 0.0
    if share > 0.05 or not purchase_like:
        kinds = ", ".join(frame.loc[other & values.notna(), event_col].astype("string").value_counts().index[:3])
        chosen.evidence = f"not mapped: {chosen.column} holds values on {share:.0%} of the other events ({kinds}): " \
                          "a price, not revenue"
        ev.checks.append(f"events.revenue is not mapped: {chosen.column} is set on {kinds} events too. Revenue of "
                         f"purchases: the {chosen.column} of purchase events after loading, or map a revenue column")
        chosen.column = None


# --------------------------------------------------------------------------- writing and checking


def _q(value: object) -> str:
    """``value`` as a YAML scalar that reads back as the same string."""
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./\-]*", text) and yaml.safe_load(text) == text
    return text if plain else json.dumps(text, ensure_ascii=False)


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


def _c(text: str) -> str:
    return "  # " + " ".join(str(text).split())


def _study_yaml(draft: Draft) -> str:
    lines = ["# study.yaml drafted by `jkit init`: the comments say what was decided and why.",
             f"# Check the decisions, then run `jkit validate {draft.out_dir}`.", f"name: {_q(draft.out_dir.name)}"]
    for t in draft.tables.values():
        try:
            rel = Path(os.path.relpath(t.path.resolve(), draft.out_dir.resolve())).as_posix()
        except ValueError:  # another drive (Windows): keep the absolute path
            rel = t.path.resolve().as_posix()
        lines += [f"{t.table}:", f"  path: {_q(rel)}" + _c("relative to this file; the data stays where it is")]
        lines.append(f"  format: {_q(t.format)}" + _c(t.how) if t.format else "  #" + _c(t.how)[3:])
        lines += [f"  sep: {_q(t.sep)}" + _c("sniffed")] if t.sep and t.sep != "," else []
        lines += [f"  encoding: {_q(t.encoding)}" + _c("sniffed")] if t.encoding not in (None, "utf-8", "utf-8-sig") else []
        maps = [c for c in t.columns if c.column and c.column != c.contract and not t.importer]
        lines.append("  columns:" + ("" if maps or t.missing else " {}"))
        lines += [f"    {c.contract}: {_q(c.column)}" + _c(c.evidence) for c in maps]
        lines += [f"    # {c}: ???" + _c(f"you must map {c}: no column looks like it") for c in t.missing]
        lines += ["  #" + _c(f"{c.contract}: {'from the importer' if t.importer else 'so named'}: {c.evidence}")[3:]
                  for c in t.columns if c.column and c not in maps]
        lines += ["  #" + _c(f"{c.contract} {c.evidence}")[3:] for c in t.columns if not c.column]
        if t.dayfirst is not None:
            lines.append(f"  dayfirst: {'true' if t.dayfirst else 'false'}" + _c("day/month order: see timestamp"))
    if "events" in draft.tables and "customers" not in draft.tables:
        lines.append("customers: from_events" + _c("no customers file: one per customer_id, sign-up = first event"))
    if draft.stages_path is not None:
        lines.append("stages: stages.yaml" + _c("drafted from the event names; check it"))
    return "\n".join(lines) + "\n"


def _validate(draft: Draft) -> None:
    """Load the draft strictly; when that fails, leniently, and say what was set aside."""
    from jkit.io.loader import load

    def sizes(data) -> str:
        return ", ".join(f"{len(getattr(data, t)):,} {t}" for t in ("events", "customers", "feedback")
                         if t in data.tables or t in data.derived)

    try:
        draft.validation, draft.loads = f"jkit.load(study.yaml) loads strictly: {sizes(load(draft.study_path))}", True
        return
    except JkitError as exc:
        draft.validation = f"strict loading fails: {exc}"
    draft.notes.append("the draft does not load strictly: fix what validation says, then `jkit validate`")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load(draft.study_path, lenient=True)
    except JkitError as exc:
        draft.validation += f"\n  lenient loading fails too: {exc}"
        return
    aside = ", ".join(f"{n:,} of {data.validation.rows_read[t]:,} {t} rows"
                      for t, n in data.validation.rows_set_aside.items() if n)
    draft.validation += f"\n  lenient loading sets aside {aside or 'no rows'}: {sizes(data)}"


def _formats(fmt: str | None, given: dict[str, Path]) -> dict[str, str]:
    """The table ``--format`` applies to: its importer's, or (plain formats) events, else the only file."""
    if fmt is None:
        return {}
    if fmt.lower() in FILE_FORMATS:
        return {"events" if "events" in given else next(iter(given)): fmt.lower()}
    from jkit.io.importers import get_importer

    table = get_importer(fmt.lower()).table
    if table not in given:
        raise ParameterError(f"format {fmt!r} reads a {table} table; give that file with --{table}")
    return {table: fmt.lower()}


def draft_study(
    out_dir: str | Path,
    *,
    events: str | Path | None = None,
    customers: str | Path | None = None,
    feedback: str | Path | None = None,
    format: str | None = None,
    stages_template: str | Path | None = None,
    force: bool = False,
    validate: bool = True,
) -> Draft:
    """Draft ``out_dir/study.yaml`` (and ``stages.yaml``) from raw exports, then load it to check it.

    Parameters
    ----------
    out_dir : str or Path
        Folder of the study (made when missing). The data files stay where they are: the study
        file names them by paths relative to it.
    events, customers, feedback : str or Path, optional
        The raw file (a glob or a folder too) of each table; at least one.
    format : str, optional
        A vendor format (``ga4``…: for the file of its table) or a plain one (``csv``…: for the
        events file, else the only file); default: detected.
    stages_template : str or Path, optional
        Stage template the event names are placed by (default ``five_stage``).
    force : bool, default False
        Overwrite an existing ``study.yaml``/``stages.yaml``.
    validate : bool, default True
        Load the draft with :func:`jkit.load` (strictly, then leniently when that fails).

    Returns
    -------
    Draft
        What was decided and found; ``Draft.report()`` is the summary, ``Draft.exit_code`` 0
        when the draft loads strictly with every required column mapped.

    Raises
    ------
    ParameterError
        When no file is given, or ``study.yaml``/``stages.yaml`` exists and ``force`` is False.
    """
    given = {t: Path(p) for t, p in (("customers", customers), ("events", events), ("feedback", feedback)) if p}
    if not given:
        raise ParameterError("jkit init needs at least one file: --events, --customers or --feedback")
    out = Path(out_dir)
    for path in (out / "study.yaml", out / "stages.yaml"):
        if path.exists() and not force:
            raise ParameterError(f"{path} exists; pass --force to overwrite it")
    draft, frames = Draft(out, out / "study.yaml"), {}
    for table, path in given.items():
        t, frame = _read(path, table, _formats(format, given).get(table))
        draft.tables[table], frames[table] = t, frame
        if not t.importer:
            _infer(frame, t)
            continue
        for spec in TABLES[table]:
            if spec.name in frame.columns:
                t.columns.append(Column(spec.name, spec.name, _check(frame[spec.name], spec)[0] or "present"))
        t.missing = [c for c in REQUIRED[table] if c not in frame.columns]
    ev = draft.tables.get("events")
    event_col = next((c.column for c in ev.columns if c.contract == "event" and c.column), None) if ev else None
    counts = _event_counts(ev, frames["events"], event_col) if ev and event_col else pd.Series(dtype="int64")
    stages_text = None
    if ev is not None and counts.empty:
        draft.notes.append("no event names were read: stages.yaml is not drafted (five_stage applies)")
    elif ev is not None:
        template = str(stages_template or "five_stage")
        stages_text = _draft_stages(draft, counts, template, lambda: _first_names(frames["events"], ev))
        stage_of = load_stage_model(template).stage_of()
        _revenue(ev, frames["events"], {str(n) for n in counts.index if place_event(str(n), stage_of)[1]
                                        in _PURCHASE_LIKE})
        draft.stages_path = out / "stages.yaml"
    for table, t in draft.tables.items():
        used = {c.column for c in t.columns if c.column} | {spec.name for spec in TABLES[table]}
        t.others = [str(c) for c in frames[table].columns if c not in used]
    out.mkdir(parents=True, exist_ok=True)
    if stages_text is not None:
        draft.stages_path.write_text(stages_text, encoding="utf-8")
    draft.study_path.write_text(_study_yaml(draft), encoding="utf-8")
    if validate:
        _validate(draft)
    return draft
