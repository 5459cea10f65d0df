"""Benchmark: do drawings on the canvas read as well as the test images they were drawn from?

Held-out stand-in test images (../shared/emnist-standin) are rendered the way a person
draws them (emnist_core.analysis.canvas: binary round pen of random width, random size,
aspect and position on the 280x280 canvas), light on dark as the canvas returns them and
dark on light as an uploaded drawing, several renderings per image, and fed through the
Draw page's own path (dashboard.components.drawing.to_pixels -> preprocess_image). It
reports each saved run's accuracy on the raw images and on the drawings, and the gap.
`--rendering binarised` is a control: each image itself made binary at a random size and
place, with no pen path retraced, which separates what binarising and rescaling cost from
what retracing with a round pen costs.

    .venv/bin/python -m bench.bench_canvas RUN [RUN ...] [--runs-dir R] [--data-dir D]
        [--per-class 100] [--renderings 2] [--seed 0] [--rendering pen|binarised]

An accuracy measure, not a timing one: it may run on a busy machine.
"""

import argparse
import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dashboard.components.drawing import to_pixels  # noqa: E402  (the Draw page's own path)
from emnist_core.analysis.canvas import (  # noqa: E402
    CanvasStyle,
    render_binarised,
    render_drawing,
)
from emnist_core.analysis.representations import class_sample_indices  # noqa: E402
from emnist_core.data import load  # noqa: E402
from emnist_core.data.stats import merge_labels, scan_told_groups  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "emnist-standin"
POLARITIES = {"canvas (light on dark)": False, "upload (dark on light)": True}
RENDERINGS = {"pen": render_drawing, "binarised": render_binarised}


def as_upload(rgba: np.ndarray) -> io.BytesIO:
    """A drawing on paper as the Draw page's uploader hands it over: a named PNG file object."""
    buffer = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "drawing.png"
    return buffer


def drawn_inputs(
    images: np.ndarray, dark_on_light: bool, renderings: int, seed: int, render=render_drawing
):
    """(renderings * N, 28, 28): every image drawn `renderings` times, then preprocessed."""
    rng = np.random.default_rng(seed)
    style = CanvasStyle()
    out = []
    for _ in range(renderings):
        for image in images:
            rgba = render(image, rng, style, dark_on_light=dark_on_light)
            out.append(to_pixels(as_upload(rgba) if dark_on_light else rgba))
    return np.stack(out)


def predicted(model, images: np.ndarray) -> np.ndarray:
    """Each image's top class."""
    from emnist_core.evaluation.metrics import model_probabilities

    return model_probabilities(model, images).argmax(axis=1)


def widest_gaps(raw_ok, drawn_ok, labels, classes, count: int = 5) -> str:
    """The classes that lose most when drawn, as 'I 45.0, O 30.0' (points)."""
    renderings = len(drawn_ok) // len(raw_ok)
    drawn_labels = np.tile(labels, renderings)
    gaps = {
        label: raw_ok[labels == label].mean() - drawn_ok[drawn_labels == label].mean()
        for label in np.unique(labels)
    }
    worst = sorted(gaps.items(), key=lambda item: -item[1])[:count]
    return ", ".join(f"{classes[label]} {100 * gap:.1f}" for label, gap in worst)


def merged_gap(raw_guess, drawn_guess, labels, classes) -> str:
    """The gap again with each group a drawing cannot tell apart (0/O, 1/I/l) scored as one
    class: how much of the gap is the scan's grey (data.stats.TOLD_APART_BY_SCAN). A figure
    beside the gap, not a replacement for it."""
    groups = scan_told_groups(classes)
    renderings = len(drawn_guess) // len(raw_guess)

    def merged(values):
        return merge_labels(values, classes, groups)

    raw = float((merged(raw_guess) == merged(labels)).mean())
    drawn = float((merged(drawn_guess) == merged(np.tile(labels, renderings))).mean())
    names = ", ".join("/".join(group) for group in groups)
    gap = 100 * (raw - drawn)
    return f"with {names} as one class each: raw {raw:.4f}, drawn {drawn:.4f}, gap {gap:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", metavar="RUN")
    parser.add_argument("--runs-dir")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--per-class",
        type=int,
        default=100,
        help="test images per class (100: the stand-in's whole test split; 20 left the gap "
        "about a point off)",
    )
    parser.add_argument("--renderings", type=int, default=2, help="drawings per image")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rendering",
        choices=sorted(RENDERINGS),
        default="pen",
        help="pen: traced and redrawn with a round pen (the benchmark); binarised: the image "
        "itself made binary (a control)",
    )
    args = parser.parse_args()
    from emnist_core.cli.evaluate import resolve_run

    dataset = load(args.data_dir)
    picks = class_sample_indices(dataset.test.labels, args.per_class, args.seed)
    images, labels = dataset.test.images[picks], dataset.test.labels[picks]
    drawn = {
        name: drawn_inputs(images, dark, args.renderings, args.seed, RENDERINGS[args.rendering])
        for name, dark in POLARITIES.items()
    }
    print(
        f"data: {dataset.label}; {len(picks)} test images, {args.renderings} renderings each "
        f"({args.rendering})"
    )
    print(f"{'run':<40} {'input':<26} {'accuracy':>9} {'gap (pts)':>10}")
    for run_arg in args.runs:
        run = resolve_run(run_arg, args.runs_dir)
        model = run.load_model()
        raw_guess = predicted(model, images)
        raw_ok = raw_guess == labels
        raw = float(raw_ok.mean())
        print(f"{run.name[:40]:<40} {'raw test images':<26} {raw:9.4f} {'':>10}")
        for name, inputs in drawn.items():
            drawn_guess = predicted(model, inputs)
            drawn_ok = drawn_guess == np.tile(labels, args.renderings)
            score = float(drawn_ok.mean())
            print(f"{'':<40} {name:<26} {score:9.4f} {100 * (raw - score):10.2f}")
        # Which classes make the gap: a wide gap on a few look-alikes reads differently
        # from a small gap everywhere.
        widest = widest_gaps(raw_ok, drawn_ok, labels, dataset.classes)
        print(f"{'':<40} widest class gaps (pts): {widest}")
        merged = merged_gap(raw_guess, drawn_guess, labels, dataset.classes)
        print(f"{'':<40} {name}, {merged}")  # the last polarity's drawings, like the gaps


if __name__ == "__main__":
    main()
