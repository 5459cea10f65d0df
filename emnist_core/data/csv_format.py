"""Read the Kaggle CSV form of EMNIST (label, then 784 pixels per row), with a cache.

Parsing 112,800 rows of text takes far longer than reading IDX, so the first load
writes a gzip cache beside the CSV holding the same IDX payloads the official files
hold, and later loads read that as fast as IDX. The cache starts with the CSV's size
and modification time and is rebuilt when they change.
"""

import gzip
import struct
import warnings
from pathlib import Path

import numpy as np

from emnist_core.atomic import write_bytes
from emnist_core.data import idx
from emnist_core.errors import DataError

PIXELS = 28 * 28
_CACHE_MAGIC = b"EMNIST-CSV-CACHE-1"
_HEADER = struct.Struct(">18sQQQ")  # magic, csv size, csv mtime_ns, label payload length


def cache_path(csv_path: Path) -> Path:
    """Where the compressed cache of one CSV file lives (beside it)."""
    return csv_path.with_name(csv_path.name + ".cache.gz")


def _signature(csv_path: Path) -> tuple[int, int]:
    stat = csv_path.stat()
    return stat.st_size, stat.st_mtime_ns


def _read_cache(csv_path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    path = cache_path(csv_path)
    if not path.exists():
        return None
    try:
        data = idx.decompress(path.read_bytes(), path.name)  # ISA-L when installed
        magic, size, mtime, n_label_bytes = _HEADER.unpack_from(data)
        if magic != _CACHE_MAGIC or (size, mtime) != _signature(csv_path):
            return None
        start = _HEADER.size
        labels = idx.parse_labels(data[start : start + n_label_bytes], path.name)
        images = idx.parse_images(data[start + n_label_bytes :], path.name)
        return images, labels
    except Exception:  # a damaged cache is only a cache: rebuild it from the CSV
        return None


def _write_cache(csv_path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    label_payload = idx.encode_labels(labels)
    header = _HEADER.pack(_CACHE_MAGIC, *_signature(csv_path), len(label_payload))
    payload = header + label_payload + idx.encode_images(images)
    write_bytes(cache_path(csv_path), gzip.compress(payload, compresslevel=1, mtime=0))


def parse_csv(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse one CSV file into (images as stored (N, 28, 28) uint8, raw labels int64)."""
    import pandas as pd

    try:
        frame = pd.read_csv(csv_path, header=None, engine="c")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(
            f"{csv_path.name} could not be read as numbers ({exc}); expected rows of a "
            "label followed by 784 pixel values. Replace it with the original Kaggle file."
        ) from None
    if frame.shape[1] != PIXELS + 1:
        raise DataError(
            f"{csv_path.name} has {frame.shape[1]} columns; EMNIST CSV rows hold a label and "
            f"{PIXELS} pixels ({PIXELS + 1} columns). Replace it with the original Kaggle file."
        )
    if not all(kind in "iu" for kind in (dtype.kind for dtype in frame.dtypes)):
        raise DataError(
            f"{csv_path.name} holds values that are not whole numbers; expected a label and "
            f"{PIXELS} pixel values 0..255 per row. Replace it with the original Kaggle file."
        )
    values = frame.to_numpy()
    pixels = values[:, 1:]
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise DataError(f"{csv_path.name} has pixel values outside 0..255.")
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    return images, values[:, 0].astype(np.int64)


def read_csv_cached(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (as stored) and raw labels of a CSV file, through the compressed cache."""
    cached = _read_cache(csv_path)
    if cached is not None:
        return cached
    images, labels = parse_csv(csv_path)
    try:
        _write_cache(csv_path, images, labels)
    except OSError as exc:  # read-only data folder: still usable, just slower next time
        warnings.warn(f"could not write the CSV cache beside {csv_path.name}: {exc}", stacklevel=2)
    return images, labels
