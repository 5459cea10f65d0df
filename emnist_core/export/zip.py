"""zip export: the run folder (model, config, history, metrics, run.json) plus a README."""

import zipfile
from pathlib import Path

from emnist_core.export.common import INPUT_NOTE, run_classes, write_via_temp

README = """# {name} ({family}, run {run_id})

Test accuracy {accuracy}. Files: model.keras (the model), run.json (classes, data, versions,
the command that trained it), config.json, history.json, metrics.json.

The model takes {input_note} and returns one probability per class:

    import json, keras, numpy as np
    model = keras.saving.load_model("model.keras")
    classes = json.load(open("run.json"))["data"]["classes"]
    probabilities = model.predict(images, verbose=0)  # images: (N, 28, 28), 0-255
    print(classes[int(np.argmax(probabilities[0]))])

Classes, in output order: {classes}
"""


def companions(out: Path) -> list[Path]:
    return []


def readme(run) -> str:
    accuracy = run.accuracy
    return README.format(
        name=run.name,
        family=run.family,
        run_id=run.run_id,
        accuracy="?" if accuracy is None else f"{accuracy:.4f}",
        input_note=INPUT_NOTE,
        classes=" ".join(run_classes(run)),
    )


def export(run, out: Path) -> list[Path]:
    """Every file of the run folder under <run_id>/ in the zip, with README.md beside them."""
    folder = Path(run.run_dir)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{run.run_id}/{path.relative_to(folder)}")
            archive.writestr(f"{run.run_id}/README.md", readme(run))

    write_via_temp(out, write)
    return [out]
