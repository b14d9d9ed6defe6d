"""Batch reports: execute the parameterized notebooks with papermill and publish HTML pages.

``jkit run`` (or :func:`run` from Python) renders every ``notebooks/NN-*.ipynb`` into
``reports/<run>/`` as an executed notebook and a self-contained HTML page, with an
``index.html``; ``reports/latest/`` and ``reports/index.html`` show the newest good page of
every report (a report the study cannot support is *skipped* with its reason).
See ``docs/reports.md``.

Modules: :mod:`~jkit.reports.params` (the parameters cell and validation),
:mod:`~jkit.reports.rules` (rule words: durations, dates, names, paths, time zones),
:mod:`~jkit.reports.config` (the run configuration YAML), :mod:`~jkit.reports.planning`
(choosing and validating the reports), :mod:`~jkit.reports.execute` (papermill),
:mod:`~jkit.reports.render` (nbconvert HTML), :mod:`~jkit.reports.results` (what a run returns),
:mod:`~jkit.reports.provenance` (data fingerprints), :mod:`~jkit.reports.publish` (``latest/``
and the indexes), :mod:`~jkit.reports.index` (the index page), :mod:`~jkit.reports.layout`
(dated folders, atomic moves, the ``latest`` link), :mod:`~jkit.reports.runner` (the run) and
:mod:`~jkit.reports.cli` (``jkit run``).

Examples
--------
>>> from jkit import reports
>>> result = reports.run(data="data/sample")                     # doctest: +SKIP
>>> result.exit_code, [(r.name, r.status) for r in result.reports]   # doctest: +SKIP
"""

from jkit.reports.cli import add_run_arguments, list_text, main
from jkit.reports.params import Parameter, read_parameters
from jkit.reports.runner import PlannedReport, ReportResult, RunResult, data_fingerprint, discover, plan, run

__all__ = [
    "Parameter",
    "PlannedReport",
    "ReportResult",
    "RunResult",
    "add_run_arguments",
    "data_fingerprint",
    "discover",
    "list_text",
    "main",
    "plan",
    "read_parameters",
    "run",
]
