"""The validation hold-out: a stratified, seeded slice of the training split.

Early stopping and model selection look only at this slice; the test split is kept
for the final evaluation, so reported test figures are not tuned on.
"""

import numpy as np

from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError


def train_val_split(train: Split, val_fraction: float = 0.1, seed: int = 0) -> tuple[Split, Split]:
    """Split train into (train, validation), keeping each class's share in both.

    Parameters
    ----------
    train : Split
        The full training split.
    val_fraction : float, default=0.1
        Share of images held out for validation, strictly between 0 and 1.
    seed : int, default=0
        Same seed, same split.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < val_fraction < 1.0:
        raise ConfigError(f"val_fraction is {val_fraction}; it must lie strictly between 0 and 1.")
    counts = np.bincount(train.labels)
    present = counts[counts > 0]
    n_val = int(np.ceil(val_fraction * len(train)))
    if present.min() < 2 or n_val < len(present) or len(train) - n_val < len(present):
        raise DataError(
            f"Cannot hold out a stratified {val_fraction:.0%} validation set from {len(train)} "
            f"images in {len(present)} classes (smallest class: {present.min()} images); every "
            "class needs at least 2 images and both parts one per class. Use more training "
            "data or change val_fraction."
        )
    indices = np.arange(len(train))
    fit_idx, val_idx = train_test_split(
        indices, test_size=n_val, random_state=seed, stratify=train.labels
    )
    return train.subset(np.sort(fit_idx)), train.subset(np.sort(val_idx))
