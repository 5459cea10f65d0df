"""The EMNIST data layer: load any supported format upright, split, synthesise, download."""

from emnist_core.data.dataset import Dataset, Split
from emnist_core.data.loader import detect_format, load
from emnist_core.data.split import train_val_split
from emnist_core.data.synthetic import write_synthetic


def download(*args, **kwargs):
    """Fetch the official archive and extract a split (see emnist_core.data.download)."""
    from emnist_core.data.download import download as _download

    return _download(*args, **kwargs)


__all__ = [
    "Dataset",
    "Split",
    "detect_format",
    "download",
    "load",
    "train_val_split",
    "write_synthetic",
]
