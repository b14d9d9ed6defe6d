"""Writing the sample data: :func:`make_sample` generates it chunk by chunk (see
:mod:`jkit.datasets.chunks`) and streams customers, events, feedback, the planted personas, the
stage model and ``truth.json`` to temporary files that replace the old ones only when all are written.
It also holds :data:`SMALL`, the arguments of the committed small sample ``data/sample-small``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jkit._rules import to_utc
from jkit.datasets.chunks import Chunk, Tables, build_tables, generate_chunk, iso, rates
from jkit.datasets.truth import (
    DEFAULT_CHUNK_SIZE,
    EVENTS,
    PAIN_POINTS,
    PERIOD_END,
    PERIOD_START,
    STAGE_MODEL,
    STAGES,
    TOUCHPOINTS,
    base_truth,
)
from jkit.errors import ParameterError
from jkit.stages import load_stage_model

__all__ = ["SMALL", "make_sample", "small_sample_dir"]

#: the arguments of the committed small sample ``data/sample-small`` (``jkit sample-data --small``)
SMALL = {"n_customers": 1000, "seed": 0, "events_per_customer": 40.0, "feedback_per_customer": 1.6}


def small_sample_dir() -> Path:
    """The committed small sample, ``data/sample-small`` of the project this jkit is in."""
    return Path(__file__).resolve().parents[2] / "data" / "sample-small"


_EVENT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.dictionary(pa.int32(), pa.string())),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("event", pa.dictionary(pa.int8(), pa.string())),
        ("touchpoint", pa.dictionary(pa.int8(), pa.string())),
        ("revenue", pa.float64()),
        ("session_id", pa.string()),
    ]
)


def _event_table(chunk: Chunk, session_offset: int) -> pa.Table:
    ev = chunk.events
    sessions = pa.array(ev["session"] + session_offset + 1)
    session_id = pc.binary_join_element_wise("S", pc.utf8_lpad(pc.cast(sessions, pa.string()), width=9, padding="0"), "")
    revenue = pa.array(ev["revenue"], mask=np.isnan(ev["revenue"]))
    return pa.Table.from_arrays(
        [
            pa.DictionaryArray.from_arrays(pa.array(ev["customer"], pa.int32()), pa.array(chunk.customer_ids, pa.string())),
            pa.array(ev["time_s"] * 1000, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            pa.DictionaryArray.from_arrays(pa.array(ev["event"], pa.int8()), pa.array(EVENTS)),
            pa.DictionaryArray.from_arrays(pa.array(ev["touchpoint"], pa.int8()), pa.array(TOUCHPOINTS)),
            revenue,
            session_id,
        ],
        schema=_EVENT_SCHEMA,
    )


def _event_frame(table: pa.Table) -> pd.DataFrame:
    """The chunk's events as a CSV-ready frame (ISO timestamps)."""
    frame = pd.DataFrame({name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
                          if name != "timestamp"})
    seconds = table.column("timestamp").cast(pa.int64()).to_numpy() // 1000
    frame.insert(1, "timestamp", iso(seconds))
    return frame[[f.name for f in _EVENT_SCHEMA]]


class _Outputs:
    """Temporary files in the output folder, renamed into place only when everything is written."""

    def __init__(self, out_dir: Path, names: Sequence[str]) -> None:
        self.out_dir = out_dir
        self.final = {n: out_dir / n for n in names}
        self.tmp = {n: out_dir / f".{n}.tmp-{os.getpid()}" for n in names}

    def commit(self) -> None:
        for name, tmp in self.tmp.items():
            os.replace(tmp, self.final[name])

    def cleanup(self) -> None:
        for tmp in self.tmp.values():
            tmp.unlink(missing_ok=True)


def _check_params(n_customers: object, seed: object, events_per_customer: object, feedback_per_customer: object,
                  file_format: object, chunk_size: object) -> None:
    def is_int(v: object) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if not is_int(n_customers) or n_customers < 1:  # type: ignore[operator]
        raise ParameterError(f"n_customers={n_customers!r} should be a whole number of at least 1, such as 5000")
    if not is_int(seed) or seed < 0:  # type: ignore[operator]
        raise ParameterError(f"seed={seed!r} should be a whole number of at least 0")
    for name, value in (("events_per_customer", events_per_customer), ("feedback_per_customer", feedback_per_customer)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (0 <= value < 1e6):
            raise ParameterError(f"{name}={value!r} should be a number of at least 0, such as 40")
    if file_format not in ("parquet", "csv"):
        raise ParameterError(f"file_format={file_format!r} should be 'parquet' or 'csv'")
    if not is_int(chunk_size) or chunk_size < 1:  # type: ignore[operator]
        raise ParameterError(f"chunk_size={chunk_size!r} should be a whole number of at least 1, such as 20000")


def make_sample(
    n_customers: int = 5000,
    seed: int = 0,
    out_dir: str | Path = "data/sample",
    events_per_customer: float = 40.0,
    feedback_per_customer: float = 1.6,
    file_format: str = "parquet",
    progress: bool = True,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, Path]:
    """Generate the sample study with its planted truth and write it to ``out_dir``.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customers (5,000 give about 200,000 events and 8,000 feedback texts).
    seed : int, default 0
        Random seed; the same arguments give byte-identical files.
    out_dir : str or Path, default "data/sample"
        Output folder (created; files in it are replaced atomically).
    events_per_customer : float, default 40.0
        Mean events per customer (at least the ~2.6 stage-entry events a journey needs).
    feedback_per_customer : float, default 1.6
        Mean feedback texts per customer (about 10 % of them anonymous).
    file_format : {"parquet", "csv"}, default "parquet"
        Format of the events table; customers and feedback are always CSV.
    progress : bool, default True
        Show a tqdm progress bar over the chunks of customers.
    chunk_size : int, default 20000
        Customers generated and written per chunk (one Parquet row group each); bounds memory.
        Part of the seed: another chunk size gives other (equally valid) data.

    Returns
    -------
    dict of str to Path
        ``customers``, ``events``, ``feedback``, ``stages``, ``personas_truth`` and ``truth``.

    Raises
    ------
    ParameterError
        When an argument is out of range.

    Examples
    --------
    >>> paths = make_sample(n_customers=1000, seed=0, out_dir="/tmp/sample", progress=False)  # doctest: +SKIP
    >>> jkit.load("/tmp/sample")                                                               # doctest: +SKIP
    """
    _check_params(n_customers, seed, events_per_customer, feedback_per_customer, file_format, chunk_size)
    model = load_stage_model(STAGE_MODEL)
    if tuple(model.names) != STAGES or tuple(model.events) != EVENTS:  # pragma: no cover - template changed
        raise ParameterError(f"the {STAGE_MODEL} template no longer matches jkit.datasets.STAGES/EVENTS; update both")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events_name = f"events.{file_format}"
    names = ["customers.csv", events_name, "feedback.csv", "stages.yaml", "personas_truth.csv", "truth.json"]
    files = _Outputs(out, names)
    session_rate, feedback_rate = rates(float(events_per_customer), float(feedback_per_customer))
    start_s = to_utc(PERIOD_START).timestamp()
    draws = _Draws(build_tables(), session_rate, feedback_rate, start_s, to_utc(PERIOD_END).timestamp() - start_s,
                   chunk_size)
    truth = base_truth(int(seed), int(n_customers))
    try:
        _write_tables(files, events_name, truth, draws, progress)
        model.to_yaml(files.tmp["stages.yaml"])
        files.tmp["truth.json"].write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        files.commit()
    except BaseException:
        files.cleanup()
        raise
    for table_name in ("events",):  # a stale events file of the other format would shadow this one
        for suffix in (".parquet", ".csv", ".csv.gz"):
            stale = out / f"{table_name}{suffix}"
            if stale.name != events_name:
                stale.unlink(missing_ok=True)
    return {
        "customers": files.final["customers.csv"],
        "events": files.final[events_name],
        "feedback": files.final["feedback.csv"],
        "stages": files.final["stages.yaml"],
        "personas_truth": files.final["personas_truth.csv"],
        "truth": files.final["truth.json"],
    }


@dataclass(frozen=True)
class _Draws:
    """What every chunk of one sample is drawn with."""

    tables: Tables
    session_rate: float
    feedback_rate: float
    start_s: float  # start of the study period, epoch seconds
    span_s: float  # its length in seconds
    chunk_size: int


def _write_tables(files: _Outputs, events_name: str, truth: dict, draws: _Draws, progress: bool) -> None:
    """Write customers, events, feedback and personas chunk by chunk to their temporary files and add
    the counts to ``truth``; the files are closed when this returns or raises."""
    writer: pq.ParquetWriter | None = None
    handles = {}
    try:
        handles = {n: files.tmp[n].open("w", encoding="utf-8", newline="")
                   for n in ("customers.csv", "feedback.csv", "personas_truth.csv")}
        if events_name.endswith(".csv"):
            handles[events_name] = files.tmp[events_name].open("w", encoding="utf-8", newline="")
        else:
            writer = pq.ParquetWriter(files.tmp[events_name], _EVENT_SCHEMA, compression="zstd", store_schema=False)
        _write_chunks(handles, writer, events_name, truth, draws, progress)
    finally:
        if writer is not None:
            writer.close()
        for h in handles.values():
            h.close()


def _write_chunks(handles: dict, writer: pq.ParquetWriter | None, events_name: str, truth: dict, draws: _Draws,
                  progress: bool) -> None:
    """Generate the chunks of ``truth["n_customers"]`` customers from ``truth["seed"]`` and append each
    to the open files (events to ``writer`` when it is Parquet)."""
    from tqdm.auto import tqdm

    n_customers, chunk_size = truth["n_customers"], draws.chunk_size
    pain_totals = {pp.key: 0 for pp in PAIN_POINTS}
    n_chunks = math.ceil(n_customers / chunk_size)
    seeds = np.random.SeedSequence(truth["seed"]).spawn(n_chunks)
    n_events = n_feedback = n_sessions = 0
    with tqdm(total=n_customers, desc="sample data", unit="customer", disable=not progress) as bar:
        for i in range(n_chunks):
            first = i * chunk_size + 1
            n = min(chunk_size, n_customers - i * chunk_size)
            chunk = generate_chunk(np.random.default_rng(seeds[i]), draws.tables, first, n, draws.start_s,
                                   draws.span_s, draws.session_rate, draws.feedback_rate)
            header = i == 0
            chunk.customers.to_csv(handles["customers.csv"], header=header, index=False)
            chunk.personas.to_csv(handles["personas_truth.csv"], header=header, index=False)
            fb = chunk.feedback
            fb.insert(0, "feedback_id", [f"F{j:07d}" for j in range(n_feedback + 1, n_feedback + len(fb) + 1)])
            fb.to_csv(handles["feedback.csv"], header=header, index=False)
            table = _event_table(chunk, n_sessions)
            if writer is not None:
                writer.write_table(table, row_group_size=max(len(table), 1))
            else:
                _event_frame(table).to_csv(handles[events_name], header=header, index=False)
            n_events += len(table)
            n_feedback += len(fb)
            n_sessions += chunk.n_sessions
            for k, v in chunk.pain_counts.items():
                pain_totals[k] += v
            for k, v in chunk.pii_counts.items():
                truth["pii"][k] += v
            truth["html_injection"] += chunk.html_count
            bar.update(n)
    truth["n_events"] = n_events
    truth["n_feedback"] = n_feedback
    for entry in truth["pain_points"]:
        entry["n_planted"] = pain_totals[entry["key"]]
