"""Benchmark: does preprocess_image turn a drawing back into what the models learned from?

Each real EMNIST test image of ../shared/emnist-standin is drawn 10x larger (280x280,
the Draw page's canvas) light-on-dark and dark-on-light, run through preprocess_image,
and compared with the original: pixel correlation, and the accuracy of a model on the
originals against the same model on the preprocessed drawings. A close match means the
Draw page shows the models what EMNIST showed them in training.

    .venv/bin/python -m bench.bench_preprocess [RUN] [--runs-dir R] [--data-dir D] [--epochs 2]

Without RUN it trains the `quick` CNN preset for --epochs epochs (a few minutes).
"""

import argparse
import os
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from emnist_core.data import load
from emnist_core.evaluation.metrics import evaluate
from emnist_core.inference.preprocess import preprocess_image

DEFAULT_DATA = ROOT / ".." / "shared" / "emnist-standin"


def drawn_and_preprocessed(images: np.ndarray, dark_on_light: bool) -> np.ndarray:
    """Each 28x28 image drawn at 280x280 (bicubic), optionally inverted, then preprocessed."""
    out = np.empty_like(images)
    for i, image in enumerate(images):
        big = np.asarray(Image.fromarray(image).resize((280, 280), Image.Resampling.BICUBIC))
        out[i] = preprocess_image(255 - big if dark_on_light else big)
    return out


def trained_model(dataset, run: str | None, runs_dir: str | None, epochs: int):
    if run:
        from emnist_core.cli.evaluate import resolve_run

        return resolve_run(run, runs_dir).load_model(), f"run {run}"
    from emnist_core.models.build import build_model
    from emnist_core.models.presets import get_preset

    config = get_preset("cnn", "quick").replace(epochs=epochs)
    steps = -(-len(dataset.train) // config.batch_size)  # the schedule decays per step
    model = build_model(config, dataset.num_classes, steps_per_epoch=steps)
    model.fit(
        dataset.train.images,
        dataset.train.labels,
        batch_size=config.batch_size,
        epochs=epochs,
        verbose=0,
    )
    return model, f"cnn quick preset, {epochs} epochs, no validation split"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", metavar="RUN")
    parser.add_argument("--runs-dir")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    dataset = load(args.data_dir)
    model, what = trained_model(dataset, args.run, args.runs_dir, args.epochs)
    test = dataset.test
    print(f"data: {dataset.label}; model: {what}")
    print(f"{'test images as':<40} {'accuracy':>9} {'median corr':>12}")
    base = evaluate(model, test, dataset.classes)
    print(f"{'original 28x28':<40} {base.accuracy:9.4f} {1.0:12.3f}")
    for dark in (False, True):
        images = drawn_and_preprocessed(test.images, dark)
        corr = [
            np.corrcoef(a.ravel(), b.ravel())[0, 1]
            for a, b in zip(images.astype(float), test.images.astype(float), strict=True)
        ]
        result = evaluate(model, type(test)(images, test.labels), dataset.classes)
        label = "drawn 280x280 " + ("dark-on-light" if dark else "light-on-dark") + ", preprocessed"
        print(f"{label:<40} {result.accuracy:9.4f} {np.median(corr):12.3f}")


if __name__ == "__main__":
    main()
