"""Write the synthetic demo set in the official gzip IDX format, transposed like NIST's files.

Going through the real file format means tests and offline demos exercise exactly
the loading path a student's real download takes.
"""

from pathlib import Path

import numpy as np

from emnist_core.atomic import check_destination, write_text
from emnist_core.data import idx
from emnist_core.data.metadata import SYNTHETIC_MARKER, idx_name, idx_names, mapping_name
from emnist_core.errors import ConfigError, DataError


def write_synthetic(
    out_dir: str | Path,
    per_class: int = 20,
    test_per_class: int = 5,
    seed: int = 0,
    split: str = "balanced",
    force: bool = False,
) -> Path:
    """Generate and write a small 47-class handwriting-like dataset; returns the folder.

    The same (per_class, test_per_class, seed) always produce the same bytes. A
    SYNTHETIC.txt marker beside the files makes `load` flag the data as synthetic.
    Files of the same names that the marker does not vouch for (real EMNIST data) are
    never replaced unless force is given.
    """
    from emnist_core.data.strokes import BALANCED_CLASSES, generate

    if per_class < 1 or test_per_class < 1:
        raise ConfigError(
            f"per_class={per_class}, test_per_class={test_per_class}: both must be at least 1."
        )
    out = Path(out_dir)
    names = idx_names(split)
    check_destination(out, 784 * 47 * (per_class + test_per_class) + 10_000, "output folder")
    refuse_to_replace(out, names, made_here=(out / SYNTHETIC_MARKER).is_file(), force=force)
    parts = {
        "train": generate(BALANCED_CLASSES, per_class, seed),
        "test": generate(BALANCED_CLASSES, test_per_class, seed + 1_000_003),
    }
    for part, (images, labels) in parts.items():
        stored = np.ascontiguousarray(images.transpose(0, 2, 1))  # NIST stores transposed
        idx.write_gzip_idx(out / idx_name(split, part, "images"), idx.encode_images(stored))
        idx.write_gzip_idx(out / idx_name(split, part, "labels"), idx.encode_labels(labels))
    mapping = "".join(f"{label} {ord(ch)}\n" for label, ch in enumerate(BALANCED_CLASSES))
    write_text(out / mapping_name(split), mapping)
    write_text(
        out / SYNTHETIC_MARKER,
        "SYNTHETIC demo data made by `python -m emnist_core data synth` "
        f"(per_class={per_class}, test_per_class={test_per_class}, seed={seed}).\n"
        "Generated strokes, not real handwriting: never report accuracy on it as EMNIST.\n",
    )
    return out


def refuse_to_replace(folder: Path, names: list[str], made_here: bool, force: bool) -> None:
    """DataError before any write when folder holds files of these names a command did not make.

    made_here says the files there were made by the same command (for `data synth`,
    the SYNTHETIC marker); force replaces them anyway.
    """
    existing = [name for name in names if (folder / name).exists()]
    if not existing or made_here or force:
        return
    raise DataError(
        f"{folder} already holds {', '.join(existing)}, which this command did not make; "
        "nothing was written. Choose an empty folder, or pass --force to replace them."
    )
