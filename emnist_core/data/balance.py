"""Class balance: per-class and per-sample weights that make every class count the same.

One owner for these weights, used by training (`class_weighting`, read by Keras as
per-sample weights) and by calibration (the temperature is fitted with every class
weighted equally, because the test split is balanced). Pure numpy.
"""

import numpy as np

from emnist_core.errors import ConfigError

MODES = ("none", "balanced", "sqrt")


def class_weights(labels: np.ndarray, num_classes: int, mode: str) -> dict[int, float] | None:
    """Per-class weights for unbalanced data, averaging 1 over the samples; None for 'none'.

    'balanced' weights each class by 1/count, so every class pulls equally; 'sqrt' uses
    1/sqrt(count), a softened version that over-weights rare classes less. A class with no
    samples gets 0: there is nothing of it to weigh.
    """
    if mode not in MODES:
        raise ConfigError(f"class weighting {mode!r} is not known: use one of {', '.join(MODES)}")
    if mode == "none":
        return None
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)
    counts = counts.astype(np.float64)
    power = 1.0 if mode == "balanced" else 0.5
    weights = np.where(counts > 0, 1.0 / np.maximum(counts, 1) ** power, 0.0)
    weights *= counts.sum() / max((weights * counts).sum(), 1e-12)
    return {label: float(weight) for label, weight in enumerate(weights)}


def sample_weights(labels: np.ndarray, class_weight: dict[int, float] | None) -> np.ndarray | None:
    """Each sample's class weight (float32), or None when classes are not weighted."""
    if class_weight is None:
        return None
    table = np.zeros(int(np.max(labels, initial=0)) + 1, dtype=np.float32)
    for label, weight in class_weight.items():
        if label < len(table):
            table[label] = weight
    return table[labels]


def balanced_sample_weights(labels: np.ndarray) -> np.ndarray:
    """Per-sample weights, averaging 1, that give every class present the same total weight."""
    labels = np.asarray(labels, dtype=np.int64)
    num_classes = int(labels.max(initial=-1)) + 1
    return sample_weights(labels, class_weights(labels, num_classes, "balanced"))
