"""`export` sub-command: a saved run as a zip, an ONNX model or a LiteRT flat buffer."""

import argparse
from pathlib import Path

from emnist_core.cli.evaluate import RUNS_DIR_HELP, resolve_run
from emnist_core.export import FORMATS  # light: numpy only, no TensorFlow


def register(subparsers) -> None:
    export = subparsers.add_parser(
        "export", help="write a saved run as a zip, an ONNX model or a LiteRT flat buffer"
    )
    export.add_argument("run", metavar="RUN", help="run id (see `runs list`) or run folder")
    export.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    export.add_argument("--out", required=True, help="file to write (.zip, .onnx or .tflite)")
    export.add_argument("--force", action="store_true", help="overwrite an existing --out")
    export.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    export.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace) -> int:
    from emnist_core.export import export_run

    run = resolve_run(args.run, args.runs_dir)
    written = export_run(run, args.fmt, Path(args.out), force=args.force)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
