"""Render test images the way a person draws them on the Draw page's 280x280 canvas.

A drawing differs from an EMNIST image in ways that have nothing to do with the
character: the pen is binary (no grey anti-aliased scan), its width is whatever the
slider says, and the character sits anywhere, at any size. To measure how much that
costs a model, each image is thinned to its pen path (with the loops that EMNIST's blur
filled opened again, see `trace_level`), then redrawn with a round pen of
a random width, at a random size, aspect and position, light on dark (the canvas) or
dark on light (a photo or scan uploaded). NumPy, SciPy, Pillow and scikit-image; seeded.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from emnist_core.errors import ConfigError, DataError

CANVAS_SIDE = 280  # the Draw page's canvas (dashboard/components/canvas.py)
TRACE_SCALE = 4  # thin the pen path at 112x112: fine enough to keep curves, fast to thin
# Shares of the brightest pixel tried as the edge of a stroke (see trace_level). The first
# is the core of an EMNIST stroke, not its blur; the others open loops that blur filled.
TRACE_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9)
_EIGHT_NEIGHBOURS = np.ones((3, 3), bool)
_FOUR_NEIGHBOURS = ndimage.generate_binary_structure(2, 1)


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


def _enclosed_holes(mask: np.ndarray) -> int:
    """Background regions that do not reach the image's edge: the open loops of a glyph."""
    background, count = ndimage.label(~mask, structure=_FOUR_NEIGHBOURS)  # ink's complement
    edge = np.concatenate((background[0], background[-1], background[:, 0], background[:, -1]))
    return count - int(np.count_nonzero(np.bincount(edge, minlength=count + 1)[1:]))


def _stroke_parts(mask: np.ndarray, min_pixels: float) -> int:
    """Separate pieces of ink, ignoring specks smaller than min_pixels."""
    labels, count = ndimage.label(mask, structure=_EIGHT_NEIGHBOURS)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    return int(np.count_nonzero(sizes >= min_pixels))


def trace_level(pixels: np.ndarray) -> float:
    """The share of the brightest pixel above which this image's pixels count as stroke.

    EMNIST's blur fills small loops: at half brightness, an 'e', '6' or '9' written with
    a thick pen is a blob whose thinned path is a 'c', a 'c' or a '7', a drawing of some
    other character (about 2.5% of stand-in test images). The loop is still there as a
    darker pit inside the ink, and a higher level opens it. The level kept is the lowest
    that opens the most loops without splitting a stroke in two, as a high level does to
    a faint stroke. Found on the 28x28 image itself: cheap enough for training drawings.
    """
    top = float(pixels.max())
    base = pixels >= TRACE_LEVELS[0] * top
    min_part = max(2.0, 0.02 * np.count_nonzero(base))
    best, best_holes, base_parts = TRACE_LEVELS[0], _enclosed_holes(base), None
    for level in TRACE_LEVELS[1:]:
        mask = pixels >= level * top
        holes = _enclosed_holes(mask)
        if holes <= best_holes:
            continue
        if base_parts is None:
            base_parts = _stroke_parts(base, min_part)
        if _stroke_parts(mask, min_part) > base_parts:
            break  # higher levels only break more strokes
        best, best_holes = level, holes
    return best


def pen_path(image: np.ndarray) -> np.ndarray:
    """Points (K, 2) as (x, y) in [0, 1]^2 along the strokes of one upright 28x28 image."""
    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape != (28, 28):
        raise DataError(f"expected one upright 28x28 image; got shape {pixels.shape}")
    if pixels.max() <= 0:
        raise DataError("the image has no ink to trace")
    side = 28 * TRACE_SCALE
    big = np.asarray(Image.fromarray(pixels).resize((side, side), Image.Resampling.BILINEAR))
    rows, cols = np.nonzero(thin(big >= trace_level(pixels) * big.max()))
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


def _paper_and_ink(dark_on_light: bool) -> tuple[int, int]:
    """Grey levels of the paper and the pen: white on black is what the canvas returns."""
    return (255, 0) if dark_on_light else (0, 255)


def _opaque_rgba(grey: np.ndarray) -> np.ndarray:
    """A greyscale drawing as the opaque RGBA (side, side, 4) the canvas hands over."""
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


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
    paper, ink = _paper_and_ink(dark_on_light)
    canvas = Image.new("L", (style.canvas, style.canvas), paper)
    draw = ImageDraw.Draw(canvas)
    radius = pen / 2
    # A round pen: a disc at every path point (points lie ~1-3 px apart). The boxes are
    # made in one array operation: half the cost of building each in the loop.
    for box in np.hstack([points - radius, points + radius]).tolist():
        draw.ellipse(box, fill=ink)
    return _opaque_rgba(np.asarray(canvas))


def render_binarised(
    image: np.ndarray,
    rng: np.random.Generator,
    style: CanvasStyle = CanvasStyle(),
    *,
    dark_on_light: bool = False,
) -> np.ndarray:
    """The image itself made binary, at a random size, aspect and place: a control for
    render_drawing, in the same RGBA form.

    No pen path is traced: every stroke keeps the scan's own shape and width, and only
    the scan's grey is lost (its blur; BENCHMARKS.md shows that this alone costs 0/O and
    1/I most of what tells them apart). Set beside render_drawing, it splits what
    binarising and rescaling cost a model from what retracing with a round pen costs.
    """
    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape != (28, 28) or pixels.max() <= 0:
        raise DataError(f"expected one upright 28x28 image with ink; got shape {pixels.shape}")
    rows = np.flatnonzero(pixels.max(axis=1) > 0)
    cols = np.flatnonzero(pixels.max(axis=0) > 0)
    crop = pixels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    stretch = 1.0 + rng.uniform(-style.aspect, style.aspect)
    height, width = crop.shape[0], crop.shape[1] * stretch
    room = style.canvas - 4
    size = min(rng.uniform(*style.glyph) * style.canvas, room) / max(height, width)
    shape = (max(1, round(width * size)), max(1, round(height * size)))
    big = np.asarray(Image.fromarray(crop).resize(shape, Image.Resampling.BILINEAR))
    ink = big >= TRACE_LEVELS[0] * big.max()
    top = round(rng.uniform(2, style.canvas - 2 - ink.shape[0]))
    left = round(rng.uniform(2, style.canvas - 2 - ink.shape[1]))
    paper, pen = _paper_and_ink(dark_on_light)
    grey = np.full((style.canvas, style.canvas), paper, np.uint8)
    grey[top : top + ink.shape[0], left : left + ink.shape[1]][ink] = pen
    return _opaque_rgba(grey)
