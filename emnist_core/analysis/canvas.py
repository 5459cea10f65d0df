"""Render test images the way a person draws them on the Draw page's 280x280 canvas.

A drawing differs from an EMNIST image in ways that have nothing to do with the
character: the pen is binary (no grey anti-aliased scan), its width is whatever the
slider says, and the character sits anywhere, at any size. To measure how much that
costs a model, each image is thinned to its pen path, then redrawn with a round pen of
a random width, at a random size, aspect and position, light on dark (the canvas) or
dark on light (a photo or scan uploaded). NumPy, Pillow and scikit-image; seeded.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from emnist_core.errors import ConfigError, DataError

CANVAS_SIDE = 280  # the Draw page's canvas (dashboard/components/canvas.py)
TRACE_SCALE = 4  # thin the pen path at 112x112: fine enough to keep curves, fast to thin
INK_THRESHOLD = 0.5  # of the brightest pixel: the core of an EMNIST stroke, not its blur


@dataclass(frozen=True)
class CanvasStyle:
    """How varied the renderings are (each drawn uniformly from its range).

    glyph : the character's longer side, as a share of the canvas side.
    pen : pen width in canvas pixels (the Draw page's slider offers 5 to 40, default 20).
    aspect : the width is stretched or squeezed by up to this share (people vary).
    """

    canvas: int = CANVAS_SIDE
    glyph: tuple[float, float] = (0.35, 0.9)
    pen: tuple[float, float] = (8.0, 32.0)
    aspect: float = 0.15

    def __post_init__(self) -> None:
        low, high = self.glyph
        if not 0.05 <= low <= high <= 1.0:
            raise ConfigError(f"glyph={self.glyph} is not allowed: use 0.05 <= low <= high <= 1.")
        if not 1.0 <= self.pen[0] <= self.pen[1] <= self.canvas / 4:
            raise ConfigError(f"pen={self.pen} is not allowed: use 1 <= low <= high <= canvas/4.")
        if not 0.0 <= self.aspect < 0.5:
            raise ConfigError(f"aspect={self.aspect} is not allowed: use a value in [0, 0.5).")


def thin(binary: np.ndarray) -> np.ndarray:
    """A one-pixel-wide path through every stroke (bool in, bool out).

    scikit-image's skeletonize (Zhang's method, compiled): far faster than the NumPy
    version it replaced, which matters when training draws thousands of images.
    """
    from skimage.morphology import skeletonize

    return skeletonize(np.asarray(binary, dtype=bool))


def pen_path(image: np.ndarray) -> np.ndarray:
    """Points (K, 2) as (x, y) in [0, 1]^2 along the strokes of one upright 28x28 image."""
    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape != (28, 28):
        raise DataError(f"expected one upright 28x28 image; got shape {pixels.shape}")
    if pixels.max() <= 0:
        raise DataError("the image has no ink to trace")
    side = 28 * TRACE_SCALE
    big = np.asarray(Image.fromarray(pixels).resize((side, side), Image.Resampling.BILINEAR))
    rows, cols = np.nonzero(thin(big >= INK_THRESHOLD * big.max()))
    if len(rows) == 0:  # a faint dot: keep its brightest pixel
        rows, cols = np.unravel_index(np.argmax(big), big.shape)
        rows, cols = np.atleast_1d(rows), np.atleast_1d(cols)
    return np.column_stack([cols, rows]).astype(np.float64) / (side - 1)


def _placed(points: np.ndarray, rng: np.random.Generator, style: CanvasStyle, pen: float):
    """Canvas coordinates of the path: random size, aspect and position, inside the canvas."""
    low, span = points.min(axis=0), np.maximum(np.ptp(points, axis=0), 1e-6)
    unit = (points - low) / span.max()  # longer side 1, aspect kept
    stretch = 1.0 + rng.uniform(-style.aspect, style.aspect)
    unit[:, 0] *= stretch
    room = style.canvas - pen - 4  # the pen's disc and a pixel of margin on every side
    size = rng.uniform(*style.glyph) * style.canvas / max(unit.max(axis=0).max(), 1e-6)
    size = min(size, room / max(unit.max(axis=0).max(), 1e-6))
    extent = unit.max(axis=0) * size
    slack = np.maximum(room - extent, 0.0)  # never negative, whatever the rounding
    origin = np.array([rng.uniform(0, slack[i]) for i in (0, 1)]) + pen / 2 + 2
    return unit * size + origin


def render_drawing(
    image: np.ndarray,
    rng: np.random.Generator,
    style: CanvasStyle = CanvasStyle(),
    *,
    dark_on_light: bool = False,
) -> np.ndarray:
    """One upright 28x28 image drawn as a person would: RGBA (side, side, 4), uint8.

    Light on dark is what the canvas returns (white pen on black, opaque); dark on light
    is a drawing on paper, as an upload would bring it.
    """
    pen = rng.uniform(*style.pen)
    points = _placed(pen_path(image), rng, style, pen)
    paper, ink = (255, 0) if dark_on_light else (0, 255)
    canvas = Image.new("L", (style.canvas, style.canvas), paper)
    draw = ImageDraw.Draw(canvas)
    radius = pen / 2
    for x, y in points:  # round pen: a disc at every path point (points lie ~1-3 px apart)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    grey = np.asarray(canvas)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])
