"""litert export: a TensorFlow Lite / LiteRT flat buffer, its class list in a file beside it."""

import tempfile
from pathlib import Path

from emnist_core.atomic import write_text
from emnist_core.export.common import ExportError, portable_model, run_classes, write_via_temp


def labels_path(out: Path) -> Path:
    """model.tflite -> model.labels.txt: one class per line, line i is output i."""
    return out.with_name(f"{out.stem}.labels.txt")


def companions(out: Path) -> list[Path]:
    return [labels_path(out)]


def export(run, out: Path) -> list[Path]:
    model = portable_model(run)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "model.tflite"
        try:
            model.export(str(raw), format="litert", verbose=False)
        except Exception as exc:  # the converter raises many types for unsupported ops
            raise ExportError(
                f"LiteRT conversion of run {run.run_id} failed ({type(exc).__name__}: {exc}); "
                "try the onnx or zip format."
            ) from None
        payload = raw.read_bytes()
    write_via_temp(out, lambda tmp: tmp.write_bytes(payload))
    write_text(labels_path(out), "\n".join(run_classes(run)) + "\n")
    return [out, labels_path(out)]
