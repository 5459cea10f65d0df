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

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

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
# A pool is worth starting (about half a second for a process to import what draws) from
# this many drawings; chunks of CHUNK drawings (about half a second each) go to its
# processes, and Stop is read every POLL_SECONDS while they draw.
POOL_MIN = 2_000
CHUNK = 250
POLL_SECONDS = 0.1

logger = logging.getLogger(__name__)


def _draw_one(image: np.ndarray, seed: np.random.SeedSequence) -> np.ndarray:
    """The image drawn with a pen and preprocessed; an image with no ink to trace (blank,
    or too faint for the preprocessing) stays as it is rather than stopping the training."""
    try:
        drawing = render_drawing(image, np.random.default_rng(seed), TRAINING_STYLE)
        return preprocess_image(drawing[..., 0], invert=False)
    except EmnistError:
        return image


def drawing_processes() -> int:
    """How many processes draw at once: one per core this process may use, or one (this
    process) in a daemon process, which may not start children (as a Dask worker is,
    unless started with DASK_DISTRIBUTED__WORKER__DAEMON=False)."""
    if multiprocessing.current_process().daemon:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def with_drawings(
    split: Split,
    share: float,
    seed: int,
    stop_event: threading.Event | None = None,
    on_drawn: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> Split:
    """split with `share` of its images (chosen by seed) replaced by pen drawings of them.

    Labels are unchanged and the split keeps its size, so an epoch costs the same. Every
    drawing has its own seed, so the result is the same whichever process draws it.
    Threads do not help (the pen is drawn point by point in Python, under the GIL), so
    POOL_MIN or more drawings are shared among `processes` processes (default: one per
    core, see drawing_processes); fewer are drawn here, where starting processes would
    cost more than it saves. The drawing time counts in a run's training time.

    Stop is read before each drawing here, and every POLL_SECONDS while a pool draws (its
    drawings in hand are dropped): what was drawn so far is kept, and `loop.train` then
    saves the run as stopped without a batch. on_drawn(done, total) is called as drawings
    come in (every REPORT_EVERY here, every CHUNK in a pool) and after the last, for a
    progress bar.
    """
    if share <= 0 or len(split) == 0:
        return split
    rng = np.random.default_rng(seed)
    count = int(round(share * len(split)))
    picks = np.sort(rng.choice(len(split), size=count, replace=False))
    seeds = np.random.SeedSequence(seed).spawn(count)
    images = split.images.copy()
    if processes is None:
        processes = drawing_processes()
    elif multiprocessing.current_process().daemon:  # may not start a pool, whatever was asked
        processes = 1
    left: Sequence[int] = range(count)
    if processes > 1 and count >= POOL_MIN:
        left = _draw_in_pool(split.images, picks, seeds, images, processes, stop_event, on_drawn)
        if stop_event is not None and stop_event.is_set():
            return Split(images, split.labels)
    for done, index in enumerate(left, start=count - len(left)):
        if stop_event is not None and stop_event.is_set():
            break
        if on_drawn is not None and done % REPORT_EVERY == 0:
            on_drawn(done, count)
        images[picks[index]] = _draw_one(split.images[picks[index]], seeds[index])
    else:
        if on_drawn is not None:
            on_drawn(count, count)
    return Split(images, split.labels)


def _draw_chunk(images: np.ndarray, seeds: list[np.random.SeedSequence]) -> np.ndarray:
    """Drawings of a chunk of images (in a pool's process)."""
    return np.stack([_draw_one(image, seed) for image, seed in zip(images, seeds, strict=True)])


def _draw_in_pool(source, picks, seeds, images, processes, stop_event, on_drawn) -> list[int]:
    """Draws into images[picks] with a process pool, chunk by chunk. Returns the indices
    into picks still to draw: none when all went well or Stop was set, and those of the
    chunks not drawn when the pool broke (a process that could not start, say), so that
    they are drawn here and none is lost."""
    count = len(picks)
    # spawn, not fork: forking a process whose TensorFlow threads may hold locks can hang.
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    starts = range(0, count, CHUNK)
    chunks: dict = {}
    drawn_starts: set[int] = set()
    done = 0
    try:
        for start in starts:  # submitting starts the processes, which may fail
            future = pool.submit(
                _draw_chunk, source[picks[start : start + CHUNK]], seeds[start : start + CHUNK]
            )
            chunks[future] = start
        pending = set(chunks)
        if on_drawn is not None:
            on_drawn(0, count)
        while pending and not (stop_event is not None and stop_event.is_set()):
            finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                start, drawings = chunks[future], future.result()
                images[picks[start : start + CHUNK]] = drawings
                drawn_starts.add(start)
                done += len(drawings)
                if on_drawn is not None and pending:
                    on_drawn(done, count)
    except (BrokenProcessPool, OSError) as error:
        logger.warning("drawing in %d processes failed (%s); drawing here", processes, error)
        return [
            index
            for start in starts
            if start not in drawn_starts
            for index in range(start, min(start + CHUNK, count))
        ]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return []
