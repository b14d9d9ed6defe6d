"""The data fingerprint of a run (jkit.reports.provenance).
"""

from __future__ import annotations

import hashlib

import pandas as pd

from jkit.reports.runner import data_fingerprint


def test_data_fingerprint_counts_records_not_lines(tmp_path):
    (tmp_path / "customers.csv").write_text('customer_id,note\nC1,"two\nlines"\nC2,x\n')
    pd.DataFrame({"a": range(7)}).to_parquet(tmp_path / "events.parquet")
    (tmp_path / "stages.yaml").write_text("name: x\n")
    fp = {f["table"]: f for f in data_fingerprint(tmp_path)}
    assert fp["customers"]["rows"] == len(pd.read_csv(tmp_path / "customers.csv")) == 2
    assert fp["events"]["rows"] == 7 and fp["stages"]["rows"] is None and "feedback" not in fp
    digest = hashlib.sha256(b"customers.csv" + (tmp_path / "customers.csv").read_bytes()).hexdigest()
    assert fp["customers"]["sha256"] == digest
