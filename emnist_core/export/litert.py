"""litert export: a TensorFlow Lite / LiteRT flat buffer, its class list in a file beside it."""

from pathlib import Path

from emnist_core.atomic import write_text
from emnist_core.export.common import keras_export, run_classes, write_via_temp


def labels_path(out: Path) -> Path:
    """model.tflite -> model.labels.txt: one class per line, line i is output i."""
    return out.with_name(f"{out.stem}.labels.txt")


def companions(out: Path) -> list[Path]:
    return [labels_path(out)]


def export(run, out: Path) -> list[Path]:
    payload = keras_export(run, "litert", "LiteRT", ".tflite", "onnx")
    write_via_temp(out, lambda tmp: tmp.write_bytes(payload))
    write_text(labels_path(out), "\n".join(run_classes(run)) + "\n")
    return [out, labels_path(out)]
