"""What every export format shares: the portable model, the class list and safe writing."""

import os
import tempfile
from pathlib import Path

import numpy as np

from emnist_core.errors import EmnistError

INPUT_NAME = "pixels"
INPUT_NOTE = "raw 0-255 pixels as float32, upright (as model.keras), shape (N, 28, 28)"


class ExportError(EmnistError):
    """A run could not be exported, or the target exists."""


def check_target(paths: list[Path], force: bool) -> None:
    """ExportError if any target exists (without force) or its folder is missing."""
    for path in paths:
        if path.exists() and not force:
            raise ExportError(f"{path} already exists; choose another --out or pass --force.")
        if not path.parent.is_dir():
            raise ExportError(f"folder {path.parent} does not exist; create it first.")


def run_classes(run) -> list[str]:
    """The characters the model's outputs stand for, in output order (imported late: the CLI
    imports this package to list formats, and pandas/scikit-learn would slow every command)."""
    from emnist_core.evaluation.metrics import run_classes as classes_of

    return classes_of(run)


def portable_model(run):
    """The run's model behind an input of exactly (N, 28, 28) raw pixels, in inference mode.

    The saved model's own input is (N, 28, 28, 1) (Keras accepts both ranks when called, but
    an exported graph fixes one), so a Reshape is put in front. Calling the model with
    training=False keeps the augmentation layers out of the traced graph; the converters
    cannot translate their random ops, and they do nothing at inference anyway.
    """
    import keras

    model = run.load_model()
    pixels = keras.Input(shape=(28, 28), name=INPUT_NAME)
    shaped = keras.layers.Reshape((28, 28, 1), name="add_channel")(pixels)
    portable = keras.Model(pixels, model(shaped, training=False), name=f"{run.family}_portable")
    portable(np.zeros((1, 28, 28), np.float32))  # exporters need a model called once
    return portable


def write_via_temp(out: Path, write) -> None:
    """Call write(tmp_path) for a temporary file beside out, then rename it into place."""
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def keras_export(run, fmt: str, label: str, suffix: str, other: str) -> bytes:
    """The run's portable model exported by Keras's own `model.export` in fmt, as bytes.

    Converters raise many exception types for a graph they cannot handle; each becomes one
    ExportError naming the run, the format (label) and the format to try instead (other).
    """
    model = portable_model(run)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / f"model{suffix}"
        try:
            model.export(str(raw), format=fmt, verbose=False)
        except Exception as exc:
            raise ExportError(
                f"{label} conversion of run {run.run_id} failed ({type(exc).__name__}: {exc}); "
                f"try the {other} or zip format."
            ) from None
        return raw.read_bytes()
