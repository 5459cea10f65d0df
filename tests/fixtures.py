"""Shared test helpers: tiny hand-made EMNIST files, tiny models and runs, AppTest drivers.

Tests import these by name; conftest.py files hold only pytest fixtures.
"""

import gzip
import struct
import sys
from pathlib import Path

import numpy as np

from emnist_core.data.dataset import Split

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"


def glyph_l() -> np.ndarray:
    """An upright, asymmetric 'L': vertical bar on the left, foot at the bottom."""
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 6:9] = 255
    image[21:24, 6:20] = 255
    return image


def idx_images_bytes(images: np.ndarray, magic: int = 2051) -> bytes:
    n, rows, cols = images.shape
    return struct.pack(">IIII", magic, n, rows, cols) + images.astype(np.uint8).tobytes()


def idx_labels_bytes(labels, magic: int = 2049) -> bytes:
    labels = np.asarray(labels, np.uint8)
    return struct.pack(">II", magic, len(labels)) + labels.tobytes()


def tiny_upright(n_per_class: int = 3, num_classes: int = 47, seed: int = 0):
    """Random-ish upright images with an L in class 0 samples, and labels 0..K-1."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(num_classes), n_per_class)
    images = rng.integers(0, 256, size=(len(labels), 28, 28), dtype=np.uint8)
    images[labels == 0] = glyph_l()
    return images, labels


def mapping_text(num_classes: int = 47) -> str:
    return "".join(f"{i} {ord(c)}\n" for i, c in enumerate(CLASSES[:num_classes]))


def write_idx_folder(
    folder: Path, split: str = "balanced", n_per_class: int = 3, label_offset: int = 0
) -> dict:
    """Write train/test IDX files (stored transposed, as NIST does) plus the mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    upright = {}
    for part, seed in (("train", 0), ("test", 1)):
        images, labels = tiny_upright(n_per_class, seed=seed)
        stored = images.transpose(0, 2, 1)
        (folder / f"emnist-{split}-{part}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(idx_images_bytes(stored))
        )
        (folder / f"emnist-{split}-{part}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(idx_labels_bytes(labels + label_offset))
        )
        upright[part] = (images, labels)
    (folder / f"emnist-{split}-mapping.txt").write_text(mapping_text())
    return upright


def write_csv_folder(folder: Path, split: str = "balanced", n_per_class: int = 2) -> dict:
    """Write Kaggle-style CSVs (label, then 784 stored-transposed pixels) plus the mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    upright = {}
    for part, seed in (("train", 0), ("test", 1)):
        images, labels = tiny_upright(n_per_class, seed=seed)
        stored = images.transpose(0, 2, 1).reshape(len(labels), -1)
        rows = np.column_stack([labels, stored])
        np.savetxt(folder / f"emnist-{split}-{part}.csv", rows, fmt="%d", delimiter=",")
        upright[part] = (images, labels)
    (folder / f"emnist-{split}-mapping.txt").write_text(mapping_text())
    return upright


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


def train_tiny_pair(dataset, runs_dir: Path) -> tuple:
    """Train and save a tiny MLP and a tiny CNN; returns (mlp_run, cnn_run)."""
    from emnist_core.models.config import CNNConfig, MLPConfig
    from emnist_core.training.loop import train

    mlp = train(
        MLPConfig(hidden_units=(16,), epochs=1, batch_size=64, early_stopping=False),
        dataset,
        runs_dir=runs_dir,
        name="tiny MLP",
    )
    cnn = train(
        CNNConfig(
            conv_filters=(4,), dense_units=(8,), epochs=1, batch_size=64, early_stopping=False
        ),
        dataset,
        runs_dir=runs_dir,
        name="tiny CNN",
    )
    return mlp, cnn


APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def make_app():
    """A fresh AppTest of the whole app (router + sidebar + default page)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


def open_page(name: str):
    """An AppTest that has run the app and switched to one page (e.g. 'train')."""
    app = make_app()
    app.run()
    app.switch_page(f"views/{name}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def image_grids(app) -> list[list[tuple[str, str]]]:
    """The inlined image grids (components.images.grid_html) an AppTest shows, in page order:
    per grid, (PNG data URI, caption) for each image."""
    import html
    import re

    found = []
    for element in app.get("html"):
        cells = re.findall(r'<img src="([^"]+)"[^>]* alt="([^"]*)"', element.proto.body)
        if cells:
            found.append([(source, html.unescape(caption)) for source, caption in cells])
    return found


def texts(elements) -> list[str]:
    return [str(element.value) for element in elements]


def lab_args(command: str, *words: object, **options: object) -> list[str]:
    """The arguments of `emnist-lab COMMAND WORDS... --option value ...`, as main() takes them.

    Options are keyword arguments with underscores for dashes; True gives a bare flag.
    """
    argv = [command, *map(str, words)]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}"] + ([] if value is True else [str(value)])
    return argv


def lab_command(command: str, *words: object, **options: object) -> list[str]:
    """The argv of `python -m emnist_core COMMAND ...` (see lab_args) for a subprocess."""
    return [sys.executable, "-m", "emnist_core", *lab_args(command, *words, **options)]


def tiny_job(name: str = "tiny", epochs: int = 1, **overrides):
    """A one-model job spec: a 16-unit MLP, a few batches per epoch on the synthetic set."""
    from emnist_core.jobs.tasks import JobSpec, ModelSpec
    from emnist_core.models.config import MLPConfig

    config = MLPConfig(hidden_units=(16,), epochs=epochs, batch_size=64)
    values = {**config.to_dict(), **overrides}
    return JobSpec((ModelSpec(values, name, None),), name, command="tests")
