"""Timestamp normalization and column coercion of the data contract."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jkit.errors import DataValidationError
from jkit.schema import ValidationReport, contract_markdown, parse_timestamps, validate_table

T = pd.Timestamp("2024-03-01 10:00", tz="UTC")


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-01T10:00:00Z",
        "2024-03-01T10:00:00.000Z",
        "2024-03-01T12:00:00+02:00",
        "2024-03-01T05:00:00-0500",
        "2024-03-01 10:00:00 UTC",
        "2024-03-01 10:00:00",
        "2024-03-01T10:00:00",
        "1709287200",
        "1709287200000",
        "1709287200000000",
    ],
)
def test_every_export_form_normalizes_to_utc(raw):
    assert parse_timestamps(pd.Series([raw]))[0] == T


def test_numbers_are_epochs_by_magnitude():
    out = parse_timestamps(pd.Series([1709287200, 1709287200000, 1709287200.5]))
    assert out[0] == T and out[1] == T and out[2] == T + pd.Timedelta("500ms")


def test_naive_times_take_assume_tz_but_zoned_ones_keep_their_zone():
    s = pd.Series(["2024-03-01 11:00:00", "2024-03-01T10:00:00Z"])
    out = parse_timestamps(s, assume_tz="Europe/Berlin")
    assert out.tolist() == [T, T]


def test_datetime_columns():
    naive = pd.Series(pd.to_datetime(["2024-03-01 10:00"]))
    assert parse_timestamps(naive)[0] == T
    zoned = pd.Series(pd.to_datetime(["2024-03-01 11:00"]).tz_localize("Europe/Berlin"))
    assert parse_timestamps(zoned)[0] == T


def test_unreadable_values_become_nat_and_are_reported():
    out = parse_timestamps(pd.Series(["2024-03-01", "soon", None]))
    assert out.isna().tolist() == [False, True, True]
    frame = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": ["2024-03-01", "soon"]})
    with pytest.raises(DataValidationError, match=r"customers: column 'signup_date' row 2: cannot read 'soon'"):
        validate_table(frame, "customers")


def test_validate_reports_many_rows_briefly():
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(10)], "signup_date": ["2024-01-01"] * 10,
                          "age": ["-1"] * 10})
    with pytest.raises(DataValidationError, match=r"rows 1, 2, 3, 4, 5 \(\+5 more\)"):
        validate_table(frame, "customers", source="c.csv")


def test_lenient_validate_keeps_good_rows_and_counts():
    frame = pd.DataFrame({"customer_id": ["a", "b", None], "signup_date": ["2024-01-01"] * 3})
    report = ValidationReport()
    out = validate_table(frame, "customers", lenient=True, report=report)
    assert out["customer_id"].tolist() == ["a", "b"]
    assert report.rows_set_aside == {"customers": 1}
    assert report.issues[0].rows == (3,) and "missing value" in report.issues[0].reason


def test_scores_must_be_whole_numbers():
    frame = pd.DataFrame({"feedback_id": ["1"], "timestamp": ["2024-01-01"], "text": ["ok"], "source": ["survey"],
                          "csat": ["4.5"]})
    with pytest.raises(DataValidationError, match="column 'csat' row 1: value '4.5' is outside the accepted range"):
        validate_table(frame, "feedback")


def test_docs_carry_the_contract_tables():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert contract_markdown() in doc, "docs/data-contract.md is out of date: paste jkit.schema.contract_markdown()"
