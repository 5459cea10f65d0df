"""Pen drawings among the training images, so drawings on the canvas read like test images.

A character drawn on the Draw page reaches the model through `preprocess_image`, but it
still differs from an EMNIST scan: the pen is binary and round, its width is whatever
the slider says, and the stroke is the same width everywhere. A quick CNN that never saw
such strokes read the canvas-realism benchmark's drawings about 6 points worse than the
test images they were drawn from (BENCHMARKS.md). The fix is in the data: a seeded share
of the training images is redrawn with a pen (`emnist_core.analysis.canvas`) and put
through the Draw page's own preprocessing, once, before the first epoch.

The training style is deliberately wider than the benchmark's (thinner and thicker pens,
smaller and larger glyphs, more stretch), so the model learns pens in general rather
than the benchmark's one rendering.
"""

import threading
from collections.abc import Callable

import numpy as np

from emnist_core.analysis.canvas import CanvasStyle, render_drawing
from emnist_core.data import Split
from emnist_core.errors import EmnistError
from emnist_core.inference.preprocess import preprocess_image

# The Draw page's slider offers pens of 5 to 40 px on its 280 px canvas; people draw from a
# third of the canvas to nearly all of it. Training draws on a canvas half that side with
# pens half as wide: the same drawing once preprocessing has scaled it to 28x28, for less
# work per drawing (the drawing time counts in the run's training time).
TRAINING_STYLE = CanvasStyle(canvas=140, glyph=(0.3, 0.95), pen=(2.5, 20.0), aspect=0.2)
REPORT_EVERY = 500  # drawings between progress reports: about a second at ~1.5 ms each


def _draw_one(image: np.ndarray, seed: np.random.SeedSequence) -> np.ndarray:
    """The image drawn with a pen and preprocessed; an image with no ink to trace (blank,
    or too faint for the preprocessing) stays as it is rather than stopping the training."""
    try:
        drawing = render_drawing(image, np.random.default_rng(seed), TRAINING_STYLE)
        return preprocess_image(drawing[..., 0], invert=False)
    except EmnistError:
        return image


def with_drawings(
    split: Split,
    share: float,
    seed: int,
    stop_event: threading.Event | None = None,
    on_drawn: Callable[[int, int], None] | None = None,
) -> Split:
    """split with `share` of its images (chosen by seed) replaced by pen drawings of them.

    Labels are unchanged and the split keeps its size, so an epoch costs the same. One
    thread draws: two gave no speed-up (likely the GIL, as the pen is drawn point by point
    in Python), and a process pool cannot start inside a Dask worker, whose process is a
    daemon. Drawing 20,000 images takes about half a minute, so the Stop flag is read before
    each drawing (a drawing takes about 1.5 ms; chunks of 1,000 kept a Stop waiting up to
    3 s on a busy machine): what was drawn so far is kept, and `loop.train` then saves the
    run as stopped without a batch. on_drawn(done, total) is called every REPORT_EVERY
    drawings and after the last, for a progress bar.
    """
    if share <= 0 or len(split) == 0:
        return split
    rng = np.random.default_rng(seed)
    count = int(round(share * len(split)))
    picks = np.sort(rng.choice(len(split), size=count, replace=False))
    seeds = np.random.SeedSequence(seed).spawn(count)
    images = split.images.copy()
    for done, (pick, child) in enumerate(zip(picks, seeds, strict=True)):
        if stop_event is not None and stop_event.is_set():
            break
        if on_drawn is not None and done % REPORT_EVERY == 0:
            on_drawn(done, count)
        images[pick] = _draw_one(split.images[pick], child)
    else:
        if on_drawn is not None:
            on_drawn(count, count)
    return Split(images, split.labels)
