"""Take a saved run elsewhere: a zip of its folder, an ONNX model or a LiteRT flat buffer."""

import importlib
from pathlib import Path

from emnist_core.export.common import ExportError, check_target

FORMATS = ("zip", "onnx", "litert")
SUFFIXES = {"zip": ".zip", "onnx": ".onnx", "litert": ".tflite"}


def export_run(run, fmt: str, out: Path | str, *, force: bool = False) -> list[Path]:
    """Write run in format fmt to out; returns every file written (out first).

    Refuses to overwrite an existing out (or its class list) unless force is set.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not known: use one of {', '.join(FORMATS)}.")
    module = importlib.import_module(f"emnist_core.export.{fmt}")
    out = Path(out)
    if Path(run.run_dir).resolve() in out.resolve().parents:
        raise ExportError(f"{out} is inside the run folder; write exports outside saved runs.")
    check_target([out, *module.companions(out)], force)
    return module.export(run, out)


__all__ = ["FORMATS", "SUFFIXES", "ExportError", "export_run"]
