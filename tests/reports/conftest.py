"""The runner tests' temporary project, run with the in-process papermill stand-in (see tests/reports)."""

from __future__ import annotations

import pytest

from tests.reports import fake_papermill, make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "proj")
    fake_papermill(monkeypatch)
    monkeypatch.chdir(root)
    return root
