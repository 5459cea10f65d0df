"""Pen drawings among the training images, so drawings on the canvas read like test images.

A character drawn on the Draw page reaches the model through `preprocess_image`, but it
still differs from an EMNIST scan: the pen is binary and round, its width is whatever
the slider says, and the stroke is the same width everywhere. A model that never saw
such strokes read the canvas-realism benchmark's drawings about 4 points worse than the
test images they were drawn from (BENCHMARKS.md). The fix is in the data: a seeded share
of the training images is redrawn with a pen (`emnist_core.analysis.canvas`) and put
through the Draw page's own preprocessing, once, before the first epoch.

The training style is deliberately wider than the benchmark's (thinner and thicker pens,
smaller and larger glyphs, more stretch), so the model learns pens in general rather
than the benchmark's one rendering.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from emnist_core.analysis.canvas import CanvasStyle, render_drawing
from emnist_core.data import Split
from emnist_core.inference.preprocess import preprocess_image

# The Draw page's slider offers pens of 5 to 40 px on its 280 px canvas; people draw from a
# third of the canvas to nearly all of it. Training draws on a canvas half that side with
# pens half as wide: the same drawing once preprocessing has scaled it to 28x28, for less
# work per drawing (the drawing time counts in the run's training time).
TRAINING_STYLE = CanvasStyle(canvas=140, glyph=(0.3, 0.95), pen=(2.5, 20.0), aspect=0.2)
CHUNK = 1000  # drawings between two looks at the Stop flag (about a second of work)


def _draw_one(image: np.ndarray, seed: np.random.SeedSequence) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if image.max() == 0:  # nothing to trace: keep the blank image as it is
        return image
    return preprocess_image(render_drawing(image, rng, TRAINING_STYLE)[..., 0], invert=False)


def with_drawings(
    split: Split, share: float, seed: int, stop_event: threading.Event | None = None
) -> Split:
    """split with `share` of its images (chosen by seed) replaced by pen drawings of them.

    Labels are unchanged and the split keeps its size, so an epoch costs the same. Two
    threads draw (most of the work is in NumPy, Pillow and SciPy, which release the GIL
    for part of it); the result depends only on the seed, not on the thread timing.
    Drawing 20,000 images takes tens of seconds, so a Stop is honoured between chunks:
    what was drawn so far is kept and training stops after its first batch.
    """
    if share <= 0 or len(split) == 0:
        return split
    rng = np.random.default_rng(seed)
    count = int(round(share * len(split)))
    picks = np.sort(rng.choice(len(split), size=count, replace=False))
    seeds = np.random.SeedSequence(seed).spawn(count)
    images = split.images.copy()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, count, CHUNK):
            if stop_event is not None and stop_event.is_set():
                break
            chunk = picks[start : start + CHUNK]
            drawn = pool.map(_draw_one, split.images[chunk], seeds[start : start + CHUNK])
            images[chunk] = np.stack(list(drawn))
    return Split(images, split.labels)
