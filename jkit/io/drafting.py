"""``jkit init``: draft a study (``study.yaml`` + ``stages.yaml``) from raw exports, then validate it.

A vendor export (:func:`jkit.io.importers.detect_format`, or ``format=``) is read by its importer,
which maps the columns itself. Any other file is read as it is (separator and encoding sniffed) and
its column map is guessed with evidence by :func:`jkit.io.column_guess.guess_columns` (names,
synonyms, then content checks; the day/month order; revenue vs price). Files above
:data:`LARGE_BYTES` are inferred from their first :data:`SAMPLE_ROWS` rows; their event names are
still counted over the whole file. The event names are placed into stages by
:func:`jkit.io.stage_draft.draft_stages`.

This module owns the orchestration (:func:`draft_study`), the records of what was decided
(:class:`Draft`, :class:`TableDraft`), reading the files, writing ``study.yaml`` and loading the
draft to validate it. :data:`SYNONYMS`, :data:`RULES` and :func:`place_event` are re-exported
from the modules that own them.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jkit.errors import JkitError, ParameterError
from jkit.io.column_guess import SYNONYMS, Column, guess_columns, importer_columns, unmap_price_as_revenue
from jkit.io.readers import BLANK_LIKE, FILE_FORMATS, ReadSpec, expand_paths, format_of, read_source
from jkit.io.sniff import WHITESPACE, read_head, sniff_encoding, sniff_separator
from jkit.io.stage_draft import RULES, draft_stages, first_names, place_event, yaml_comment, yaml_scalar
from jkit.schema import TABLES

__all__ = ["Draft", "TableDraft", "draft_study", "place_event", "SYNONYMS", "RULES"]

#: rows a large file's column map is inferred from
SAMPLE_ROWS = 200_000
#: files above this many bytes are large
LARGE_BYTES = 64 << 20


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
    # the header as read for the sample is stripped ("user_id, event_time"): match it the same way
    chunks = pd.read_csv(expand_paths(t.path)[0], sep=sep, encoding=t.encoding, dtype=str,
                         usecols=lambda name: str(name).strip() == column,
                         chunksize=1 << 20, keep_default_na=False, na_values=list(BLANK_LIKE), on_bad_lines="skip")
    counts = pd.concat([c.iloc[:, 0].astype("string").str.strip().replace("", pd.NA).dropna().value_counts()
                        for c in chunks])
    return counts.groupby(level=0).sum().sort_values(ascending=False)


# --------------------------------------------------------------------------- writing and checking


def _study_yaml(draft: Draft) -> str:
    """The text of study.yaml, each decision commented with its evidence."""
    q, note = yaml_scalar, yaml_comment
    lines = ["# study.yaml drafted by `jkit init`: the comments say what was decided and why.",
             f"# Check the decisions, then run `jkit validate {draft.out_dir}`.", f"name: {q(draft.out_dir.name)}"]
    for t in draft.tables.values():
        try:
            rel = Path(os.path.relpath(t.path.resolve(), draft.out_dir.resolve())).as_posix()
        except ValueError:  # another drive (Windows): keep the absolute path
            rel = t.path.resolve().as_posix()
        lines += [f"{t.table}:", f"  path: {q(rel)}" + note("relative to this file; the data stays where it is")]
        lines.append(f"  format: {q(t.format)}" + note(t.how) if t.format else "  #" + note(t.how)[3:])
        lines += [f"  sep: {q(t.sep)}" + note("sniffed")] if t.sep and t.sep != "," else []
        lines += [f"  encoding: {q(t.encoding)}" + note("sniffed")] if t.encoding not in (None, "utf-8", "utf-8-sig") else []
        maps = [c for c in t.columns if c.column and c.column != c.contract and not t.importer]
        lines.append("  columns:" + ("" if maps or t.missing else " {}"))
        lines += [f"    {c.contract}: {q(c.column)}" + note(c.evidence) for c in maps]
        lines += [f"    # {c}: ???" + note(f"you must map {c}: no column looks like it") for c in t.missing]
        lines += ["  #" + note(f"{c.contract}: {'from the importer' if t.importer else 'so named'}: {c.evidence}")[3:]
                  for c in t.columns if c.column and c not in maps]
        lines += ["  #" + note(f"{c.contract} {c.evidence}")[3:] for c in t.columns if not c.column]
        if t.dayfirst is not None:
            lines.append(f"  dayfirst: {'true' if t.dayfirst else 'false'}" + note("day/month order: see timestamp"))
    if "events" in draft.tables and "customers" not in draft.tables:
        lines.append("customers: from_events" + note("no customers file: one per customer_id, sign-up = first event"))
    if draft.stages_path is not None:
        lines.append("stages: stages.yaml" + note("drafted from the event names; check it"))
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
    formats = _formats(format, given)
    for table, path in given.items():
        t, frame = _read(path, table, formats.get(table))
        draft.tables[table], frames[table] = t, frame
        guess = importer_columns(frame, table) if t.importer else guess_columns(frame, table)
        t.columns, t.dayfirst, t.missing, t.refused = guess.columns, guess.dayfirst, guess.missing, guess.refused
        t.checks += guess.checks
    ev = draft.tables.get("events")
    event_col = next((c.column for c in ev.columns if c.contract == "event" and c.column), None) if ev else None
    counts = _event_counts(ev, frames["events"], event_col) if ev and event_col else pd.Series(dtype="int64")
    stages_text = None
    if ev is not None and counts.empty:
        draft.notes.append("no event names were read: stages.yaml is not drafted (five_stage applies)")
    elif ev is not None:
        staged = draft_stages(counts, str(stages_template or "five_stage"),
                              lambda: first_names(frames["events"], ev.columns, ev.dayfirst), ev.path.name)
        draft.stages, draft.unassigned, stages_text = staged.stages, staged.unassigned, staged.text
        draft.notes += staged.notes
        if not ev.importer and (check := unmap_price_as_revenue(ev.columns, frames["events"], staged.purchase_like)):
            ev.checks.append(check)
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
