"""Larger-than-memory work on one machine: score a Parquet file of feedback into another, batch by batch.

:func:`score_parquet` (also ``jkit.sentiment.score_parquet``) streams
:func:`jkit.sentiment.iter_sentiment` into a Parquet writer with
one progress bar for the whole file, so memory stays bounded by the batch size whatever the
file's length (``benchmarks/bench_sentiment_memory.py`` measures it flat from 1M to 10M texts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jkit.errors import MissingResourceError, ParameterError
from jkit.sentiment.api import iter_sentiment

__all__ = ["score_parquet"]


def score_parquet(
    source: str | Path,
    destination: str | Path,
    *,
    text_col: str = "text",
    columns: Sequence[str] | None = None,
    batch_size: int = 100_000,
    progress: bool = True,
    **kwargs: Any,
) -> dict[str, Any]:
    """Score every text of a Parquet file and write the scores to a new Parquet file, in batches.

    Parameters
    ----------
    source : path
        Parquet file of feedback (read ``batch_size`` rows at a time).
    destination : path
        Parquet file to write: ``columns`` (default all) followed by the columns of
        :func:`jkit.sentiment.score_sentiment`. It must not be ``source``.
    text_col : str, default "text"
        Column holding the texts.
    columns : list of str, optional
        Columns of ``source`` to carry over (``text_col`` is always read).
    batch_size : int, default 100_000
        Rows per batch: memory grows with it, not with the file.
    progress : bool, default True
        One tqdm bar over the whole file (rows).
    **kwargs
        Passed to :func:`jkit.sentiment.iter_sentiment` (``rules``, ``lexicon``, ``thresholds``, ``n_jobs``…).

    Returns
    -------
    dict
        ``rows`` written, ``labels`` (count per label), ``set_aside`` (count per reason) and
        ``destination``.

    Examples
    --------
    >>> score_parquet("feedback.parquet", "scored.parquet", columns=["feedback_id"])   # doctest: +SKIP
    {'rows': 10000000, 'labels': {'positive': ..., ...}, ...}
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    src, dst = Path(source), Path(destination)
    if not src.is_file():
        raise MissingResourceError(f"{src}: no such Parquet file")
    if dst.resolve() == src.resolve():
        raise ParameterError(f"destination {str(dst)!r} is the source file; write the scores to a new file")
    total = pq.ParquetFile(src).metadata.num_rows
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="text", desc=f"sentiment {src.name}")
    labels: Counter = Counter()
    reasons: Counter = Counter()
    rows = 0
    writer = None
    tmp = dst.with_name(dst.name + ".partial")
    try:
        for batch in iter_sentiment(src, text_col=text_col, batch_size=batch_size, columns=columns,
                                    progress=False, **kwargs):
            labels.update(batch["label"].dropna().tolist())
            reasons.update(batch["set_aside"].dropna().tolist())
            table = _plain(pa.Table.from_pandas(batch, preserve_index=False))
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
            rows += len(batch)
            if bar is not None:
                bar.update(len(batch))
    except BaseException:
        if writer is not None:
            writer.close()
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    if writer is not None:
        writer.close()
        tmp.replace(dst)
    return {"rows": rows, "labels": dict(labels), "set_aside": dict(reasons), "destination": str(dst)}


def _plain(table):
    """Text columns as ``string`` and all-missing columns as text, so every batch has one schema."""
    import pyarrow as pa

    fields = []
    for f in table.schema:
        typ = f.type
        if pa.types.is_null(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            typ = pa.string()
        fields.append(pa.field(f.name, typ))
    return table.cast(pa.schema(fields))
