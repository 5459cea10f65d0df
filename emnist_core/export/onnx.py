"""onnx export through Keras 3's own exporter; the class list goes into the ONNX metadata."""

import json
from pathlib import Path

from emnist_core.export.common import (
    INPUT_NOTE,
    keras_export,
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

    proto = onnx.load_from_string(keras_export(run, "onnx", "ONNX", ".onnx", "litert"))
    for key, value in metadata(run).items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    write_via_temp(out, lambda tmp: onnx.save(proto, str(tmp)))
    return [out]
