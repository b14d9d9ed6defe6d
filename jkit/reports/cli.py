"""``jkit run``: its arguments, ``--list``, and the exit status a scheduler reads.

Exit status: 0 every report rendered or was skipped (the study lacks what it needs); 1 a report failed (one ``FAILED`` line per failure on
stderr); 2 nothing ran (bad parameter, missing notebook, data or kernel — printed by
:func:`jkit.cli.main`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_run_arguments", "main", "list_text"]


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``jkit run`` to ``parser``."""
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebooks to render: a stem (02-stage-funnel), file name or number (02); default all")
    parser.add_argument("--data", metavar="PATH", default=None,
                        help="the study: a data folder or a study.yaml, passed as data_dir to every notebook "
                        "(default: each notebook's own)")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="run configuration YAML: which notebooks, with which parameters (see reports.example.yaml)")
    parser.add_argument("-p", "--parameter", dest="parameters", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter in every selected notebook that has it; wins over --config")
    parser.add_argument("--notebooks-dir", default="notebooks", metavar="DIR", help="notebooks folder (default: notebooks)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="reports folder (default: reports)")
    parser.add_argument("--show-code", action="store_true", default=None, help="keep code cells in the HTML reports")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failing report")
    parser.add_argument("--quiet", action="store_true", help="no progress output (for cron); failures still go to stderr")
    parser.add_argument("--list", action="store_true", help="list the notebooks and their parameters, then exit")
    parser.add_argument("--kernel", default="jkit", help="Jupyter kernel (default: jkit)")
    parser.add_argument("--timeout", type=float, default=1800, metavar="SECONDS",
                        help="seconds allowed per cell (default: 1800)")
    parser.add_argument("--keep", type=int, default=None, metavar="N", help="keep only the newest N run folders")


def list_text(notebooks_dir: str | Path = "notebooks", config: str | Path | None = None,
              notebooks: list[str] | None = None) -> str:
    """The text of ``jkit run --list``: each report's notebook, title and parameters."""
    from jkit.reports.runner import plan

    planned = plan(notebooks, notebooks_dir=notebooks_dir, config=config, check_data=False)
    lines = []
    for p in planned:
        header = f"{p.name}  —  {p.title}"
        if p.name != p.notebook.stem:
            header += f"  ({p.notebook.name})"
        lines.append(header)
        if not p.declared:
            lines.append("    (no parameters)")
        width = max((len(n) for n in p.declared), default=0)
        for name, param in p.declared.items():
            value = p.values.get(name, param.default)
            default = repr(value) if name not in p.values else f"{value!r} (set by the config)"
            lines.append(f"    {name:<{width}}  {param.type:<5}  {default}")
            if param.help:
                lines.append(f"    {'':<{width}}  {param.help}")
            lines.append(f"    {'':<{width}}  accepts {param.accepts()}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(args: argparse.Namespace) -> int:
    """Run ``jkit run`` with parsed arguments; return the exit status."""
    from jkit.reports.runner import run

    if args.list:
        sys.stdout.write(list_text(args.notebooks_dir, args.config, args.notebooks or None))
        return 0
    result = run(
        args.notebooks or None,
        notebooks_dir=args.notebooks_dir,
        reports_dir=args.out,
        config=args.config,
        data=args.data,
        parameter_strings=args.parameters,
        show_code=args.show_code,
        fail_fast=args.fail_fast,
        quiet=args.quiet,
        kernel=args.kernel,
        timeout=args.timeout,
        keep=args.keep,
    )
    first, *failures = result.summary().splitlines()
    if not args.quiet:
        print(first)
        for line in result.skip_lines():
            print(line)
        print(f"index: {result.index}   log: {result.log}")
    elif failures:
        print(first, file=sys.stderr)
    for line in failures:
        print(line, file=sys.stderr)
    return result.exit_code
