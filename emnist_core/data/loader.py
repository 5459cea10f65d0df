"""Find EMNIST files in a folder, detect their format, and load them upright.

Formats, in order of preference: the official gzip IDX files, the official
`gzip.zip` archive still packed, the Kaggle CSV files. All three store every image
transposed; `load` swaps the two image axes once, so callers only see upright images.
"""

import os
import zipfile
from pathlib import Path

import numpy as np

from emnist_core import settings
from emnist_core.data import idx
from emnist_core.data.csv_format import read_csv_cached
from emnist_core.data.dataset import Dataset, Split
from emnist_core.data.mapping import parse_mapping, relabel
from emnist_core.data.metadata import (
    ARCHIVE_MEMBER_DIR,
    ARCHIVE_NAME,
    PARTS,
    SPLITS,
    SYNTHETIC_MARKER,
    csv_name,
    csv_names,
    idx_name,
    idx_names,
    mapping_name,
)
from emnist_core.errors import DataError


def detect_format(folder: Path, split: str) -> str:
    """'idx', 'zip' or 'csv' by the files present; a DataError listing what is missing."""
    if all((folder / name).is_file() for name in idx_names(split)):
        return "idx"
    if (folder / ARCHIVE_NAME).is_file():
        return "zip"
    if all((folder / name).is_file() for name in csv_names(split)):
        return "csv"
    raise DataError(_missing_message(folder, split))


def _missing_message(folder: Path, split: str) -> str:
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    where = f"{folder}" if folder.is_dir() else f"{folder} (the folder does not exist)"
    idx_missing = [n for n in idx_names(split) if n not in present]
    csv_missing = [n for n in csv_names(split) if n not in present]
    return (
        f"No complete EMNIST '{split}' data in {where}.\n"
        f"  Official gzip IDX files, missing: {', '.join(idx_missing)}\n"
        f"  or the official archive {ARCHIVE_NAME} (not found)\n"
        f"  or Kaggle CSV files, missing: {', '.join(csv_missing)}\n"
        "Fix: run `python -m emnist_core data download`, or copy the files into that folder, "
        "or point --data-dir / $EMNIST_DATA_DIR at the folder that holds them. For an offline "
        "demo: "
        "`python -m emnist_core data synth --out DIR`."
    )


def _load_idx_part(read, split: str, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one part, given read(name) -> decompressed-or-raw IDX payload."""
    images_name, labels_name = idx_name(split, part, "images"), idx_name(split, part, "labels")
    images = idx.parse_images(read(images_name), images_name)
    labels = idx.parse_labels(read(labels_name), labels_name)
    _check_counts(images, labels, images_name, labels_name)
    return images, labels


def _check_counts(images, labels, images_name: str, labels_name: str) -> None:
    if len(images) != len(labels):
        raise DataError(
            f"{images_name} holds {len(images)} images but {labels_name} holds {len(labels)} "
            "labels; one of them is from another split or damaged. Replace both."
        )


def _read_folder_idx(folder: Path, split: str):
    def read(name: str) -> bytes:
        return idx.decompress((folder / name).read_bytes(), name)

    mapping = parse_mapping((folder / mapping_name(split)).read_text(), mapping_name(split))
    return mapping, {part: _load_idx_part(read, split, part) for part in PARTS}


def _read_archive(folder: Path, split: str):
    archive_path = folder / ARCHIVE_NAME
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(
            f"{archive_path} is not a readable zip archive ({exc}); the download is incomplete "
            "or damaged. Delete it and run `python -m emnist_core data download` again."
        ) from None
    with archive:
        members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
        missing = [n for n in idx_names(split) if n not in members]
        if missing:
            raise DataError(
                f"{archive_path} lacks {', '.join(missing)}; it is not the official EMNIST "
                f"archive (members under {ARCHIVE_MEMBER_DIR}) or is damaged."
            )

        def read_member(name: str) -> bytes:
            try:
                return archive.read(members[name])
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DataError(f"{name} inside {archive_path} is damaged ({exc}).") from None

        mapping = parse_mapping(read_member(mapping_name(split)).decode(), mapping_name(split))
        parts = {
            part: _load_idx_part(lambda n: idx.decompress(read_member(n), n), split, part)
            for part in PARTS
        }
    return mapping, parts


def _read_csv(folder: Path, split: str):
    mapping = parse_mapping((folder / mapping_name(split)).read_text(), mapping_name(split))
    return mapping, {part: read_csv_cached(folder / csv_name(split, part)) for part in PARTS}


READERS = {"idx": _read_folder_idx, "zip": _read_archive, "csv": _read_csv}


def load(data_dir: str | Path | None = None, split: str = "balanced") -> Dataset:
    """Load one EMNIST split from a folder, in whichever supported format it holds.

    Parameters
    ----------
    data_dir : path, default=None
        Folder with the files; None means $EMNIST_DATA_DIR, else the per-user cache.
    split : str, default="balanced"
        One of balanced, byclass, bymerge, letters, digits, mnist.

    Returns
    -------
    Dataset with upright uint8 images (N, 28, 28) and labels 0..K-1 for train and test.
    """
    if split not in SPLITS:
        raise DataError(f"Unknown split {split!r}; choose one of {', '.join(SPLITS)}.")
    folder = settings.data_dir(data_dir)
    fmt = detect_format(folder, split)
    (mapping_labels, classes), parts = READERS[fmt](folder, split)
    splits = {}
    for part, (images, labels) in parts.items():
        name = csv_name(split, part) if fmt == "csv" else idx_name(split, part, "labels")
        labels = relabel(labels, mapping_labels, name, mapping_name(split))
        # Stored transposed (column-major); swapping the image axes makes them upright.
        upright = np.ascontiguousarray(images.transpose(0, 2, 1))
        splits[part] = Split(upright, labels)
    return Dataset(
        train=splits["train"],
        test=splits["test"],
        classes=classes,
        split=split,
        # Absolute and normal, so runs trained from the CLI ('../emnist') and the app
        # ('/home/me/emnist') on one folder record it alike and compare on the same data.
        source=Path(os.path.abspath(folder)),
        format=fmt,
        synthetic=(folder / SYNTHETIC_MARKER).exists(),
    )
