"""Tests of the report runner (``jkit run``): skipping, exports, the index, I/O errors, ``latest/``,
parameter rules and page layout.

Helpers shared by these modules: tiny notebooks, a temporary project, and an in-process stand-in
for papermill (``fake_papermill``) that injects the parameters as papermill does and runs the
code cells with ``exec`` — fast, and
raising papermill's own ``PapermillExecutionError`` like a kernel would — so that the publishing
logic can be tested over many runs; the tests that need a real kernel say so.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from pathlib import Path

import nbformat

KERNELSPEC = {"name": "jkit", "display_name": "Python (jkit)", "language": "python"}


def write_notebook(path: Path, params: str, body: list[str], title: str = "Tiny report") -> Path:
    """A notebook in the house format: title cell, parameters cell, code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), cell] + [nbformat.v4.new_code_cell(b) for b in body]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def make_project(root: Path) -> Path:
    """A project with notebooks 01-alpha (exports a CSV), 02-beta (fails when told), 03-gamma (skips
    unless the study has feedback) and a data folder."""
    nbdir = root / "notebooks"
    write_notebook(nbdir / "01-alpha.ipynb",
                   'data_dir = "../data/sample"  # data folder\noutput_dir = ""  # exports; empty: none\n'
                   'n = 1  # a number; range: 0..100',
                   ["from pathlib import Path\nprint('alpha', n)\n"
                    "if output_dir:\n    (Path(output_dir) / 'alpha.csv').write_text(f'n\\n{n}\\n')"],
                   title="Alpha")
    write_notebook(nbdir / "02-beta.ipynb",
                   'data_dir = "../data/sample"  # data folder\nboom = False  # fail on purpose',
                   ["if boom:\n    raise ValueError('beta broke')\nprint('beta ok')"], title="Beta")
    write_notebook(nbdir / "03-gamma.ipynb",
                   'data_dir = "../data/sample"  # data folder',
                   ["from pathlib import Path\nfrom jkit.notebook import skip_report\n"
                    "if not any(Path(data_dir).glob('feedback.*')):\n"
                    "    skip_report('needs feedback text: the study has none')\nprint('gamma ok')"],
                   title="Gamma")
    data = root / "data" / "sample"
    data.mkdir(parents=True)
    (data / "customers.csv").write_text("customer_id,signup_date\nC1,2025-01-01\nC2,2025-01-02\n")
    return root


def fake_papermill(monkeypatch, calls: list | None = None) -> list:
    """Replace papermill (and the kernel check) with an in-process runner of code cells."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls = [] if calls is None else calls

    def execute_notebook(input_path, output_path, parameters=None, cwd=None, **kwargs):
        calls.append({"input": input_path, "parameters": dict(parameters or {}), "cwd": cwd})
        nb = nbformat.read(input_path, as_version=4)
        at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), -1)
        injected = nbformat.v4.new_code_cell("".join(f"{k} = {v!r}\n" for k, v in (parameters or {}).items()))
        injected.metadata["tags"] = ["injected-parameters"]
        nb.cells.insert(at + 1, injected)
        namespace: dict = {}
        count = 0
        with contextlib.chdir(cwd or os.getcwd()):
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                count += 1
                cell.execution_count = count
                try:
                    exec(cell.source, namespace)
                except Exception as exc:
                    cell.outputs = [nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=str(exc),
                                                           traceback=traceback.format_exc().splitlines())]
                    nbformat.write(nb, output_path)
                    raise PapermillExecutionError(i, count, cell.source, type(exc).__name__, str(exc),
                                                  traceback.format_exc().splitlines()) from None
        nbformat.write(nb, output_path)

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    monkeypatch.setattr("jkit.reports.execute.check_kernel", lambda name: None)
    return calls


def files_below(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
