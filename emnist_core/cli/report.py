"""`report` sub-command: one self-contained HTML file about saved runs, to hand in or print."""

import argparse

from emnist_core.cli.evaluate import RUNS_DIR_HELP, dataset_for, resolve_run


def register(subparsers) -> None:
    report = subparsers.add_parser(
        "report", help="a self-contained HTML report of one or more runs (prints to PDF)"
    )
    report.add_argument(
        "runs", metavar="RUN", nargs="+", help="run ids or folders; the first is the reference"
    )
    report.add_argument("--out", required=True, help="HTML file to write, e.g. report.html")
    report.add_argument("--force", action="store_true", help="overwrite an existing --out")
    report.add_argument(
        "--data-dir", help="data folder (default: the one the first run was trained on)"
    )
    report.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    report.add_argument(
        "--robustness-images",
        type=int,
        default=1000,
        help="test images in the robustness sweep of a comparison (default 1000)",
    )
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    from emnist_core.report import write_report

    runs = [resolve_run(run_id, args.runs_dir) for run_id in args.runs]
    dataset = dataset_for(runs[0], args.data_dir)
    out = write_report(
        runs, dataset, args.out, force=args.force, robustness_images=args.robustness_images
    )
    print(f"wrote {out} ({out.stat().st_size:,} bytes); open it in a browser, print it to PDF")
    return 0
