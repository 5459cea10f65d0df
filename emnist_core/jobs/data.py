"""Which data a job trains on: a fingerprint of the app's dataset, matched by a worker's own folder.

Workers share no disk with the app. A worker looks for the data in its own folders (its
data folder, its demo folder, and folders the submitter names as hints); a folder counts
only if its fingerprint (split, classes, counts and a hash of the label arrays) matches.
A copy found that way is named as the submitter names its data, so the run it trains
records the app's folder and compares with the runs trained in the app on the same data.
"""

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from emnist_core import settings
from emnist_core.data import Dataset, load
from emnist_core.errors import DataError, EmnistError

# Worker-side cache: one loaded dataset per (folder, newest file time), reused across jobs.
_loaded: dict[tuple[str, float], Dataset] = {}


@dataclass(frozen=True)
class DataRef:
    """What a job needs: the data's fingerprint, its split, and folders worth trying first.

    source is the submitter's folder, the name a worker's copy of the same data takes.
    """

    fingerprint: str
    split: str
    label: str
    hints: tuple[str, ...] = ()
    source: str | None = None


def fingerprint(dataset: Dataset) -> str:
    """A short hash of the split, classes, counts and both label arrays (not the images)."""
    digest = hashlib.sha256()
    header = f"{dataset.split}|{''.join(dataset.classes)}|{len(dataset.train)}|{len(dataset.test)}"
    digest.update(header.encode())
    digest.update(dataset.train.labels.astype("int64").tobytes())
    digest.update(dataset.test.labels.astype("int64").tobytes())
    return digest.hexdigest()[:20]


def data_ref(dataset: Dataset, hints: tuple[str, ...] = ()) -> DataRef:
    source = None if dataset.source is None else str(dataset.source)
    return DataRef(fingerprint(dataset), dataset.split, dataset.label, hints, source)


def _stamp(folder: Path) -> float:
    try:
        return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
    except OSError:
        return -1.0


def _load_cached(folder: Path, split: str) -> Dataset | None:
    key = (str(folder), _stamp(folder))
    if key not in _loaded:
        try:
            _loaded[key] = load(folder, split)
        except EmnistError:
            return None
    return _loaded[key]


def candidate_folders(ref: DataRef) -> list[Path]:
    """The hints, then this machine's data folder and demo folder, each once."""
    folders = [Path(h) for h in ref.hints] + [settings.data_dir(), settings.synthetic_dir()]
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder not in unique:
            unique.append(folder)
    return unique


def find_local(ref: DataRef) -> Dataset | None:
    """The dataset from a folder on this machine whose fingerprint matches, or None."""
    for folder in candidate_folders(ref):
        dataset = _load_cached(folder, ref.split)
        if dataset is not None and fingerprint(dataset) == ref.fingerprint:
            return dataset
    return None


def has_local(ref: DataRef) -> bool:
    """Run on each worker (client.run) to decide whether the arrays must be sent."""
    return find_local(ref) is not None


def require_local(ref: DataRef) -> Dataset:
    """This machine's copy of the submitter's data, under the submitter's folder name.

    Pages group runs by the folder their data came from; a run trained on a worker's own
    copy would otherwise show as trained on other data than the app's runs. The
    fingerprint has matched, so the data is the same; the copy's folder is kept in notes.
    """
    dataset = find_local(ref)
    if dataset is None:
        tried = ", ".join(str(f) for f in candidate_folders(ref)) or "no folder"
        raise DataError(
            f"this worker has no copy of {ref.label} (fingerprint {ref.fingerprint}; tried "
            f"{tried}). Set EMNIST_DATA_DIR on the worker to a copy of the data, or let the "
            "submitter send the arrays."
        )
    if ref.source is None or str(dataset.source) == ref.source:
        return dataset
    note = f"read from this worker's copy at {dataset.source}"
    return replace(dataset, source=Path(ref.source), notes=[*dataset.notes, note])
