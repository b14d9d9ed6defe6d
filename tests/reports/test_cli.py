"""``jkit run`` on the command line (jkit.reports.cli): listing parameters, bad parameters exit 2.
"""

from __future__ import annotations

import jkit.cli
from tests.reports import kernel_runs

project = kernel_runs.project  # the real-papermill project, not the fake one of tests/reports/conftest.py


def test_cli_list_prints_parameters_with_types_defaults_and_help(project, capsys):
    import shutil

    shutil.rmtree(project / "data")  # listing needs no data
    code = jkit.cli.main(["run", "--list", "--notebooks-dir", str(project / "notebooks")])
    out = capsys.readouterr().out
    assert code == 0
    assert "01-good  —  Good report" in out and "02-bad  —  Bad report" in out
    assert "    n         int    3\n              how many points; range: 1..10\n" in out
    assert "accepts one of 'a', 'b', '<c>'" in out


def test_cli_bad_parameter_exits_2_with_a_clear_message(project, capsys):
    code = jkit.cli.main(["run", "--notebooks-dir", str(project / "notebooks"), "--out", str(project / "r"),
                          "-p", "n=many"])
    assert code == 2
    assert "jkit: error: 01-good: parameter 'n' (from -p): 'many' is not a whole number" in capsys.readouterr().err
