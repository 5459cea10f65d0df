"""Command line: one sub-command family per module, registered here.

Each family module exposes `register(subparsers)`, adding its parsers with a
`handler` default that takes the parsed args and returns an exit code. Errors the
lab raises on purpose (EmnistError) print as one clear line, never a traceback.
"""

import argparse
import importlib
import sys

from emnist_core.errors import EmnistError

# Modules that register sub-commands; imported lazily so `data info` never loads TensorFlow.
FAMILIES = (
    "emnist_core.cli.data",
    "emnist_core.cli.training",
    "emnist_core.cli.evaluate",
    "emnist_core.cli.tune",
    "emnist_core.cli.analysis",
    "emnist_core.cli.export",
    "emnist_core.cli.report",
    "emnist_core.cli.jobs",
    "emnist_core.cli.classroom",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emnist-lab",
        description="EMNIST character-recognition lab: data, training, evaluation.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in FAMILIES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except EmnistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
