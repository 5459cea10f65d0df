"""The in-memory dataset types every other module works with."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Split:
    """One part of the data (train, validation or test).

    images : uint8 array, shape (N, 28, 28), upright as a person reads the character.
    labels : int64 array, shape (N,), values 0..num_classes-1.
    """

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: np.ndarray) -> "Split":
        """The images and labels at the given indices, in that order."""
        return Split(self.images[indices], self.labels[indices])

    def class_counts(self, num_classes: int) -> np.ndarray:
        """Images per class, shape (num_classes,)."""
        return np.bincount(self.labels, minlength=num_classes)


@dataclass(frozen=True)
class Dataset:
    """Train and test splits of one EMNIST split, with the class characters in label order.

    source is the folder the files came from; format is 'idx', 'zip' or 'csv';
    synthetic is True for the generated demo set, which every view must label as such.
    """

    train: Split
    test: Split
    classes: list[str]
    split: str = "balanced"
    source: Path | None = None
    format: str = "idx"
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def label(self) -> str:
        """A short human description, e.g. 'EMNIST balanced (synthetic) from /data'."""
        kind = " (SYNTHETIC demo data)" if self.synthetic else ""
        return f"EMNIST {self.split}{kind} from {self.source}"
