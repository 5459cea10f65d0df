"""onnx export through Keras 3's own exporter; the class list goes into the ONNX metadata."""

import json
import tempfile
from pathlib import Path

from emnist_core.export.common import (
    INPUT_NOTE,
    ExportError,
    portable_model,
    run_classes,
    write_via_temp,
)


def companions(out: Path) -> list[Path]:
    return []


def metadata(run) -> dict[str, str]:
    """ONNX metadata_props: the classes as a JSON list, and what the input is."""
    return {
        "classes": json.dumps(run_classes(run), ensure_ascii=False),
        "input": INPUT_NOTE,
        "run_id": run.run_id,
        "name": run.name,
        "family": run.family,
    }


def export(run, out: Path) -> list[Path]:
    import onnx

    model = portable_model(run)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "model.onnx"
        try:
            model.export(str(raw), format="onnx", verbose=False)
        except Exception as exc:  # tf2onnx raises many types for an unconvertible graph
            raise ExportError(
                f"ONNX conversion of run {run.run_id} failed ({type(exc).__name__}: {exc}); "
                "try the litert or zip format."
            ) from None
        proto = onnx.load(str(raw))
    for key, value in metadata(run).items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    write_via_temp(out, lambda tmp: onnx.save(proto, str(tmp)))
    return [out]
