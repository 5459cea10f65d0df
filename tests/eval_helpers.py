"""Tiny models and data shared by the evaluation, comparison and inference tests."""

import numpy as np

from emnist_core.data.dataset import Split

TINY_CLASSES = ["0", "1", "A", "b", "O"]


def build_tiny_model(num_classes: int = len(TINY_CLASSES), seed: int = 0, hidden: int = 0):
    """A self-contained model like the real ones: raw 0-255 pixels in, probabilities out."""
    import keras

    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten()]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="relu"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax"))
    return keras.Sequential(layers)


def make_tiny_split(n: int = 30, num_classes: int = len(TINY_CLASSES), seed: int = 0) -> Split:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = np.arange(n, dtype=np.int64) % num_classes
    return Split(images, labels)

