"""Handwriting-like character images drawn from pen-stroke skeletons, for tests and offline demos.

Each character is a few pen strokes in a unit box (x to the right, y DOWN, so a glyph
is written upright exactly as it appears in an image). Every sample bends the skeleton
with a smooth random warp, nudges strokes apart, slants, stretches and rotates it, then
fits it into the 28x28 frame the way EMNIST does (longest side ~20 px, centred) and
draws it anti-aliased with a round pen of random width and a light Gaussian blur.
Pure numpy, no fonts or files: the same arguments give the same bytes on any machine.
"""

from dataclasses import dataclass

import numpy as np

from emnist_core.errors import ConfigError

BALANCED_CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"
IMAGE_SIZE = 28
BORDER_PX = 2.0  # EMNIST pads every character by at least 2 px


@dataclass(frozen=True)
class Variation:
    """How much one sample may differ from the skeleton; defaults mimic EMNIST's spread."""

    stroke_width_px: tuple[float, float] = (1.5, 3.5)  # thin pen to felt-tip, at 28x28
    ink_extent_px: tuple[float, float] = (19.5, 24.0)  # longer side of the ink, incl. the pen
    slant_mean: float = 0.12  # shear (x per y); most writers lean right
    slant_sd: float = 0.16
    rotation_sd_deg: float = 4.0
    aspect: tuple[float, float] = (0.85, 1.3)  # width multiplier: narrow to wide writers
    shift_sd_px: float = 0.8  # EMNIST centres by bounding box, so only a little drift
    warp: float = 0.05  # amplitude of the smooth shape warp, in glyph-box units
    stroke_offset_sd: float = 0.02  # pen lifted and put down slightly off
    blur_sigma_px: tuple[float, float] = (0.4, 0.8)  # EMNIST blurs before downsampling

    def __post_init__(self) -> None:
        for name in ("stroke_width_px", "ink_extent_px", "aspect", "blur_sigma_px"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ConfigError(f"Variation.{name}={(low, high)}: need 0 < low <= high.")
        if self.ink_extent_px[1] > IMAGE_SIZE - 2 * BORDER_PX:
            raise ConfigError(
                f"Variation.ink_extent_px upper bound {self.ink_extent_px[1]} leaves no "
                f"{BORDER_PX:g} px border; allowed up to {IMAGE_SIZE - 2 * BORDER_PX:g}."
            )
        if self.ink_extent_px[0] <= self.stroke_width_px[1]:
            raise ConfigError(
                f"Variation.ink_extent_px={self.ink_extent_px} must start above the widest "
                f"stroke_width_px ({self.stroke_width_px[1]}), or the glyph is just a blob."
            )
        for name in ("slant_sd", "rotation_sd_deg", "shift_sd_px", "warp", "stroke_offset_sd"):
            if getattr(self, name) < 0:
                raise ConfigError(f"Variation.{name}={getattr(self, name)}: must be >= 0.")


# --- skeleton helpers: each returns a (K, 2) array of points along one pen stroke ------


def _line(*points: tuple[float, float]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64)


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> np.ndarray:
    """Elliptic arc; degrees with 0 = east, 90 = south (y down), so increasing is clockwise."""
    steps = max(2, int(np.ceil(abs(end - start) / 10.0)) + 1)
    angles = np.radians(np.linspace(start, end, steps))
    return np.column_stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)])


def _curve(*points: tuple[float, float], steps: int = 6) -> np.ndarray:
    """Smooth Catmull-Rom curve through the given points, so strokes need few numbers."""
    p = np.asarray(points, dtype=np.float64)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    p0, p1, p2, p3 = ext[:-3], ext[1:-2], ext[2:-1], ext[3:]
    t = np.linspace(0.0, 1.0, steps, endpoint=False)[:, None, None]  # (steps, 1, 1)
    pts = 0.5 * (
        2 * p1
        + (p2 - p0) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
        + (3 * p1 - p0 - 3 * p2 + p3) * t**3
    )  # (steps, spans, 2)
    return np.vstack([pts.transpose(1, 0, 2).reshape(-1, 2), p[-1:]])


def _join(*parts: np.ndarray) -> np.ndarray:
    """One continuous stroke made of several pieces, written without lifting the pen."""
    return np.vstack(parts)


# Capitals and digits span y 0..1; lowercase bodies span 0.45..1 with ascenders from 0 and
# descenders to ~1.4. Each entry is a tuple of variants; each variant a tuple of strokes.
_BOWL = _arc(0.3, 0.73, 0.29, 0.27, 0, -360)  # the round body of a, d, g, q
# One glyph per line or two reads better than the formatter's layout.
# fmt: off
_GLYPHS: dict[str, tuple[tuple[np.ndarray, ...], ...]] = {
    "0": ((_arc(0.27, 0.5, 0.27, 0.5, 270, -90),),),
    "1": ((_line((0.12, 0.22), (0.35, 0), (0.35, 1)),),
          (_line((0.1, 0.2), (0.35, 0), (0.35, 1)), _line((0.1, 1), (0.6, 1)))),
    "2": ((_join(_arc(0.33, 0.28, 0.3, 0.28, 195, 395), _line((0.02, 1), (0.7, 1))),),),
    "3": ((_join(_arc(0.32, 0.26, 0.27, 0.24, 200, 450),
                 _arc(0.32, 0.75, 0.32, 0.25, 270, 520)),),),
    "4": ((_line((0.5, 1), (0.5, 0), (0, 0.68), (0.72, 0.68)),),
          (_line((0.1, 0), (0, 0.62), (0.72, 0.62)), _line((0.52, 0.3), (0.52, 1)))),
    "5": ((_join(_line((0.62, 0), (0.12, 0), (0.08, 0.46)),
                 _arc(0.33, 0.7, 0.3, 0.3, 220, 515)),),),
    "6": ((_curve((0.58, 0.02), (0.3, 0.15), (0.1, 0.48), (0.12, 0.82), (0.33, 1), (0.56, 0.84),
                  (0.53, 0.6), (0.3, 0.52), (0.1, 0.68)),),),
    "7": ((_line((0, 0), (0.66, 0), (0.25, 1)),),
          (_line((0, 0), (0.66, 0), (0.25, 1)), _line((0.2, 0.5), (0.6, 0.5)))),
    "8": ((_arc(0.33, 0.24, 0.25, 0.24, 0, 360), _arc(0.33, 0.74, 0.32, 0.26, 0, 360)),),
    "9": ((_join(_arc(0.3, 0.28, 0.28, 0.28, 0, -360),
                 _curve((0.58, 0.28), (0.57, 0.7), (0.5, 1))),),),
    "A": ((_line((0, 1), (0.36, 0), (0.72, 1)), _line((0.15, 0.62), (0.57, 0.62))),),
    "B": ((_line((0, 0), (0, 1)),
           _join(_line((0, 0), (0.28, 0)), _arc(0.28, 0.24, 0.26, 0.24, 270, 450),
                 _line((0.28, 0.48), (0, 0.48), (0.33, 0.48)),
                 _arc(0.33, 0.74, 0.3, 0.26, 270, 450), _line((0.33, 1), (0, 1)))),),
    "C": ((_arc(0.4, 0.5, 0.4, 0.5, 320, 40),),),
    "D": ((_line((0, 0), (0, 1)),
           _join(_line((0, 0), (0.2, 0)), _arc(0.2, 0.5, 0.48, 0.5, 270, 450),
                 _line((0.2, 1), (0, 1)))),),
    "E": ((_line((0.62, 0), (0, 0), (0, 1), (0.62, 1)), _line((0, 0.5), (0.48, 0.5))),),
    "F": ((_line((0.62, 0), (0, 0), (0, 1)), _line((0, 0.48), (0.48, 0.48))),),
    "G": ((_join(_arc(0.42, 0.5, 0.42, 0.5, 315, 15), _line((0.82, 0.6), (0.45, 0.6))),),),
    "H": ((_line((0, 0), (0, 1)), _line((0.62, 0), (0.62, 1)), _line((0, 0.5), (0.62, 0.5))),),
    "I": ((_line((0.28, 0), (0.28, 1)), _line((0.02, 0), (0.54, 0)), _line((0.02, 1), (0.54, 1))),
          (_line((0.28, 0), (0.28, 1)),)),  # a bare stick, as EMNIST writers (and 'i') often do
    "J": ((_join(_line((0.55, 0), (0.55, 0.72)), _arc(0.3, 0.72, 0.25, 0.28, 0, 175)),),
          (_join(_line((0.55, 0), (0.55, 0.72)), _arc(0.3, 0.72, 0.25, 0.28, 0, 175)),
           _line((0.2, 0), (0.85, 0)))),
    "K": ((_line((0, 0), (0, 1)), _line((0.6, 0), (0.02, 0.55), (0.65, 1))),),
    "L": ((_line((0, 0), (0, 1), (0.58, 1)),),),
    "M": ((_line((0, 1), (0.04, 0), (0.38, 0.62), (0.72, 0), (0.76, 1)),),),
    "N": ((_line((0, 1), (0, 0), (0.62, 1), (0.62, 0)),),),
    "O": ((_arc(0.45, 0.5, 0.45, 0.5, 270, -90),),),
    "P": ((_join(_line((0, 1), (0, 0), (0.3, 0)), _arc(0.3, 0.26, 0.28, 0.26, 270, 450),
                 _line((0.3, 0.52), (0, 0.52))),),),
    "Q": ((_arc(0.45, 0.5, 0.45, 0.5, 270, -90), _line((0.5, 0.72), (0.92, 1.08))),),
    "R": ((_join(_line((0, 1), (0, 0), (0.3, 0)), _arc(0.3, 0.25, 0.27, 0.25, 270, 450),
                 _line((0.3, 0.5), (0, 0.5), (0.62, 1))),),),
    "S": ((_curve((0.62, 0.1), (0.35, 0), (0.08, 0.12), (0.12, 0.36), (0.36, 0.5), (0.6, 0.64),
                  (0.6, 0.88), (0.34, 1), (0.04, 0.9)),),),
    "T": ((_line((0, 0), (0.72, 0)), _line((0.36, 0), (0.36, 1))),),
    "U": ((_join(_line((0, 0), (0, 0.68)), _arc(0.31, 0.68, 0.31, 0.32, 180, 0),
                 _line((0.62, 0.68), (0.62, 0))),),),
    "V": ((_line((0, 0), (0.36, 1), (0.72, 0)),),),
    "W": ((_line((0, 0), (0.22, 1), (0.46, 0.3), (0.7, 1), (0.92, 0)),),),
    "X": ((_line((0, 0), (0.66, 1)), _line((0.66, 0), (0, 1))),),
    "Y": ((_line((0, 0), (0.36, 0.5), (0.72, 0)), _line((0.36, 0.5), (0.36, 1))),),
    "Z": ((_line((0, 0), (0.66, 0), (0, 1), (0.68, 1)),),),
    "a": ((_BOWL, _line((0.59, 0.45), (0.59, 0.94), (0.66, 1))),),
    "b": ((_line((0, 0), (0, 1)), _arc(0.3, 0.73, 0.3, 0.27, 180, 540)),),
    "d": ((_BOWL, _line((0.59, 0), (0.59, 1))),),
    "e": ((_join(_line((0.03, 0.72), (0.6, 0.72)), _arc(0.32, 0.72, 0.28, 0.27, 360, 45)),),),
    "f": ((_curve((0.58, 0.06), (0.42, 0), (0.27, 0.1), (0.24, 0.35), (0.24, 1)),
           _line((0.04, 0.45), (0.5, 0.45))),),
    "g": ((_BOWL, _join(_line((0.59, 0.45), (0.59, 1.18)), _arc(0.33, 1.18, 0.26, 0.22, 0, 165))),),
    "h": ((_line((0, 0), (0, 1)),
           _join(_arc(0.28, 0.7, 0.28, 0.24, 180, 360), _line((0.56, 0.7), (0.56, 1)))),),
    "n": ((_line((0, 0.45), (0, 1)),
           _join(_arc(0.28, 0.7, 0.28, 0.24, 180, 360), _line((0.56, 0.7), (0.56, 1)))),),
    "q": ((_BOWL, _line((0.59, 0.45), (0.59, 1.4), (0.76, 1.3))),),
    "r": ((_line((0, 0.45), (0, 1)), _arc(0.32, 0.72, 0.32, 0.24, 180, 305)),),
    "t": ((_curve((0.2, 0.02), (0.2, 0.8), (0.27, 0.98), (0.46, 0.96)),
           _line((0, 0.36), (0.46, 0.36))),),
}
# fmt: on
KNOWN_CHARACTERS = "".join(_GLYPHS)


# --- one sample: distort the skeleton, fit it into the frame, draw it ------------------


def _distort(strokes: tuple[np.ndarray, ...], rng: np.random.Generator, v: Variation) -> np.ndarray:
    """All strokes bent, nudged, stretched, slanted and rotated; (S, 2, 2) pen segments."""
    # Under one cycle per glyph and amplitude capped at 2 sd: bends strokes, never folds them.
    freq = rng.uniform(0.3, 0.9, size=(2, 2)) * rng.choice([-1.0, 1.0], size=(2, 2))
    phase = rng.uniform(0, 2 * np.pi, size=2)
    amp = np.clip(rng.normal(0.0, v.warp, size=2), -2 * v.warp, 2 * v.warp)
    angle = np.radians(rng.normal(0.0, v.rotation_sd_deg))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    # y is down, so a positive slant moves the top of the glyph to the right.
    stretch = np.exp(rng.uniform(*np.log(v.aspect)))  # log-uniform: as many wide as narrow
    shape = np.array([[stretch, -rng.normal(v.slant_mean, v.slant_sd)], [0.0, 1.0]])
    segments = []
    for stroke in strokes:
        points = stroke + rng.normal(0.0, v.stroke_offset_sd, size=2)
        # Smooth warp: a low-frequency sine field keeps the stroke continuous.
        points = points + amp * np.sin(2 * np.pi * points @ freq.T + phase)
        points = points @ (rotation @ shape).T
        segments.append(np.stack([points[:-1], points[1:]], axis=1))
    return np.concatenate(segments)


def _fit(segments: np.ndarray, pen: float, rng: np.random.Generator, v: Variation) -> np.ndarray:
    """Segments scaled and moved into pixel units the way EMNIST frames a character."""
    points = segments.reshape(-1, 2)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = rng.uniform(*v.ink_extent_px)
    scale = (extent - pen) / max(float((high - low).max()), 1e-6)
    size = (high - low) * scale + pen  # ink box in px
    room = np.maximum((IMAGE_SIZE - 2 * BORDER_PX - size) / 2, 0.0)
    shift = np.clip(rng.normal(0.0, v.shift_sd_px, size=2), -room, room)
    centre = IMAGE_SIZE / 2 + shift
    return (segments - (low + high) / 2) * scale + centre


def _coverage(segments: np.ndarray, pen: float) -> np.ndarray:
    """Round-pen ink per pixel in 0..1: full within pen/2 of a segment, fading over 1 px."""
    points = segments.reshape(-1, 2)
    low = np.clip(np.floor(points.min(axis=0) - pen / 2 - 1), 0, IMAGE_SIZE).astype(int)
    high = np.clip(np.ceil(points.max(axis=0) + pen / 2 + 1), 0, IMAGE_SIZE).astype(int)
    # Only the pixels around the ink are measured: a thin '1' costs a third of an 'O'.
    rows, cols = np.indices((high[1] - low[1], high[0] - low[0]), dtype=np.float32)
    px, py = cols.reshape(-1, 1) + (low[0] + 0.5), rows.reshape(-1, 1) + (low[1] + 0.5)  # (P, 1)
    ends = segments.astype(np.float32)  # float32 halves the memory traffic; ample for 28 px
    sx, sy = ends[:, 0, 0], ends[:, 0, 1]  # (S,) segment starts
    ax, ay = ends[:, 1, 0] - sx, ends[:, 1, 1] - sy  # (S,) segment directions
    inv_length2 = 1.0 / np.maximum(ax * ax + ay * ay, 1e-12)  # zero-length segments are dots
    dx, dy = px - sx, py - sy  # (P, S) pixel centre relative to segment start
    t = dx * ax + dy * ay
    t *= inv_length2
    np.clip(t, 0.0, 1.0, out=t)  # nearest point along the segment, as a fraction of it
    dx -= t * ax  # (dx, dy) now runs from the nearest point to the pixel centre
    dy -= t * ay
    distance = np.sqrt((dx * dx + dy * dy).min(axis=1)).reshape(rows.shape)
    coverage = np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    # A one-pixel linear ramp at the edge approximates the area a round pen covers.
    coverage[low[1] : high[1], low[0] : high[0]] = np.clip(pen / 2 - distance + 0.5, 0.0, 1.0)
    return coverage


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur (5 taps, zero padding) as two small matrix products."""
    kernel = np.where(_TAP_OFFSET2 <= 4, np.exp(-_TAP_OFFSET2 / (2 * sigma**2)), 0.0)
    kernel /= np.exp(-(np.arange(-2, 3) ** 2) / (2 * sigma**2)).sum()
    return kernel @ image @ kernel.T


# Squared row-column offsets, (28, 28): the banded blur matrix is built from it per sample.
_TAP_OFFSET2 = np.subtract.outer(np.arange(IMAGE_SIZE), np.arange(IMAGE_SIZE)) ** 2.0


def _sample(character: str, index: int, seed: int, v: Variation) -> np.ndarray:
    """One image; seeded by (seed, character, index) so it never depends on the class list."""
    rng = np.random.default_rng([seed, ord(character), index])
    variants = _GLYPHS[character]
    strokes = variants[int(rng.integers(len(variants)))]
    pen = rng.uniform(*v.stroke_width_px)
    segments = _fit(_distort(strokes, rng, v), pen, rng, v)
    image = _gaussian_blur(_coverage(segments, pen), rng.uniform(*v.blur_sigma_px))
    return np.round(255.0 * image / max(float(image.max()), 1e-6)).astype(np.uint8)  # peak 255


# --- public entry point ---------------------------------------------------------------


def generate(
    classes: str | list[str], per_class: int, seed: int, variation: Variation | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic handwriting: ``per_class`` upright samples of every character in ``classes``.

    Returns images, uint8 (N, 28, 28), white ink (peak 255) on black, upright; and labels,
    int64 (N,), the position of each character in ``classes``. N = per_class * len(classes).
    Samples are interleaved (label of sample i is i % len(classes)) so any prefix covers
    every class. Sample j of a character depends only on (seed, character, j): growing
    per_class or reordering classes keeps the existing images.
    """
    chars = _check(classes, per_class, seed)
    v = variation if variation is not None else Variation()
    images = np.empty((per_class * len(chars), IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for j in range(per_class):
        for label, character in enumerate(chars):
            images[j * len(chars) + label] = _sample(character, j, seed, v)
    labels = np.tile(np.arange(len(chars), dtype=np.int64), per_class)
    return images, labels


def _check(classes: str | list[str], per_class: int, seed: int) -> list[str]:
    """The class characters as a list, or a ConfigError saying what to pass instead."""
    chars = list(classes)
    if not chars:
        raise ConfigError("classes is empty: pass e.g. synth.BALANCED_CLASSES.")
    unknown = [c for c in chars if c not in _GLYPHS]
    if unknown:
        raise ConfigError(
            f"classes: no pen-stroke glyph for {unknown!r}; the generator draws only "
            f"{KNOWN_CHARACTERS!r} (the 47 EMNIST Balanced classes)."
        )
    if len(set(chars)) != len(chars):
        raise ConfigError(f"classes {''.join(chars)!r} repeats a character; each must appear once.")
    if isinstance(per_class, bool) or not isinstance(per_class, int | np.integer) or per_class < 1:
        raise ConfigError(f"per_class={per_class!r}: must be an integer >= 1.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed={seed!r}: must be an integer >= 0.")
    return chars
