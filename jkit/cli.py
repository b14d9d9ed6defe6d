"""The ``jkit`` command: a thin layer over :mod:`jkit.datasets`, :mod:`jkit.io` and :mod:`jkit.reports`.

    jkit sample-data --out data/sample       make the seeded sample data with its planted truth
    jkit sample-data --small                 regenerate the committed data/sample-small
    jkit init my-study --events raw.csv      draft a study.yaml from raw exports
    jkit validate my-study/study.yaml        check a study (a study file or a folder) against the data contract
    jkit run                                 render every report into reports/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from jkit.errors import JkitError

__all__ = ["main", "build_parser"]


def _cmd_sample_data(args: argparse.Namespace) -> int:
    from jkit import datasets

    if args.small:
        out = args.out or datasets.small_sample_dir()
        paths = datasets.make_sample(out_dir=out, file_format="parquet", progress=not args.quiet, **datasets.SMALL)
    else:
        out = args.out or "data/sample"
        paths = datasets.make_sample(
            n_customers=args.customers,
            seed=args.seed,
            out_dir=out,
            events_per_customer=args.events_per_customer,
            feedback_per_customer=args.feedback_per_customer,
            file_format=args.format,
            progress=not args.quiet,
        )
    if not args.quiet:
        print(f"sample data written to {Path(out)}")
        for name, path in paths.items():
            print(f"  {name:16s} {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from jkit.io import load

    status = 0
    for path in args.paths:
        try:
            dayfirst = None if args.dayfirst is None else args.dayfirst == "true"
            data = load(path, stages=args.stages, lenient=args.lenient or None, assume_tz=args.assume_tz,
                        dayfirst=dayfirst)
        except JkitError as exc:
            print(f"{path}: INVALID\n  {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{path}: OK  {data!r}")
        if not data.validation.ok:
            print(str(data.validation))
    return status


def _cmd_init(args: argparse.Namespace) -> int:
    from jkit.io.drafting import draft_study

    draft = draft_study(args.dir, events=args.events, customers=args.customers, feedback=args.feedback,
                        format=args.format, stages_template=args.stages, force=args.force)
    print(draft.report())
    for name in draft.must_map:
        print(f"jkit init: you must map {name} in {draft.study_path}", file=sys.stderr)
    return draft.exit_code


def _cmd_run(args: argparse.Namespace) -> int:
    from jkit import reports

    return reports.main(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``jkit`` command."""
    parser = argparse.ArgumentParser(
        prog="jkit",
        description="jkit — customer-journey analytics: sample data, validation and reports.",
    )
    from jkit import __version__

    parser.add_argument("--version", action="version", version=f"jkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("sample-data", help="make the seeded sample data with its planted truth",
                       description="Generate customers, events and feedback with planted personas, "
                       "stage conversion rates and pain points (saved in truth.json and personas_truth.csv).")
    p.add_argument("--out", default=None,
                   help="output folder (default: data/sample; with --small: the project's data/sample-small)")
    p.add_argument("--small", action="store_true",
                   help="the committed small sample: 1,000 customers, seed 0, default rates, Parquet events "
                   "(the size, rate and format options are ignored); default output data/sample-small")
    p.add_argument("--customers", type=int, default=5000, help="number of customers (default: 5000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--events-per-customer", type=float, default=40.0,
                   help="mean events per customer (default: 40, about 200,000 events for 5,000 customers)")
    p.add_argument("--feedback-per-customer", type=float, default=1.6,
                   help="mean feedback texts per customer (default: 1.6)")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet",
                   help="file format of the events table (default: parquet); customers and feedback are CSV")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd_sample_data)

    p = sub.add_parser("validate", help="check data files against the data contract",
                       description="Load each folder as jkit.load does and report problems "
                       "(exit status 1 when any folder is invalid).")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a study.yaml, or a folder with customers, events and/or feedback files")
    p.add_argument("--stages", default=None, help="stage model: template name or YAML path")
    p.add_argument("--lenient", action="store_true", help="set bad rows aside and report them instead of failing")
    p.add_argument("--assume-tz", default="UTC", help="time zone of timestamps without one (default: UTC)")
    p.add_argument("--dayfirst", choices=["true", "false"], default=None,
                   help="order of 01/02/2024-like dates when the data cannot decide")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("init", help="draft a study (study.yaml, stages.yaml) from raw exports",
                       description="Detect the format, infer the column map and the date forms, draft stages.yaml "
                       "from the event names, write DIR/study.yaml, load it, and print what was decided and what "
                       "to check (exit status 1 when the draft does not load or a required column is unmapped).")
    p.add_argument("dir", metavar="DIR", help="folder of the study (the data files stay where they are)")
    p.add_argument("--events", metavar="FILE", help="the raw events export")
    p.add_argument("--customers", metavar="FILE", help="the raw customers file (default: customers from the events)")
    p.add_argument("--feedback", metavar="FILE", help="the raw feedback file (reviews, survey answers, tickets)")
    p.add_argument("--format", metavar="NAME", help="a vendor format (ga4, segment, qualtrics…) or csv/tsv/parquet/json; "
                   "default: detected")
    p.add_argument("--stages", metavar="TEMPLATE", help="stage template to place the events by (default: five_stage)")
    p.add_argument("--force", action="store_true", help="overwrite an existing study.yaml and stages.yaml")
    p.set_defaults(func=_cmd_init)

    try:
        from jkit import reports
    except ImportError:  # pragma: no cover - reports module not available
        reports = None
    if reports is not None and hasattr(reports, "add_run_arguments"):
        p = sub.add_parser("run", help="render the reports into reports/",
                           description="Execute the parameterized notebooks with papermill and render HTML reports.")
        reports.add_run_arguments(p)
        p.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jkit`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except JkitError as exc:
        print(f"jkit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("jkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
