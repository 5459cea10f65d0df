"""Read the Kaggle CSV form of EMNIST (label, then 784 pixels per row), with a cache.

Parsing 112,800 rows of text takes far longer than reading IDX, so the first load
writes a compressed `.npz` beside the CSV and later loads read that instead. The
cache remembers the CSV's size and modification time and is rebuilt when they change.
"""

import io
import warnings
from pathlib import Path

import numpy as np

from emnist_core.atomic import write_bytes
from emnist_core.errors import DataError

PIXELS = 28 * 28


def cache_path(csv_path: Path) -> Path:
    """Where the compressed cache of one CSV file lives (beside it)."""
    return csv_path.with_name(csv_path.name + ".cache.npz")


def _signature(csv_path: Path) -> np.ndarray:
    stat = csv_path.stat()
    return np.array([stat.st_size, stat.st_mtime_ns], dtype=np.int64)


def _read_cache(csv_path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    path = cache_path(csv_path)
    if not path.exists():
        return None
    try:
        with np.load(path) as cached:
            if not np.array_equal(cached["signature"], _signature(csv_path)):
                return None
            return cached["images"], cached["labels"]
    except Exception:  # a damaged cache is only a cache: rebuild it from the CSV
        return None


def parse_csv(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse one CSV file into (images as stored (N, 28, 28) uint8, raw labels int64)."""
    import pandas as pd

    try:
        frame = pd.read_csv(csv_path, header=None, dtype=np.int64, engine="c")
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
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=images, labels=labels, signature=_signature(csv_path))
    try:
        write_bytes(cache_path(csv_path), buffer.getvalue())
    except OSError as exc:  # read-only data folder: still usable, just slower next time
        warnings.warn(f"could not write the CSV cache beside {csv_path.name}: {exc}", stacklevel=2)
    return images, labels
