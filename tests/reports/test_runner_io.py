"""I/O problems with the reports folder end in one line (exit 2), never a traceback."""

from __future__ import annotations

import errno
import os

import pytest

import jkit.cli
from jkit.reports import layout


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_file_given_as_out_is_one_line(project, capsys):
    (project / "reports.txt").write_text("not a folder")
    assert jkit.cli.main(["run", "01", "--out", "reports.txt", "--quiet"]) == 2
    assert one_line_error(capsys) == ("jkit: error: --out reports.txt: is a file, not a folder; pass a folder for "
                                      "the reports")
    assert (project / "reports.txt").read_text() == "not a folder"


def test_a_folder_below_a_file_is_one_line(project, capsys):
    (project / "afile").write_text("x")
    assert jkit.cli.main(["run", "01", "--out", "afile/reports", "--quiet"]) == 2
    assert one_line_error(capsys).startswith("jkit: error: --out afile/reports: cannot create the reports folder: ")


def test_a_read_only_reports_folder_is_one_line(project, capsys):
    reports = project / "reports"
    reports.mkdir()
    reports.chmod(0o555)
    try:
        if os.access(reports, os.W_OK):
            pytest.skip("running as root: chmod does not make the folder read-only")
        assert jkit.cli.main(["run", "01", "--out", "reports", "--quiet"]) == 2
        assert "the reports folder is not writable" in one_line_error(capsys)
    finally:
        reports.chmod(0o755)


def test_a_full_disk_while_publishing_is_one_line_and_leaves_latest(project, capsys, monkeypatch):
    assert jkit.cli.main(["run", "01", "--out", "reports", "--quiet"]) == 0
    page = (project / "reports" / "latest" / "01-alpha.html").read_text()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(project / "reports" / "latest"))

    monkeypatch.setattr(layout, "replace_latest", full)
    assert jkit.cli.main(["run", "01", "--out", "reports", "--quiet"]) == 2
    line = one_line_error(capsys)
    assert line.startswith("jkit: error: --out reports: cannot write the reports (reports/latest: No space left")
    assert (project / "reports" / "latest" / "01-alpha.html").read_text() == page
