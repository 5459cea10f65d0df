"""Turn a drawing or an image file into the 28x28 input an EMNIST model expects.

EMNIST was made from NIST scans in a fixed way (Cohen et al. 2017, section II-A):
Gaussian blur (sigma = 1), crop to the bounding box of the ink, centre that box in a
square keeping the aspect ratio, add a 2-pixel border, shrink to 28x28 with a smooth
filter and stretch intensities to 0..255, ink bright on a black background. A drawing's
glyph is also blurred in proportion to its size (see GLYPH_BLUR), since a canvas pen is
sharp whatever the size of the character. A drawing
the models should read the way they read EMNIST must go through the same steps; the
Draw page and `python -m emnist_core predict` both call `preprocess_image`.
"""

import math
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

from emnist_core.errors import DataError

OUTPUT_SIZE = 28
BORDER = 2  # blank pixels on every side of the 28x28 output, as in EMNIST
BLUR_SIGMA = 1.0
# Inks fainter than this (0..1, after removing the background) count as an empty canvas.
MIN_INK = 0.1
# Pixels below this share of the brightest blurred ink lie outside the bounding box;
# it keeps faint scanner noise and blur tails from inflating the crop.
CROP_THRESHOLD = 0.1
# Bigger inputs are shrunk first: blurring a 12-megapixel photo would cost ~100 ms for
# nothing, since the result is 28x28 anyway.
MAX_WORKING_SIDE = 512
# The cropped glyph is redrawn at this side and blurred by GLYPH_BLUR of it, so every
# drawing gets the same softness relative to its size, as EMNIST's scans did (a canvas
# pen is binary and sharp at any size). On canvas-style renderings of held-out stand-in
# test images (bench/bench_canvas.py) it added 1.5 points for a quick CNN (79.5% -> 81.0%)
# at about 1 ms per drawing; 0.025 added 2.1 but moves upscaled EMNIST images further
# from themselves (median correlation 0.955, against 0.969 here).
GLYPH_SIDE = 64
GLYPH_BLUR = 0.02

# Images are decoded to at most this side before any array is made: twice the working
# side, so the later box shrink still averages over whole pixels.
DECODE_SIDE = 2 * MAX_WORKING_SIDE
# A 24-megapixel photo is read; beyond that the decoded image alone could pass 100 MB.
MAX_IMAGE_PIXELS = 24_000_000
STRIP_ROWS = 32  # output rows per strip when reducing a large image
_SIZE_FIX = "Shrink it first: a character needs no more than about 1000x1000 pixels."

Invert = Literal["auto"] | bool


class EmptyDrawingError(DataError):
    """The canvas or image holds no ink, so there is nothing to predict."""


def read_image(source, name: str) -> Image.Image:
    """Open an image from a path or a file object, bounded in size and memory, or a DataError.

    The pixel count is checked from the header before anything is decoded; a large
    image is decoded reduced (JPEG draft, then an integer box reduction) so any accepted
    image adds well under 200 MB to the process. Every Pillow error becomes a DataError
    naming the file, so one bad image never stops the others.
    """
    try:
        with warnings.catch_warnings():
            # _check_pixels refuses far below Pillow's warning size, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                _check_pixels(image.size, name)
                return _decode_reduced(image)
    except DataError:
        raise
    except Image.DecompressionBombError as exc:
        raise DataError(f"{name} is far too large to read safely ({exc}). {_SIZE_FIX}") from None
    except Exception as exc:  # noqa: BLE001 - Pillow plugins raise many types for bad files
        # Pillow's text may hold repr(source), e.g. Streamlit's internal upload object
        detail = "unknown format" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise DataError(
            f"{name} is not an image Pillow can read ({type(exc).__name__}: "
            f"{detail.replace(repr(source), name)}); use a PNG, JPEG, BMP or GIF file"
        ) from None


def _check_pixels(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise DataError(
            f"{name} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"images of up to {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels are read. {_SIZE_FIX}"
        )


def _decode_reduced(image: Image.Image) -> Image.Image:
    """The image decoded at most DECODE_SIDE on its long side, in 'L' or 'RGBA'.

    Converting or reducing a whole RGBA image makes full-size copies (Pillow premultiplies
    alpha first), so a large image is converted and reduced one strip of rows at a time:
    beyond the decoded image itself, only a strip and the small result are held.
    """
    image.draft(None, (DECODE_SIDE, DECODE_SIDE))  # JPEG decodes at 1/2..1/8 scale; others no-op
    image.load()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "L"
    factor = math.ceil(max(image.size) / DECODE_SIDE)
    if factor == 1:
        return image.convert(wanted) if image.mode != wanted else image.copy()
    width, height = image.size
    out = Image.new(wanted, (math.ceil(width / factor), math.ceil(height / factor)))
    step = factor * STRIP_ROWS
    for top in range(0, height, step):
        strip = image.crop((0, top, width, min(top + step, height)))
        out.paste(strip.convert(wanted).reduce(factor), (0, top // factor))
    return out


def load_image_file(path: str | Path) -> Image.Image:
    """Open an image file, with a clear error if it is missing or not an image."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no image file at {path}; check the path")
    return read_image(path, str(path))


def _pil_to_array(image: Image.Image) -> np.ndarray:
    """RGBA if the image has transparency (a drawing), else greyscale, as a numpy array."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return np.asarray(image.convert("RGBA" if has_alpha else "L"))


def _to_unit_float(array: np.ndarray) -> np.ndarray:
    """Any numeric pixel array as float32 in 0..1 (uint8 / 255, uint16 / 65535, floats as given)."""
    if array.dtype == np.bool_:
        return array.astype(np.float32)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype == np.uint16:
        return array.astype(np.float32) / 65535.0
    values = array.astype(np.float32)
    if not np.all(np.isfinite(values)) or values.min() < 0:
        raise DataError("image values must be finite and non-negative pixel intensities")
    return values / 255.0 if values.max() > 1.0 else values


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma, the weights PIL uses for 'L'."""
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _border_level(grey: np.ndarray) -> float:
    """Median of the outermost pixels: the background, since a character rarely fills the edge."""
    frame = np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])
    return float(np.median(frame))


def ink_map(image: np.ndarray | Image.Image, invert: Invert = "auto") -> np.ndarray:
    """Ink intensity (H, W) in 0..1 with the background at 0, whatever the input's style.

    A transparent image (canvas output) is read from its alpha channel, which is the
    stroke coverage whatever colour was drawn with. Opaque images are read as luminance;
    invert="auto" treats a light border as paper with dark ink and flips it.
    """
    array = _pil_to_array(image) if isinstance(image, Image.Image) else np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise DataError(
            f"expected a greyscale (H, W), RGB (H, W, 3) or RGBA (H, W, 4) image; got {array.shape}"
        )
    if min(array.shape[:2]) < 2:
        raise DataError(f"the image is too small to hold a character: {array.shape[:2]}")
    if array.ndim == 3 and array.shape[-1] == 4:
        alpha = _to_unit_float(array[..., 3])  # convert one channel, not four: ~1 ms saved
        if alpha.min() < 1.0:
            return alpha
        array = array[..., :3]
    values = _to_unit_float(array)
    grey = _luminance(values) if values.ndim == 3 else values
    background = _border_level(grey)
    flip = background > 0.5 if invert == "auto" else bool(invert)
    if flip:
        grey, background = 1.0 - grey, 1.0 - background
    return np.clip(grey - background, 0.0, 1.0)


def _shrink(ink: np.ndarray) -> np.ndarray:
    """Downscale very large inputs (keeping the aspect ratio) to bound the cost."""
    height, width = ink.shape
    scale = MAX_WORKING_SIDE / max(height, width)
    if scale >= 1.0:
        return ink
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    return np.asarray(Image.fromarray(ink.astype(np.float32)).resize(size, Image.Resampling.BOX))


def _ink_window(ink: np.ndarray) -> np.ndarray:
    """The part of the image the blur can reach: any ink plus the filter's reach (4 sigma).

    Blurring only this window gives exactly the same values there as blurring the whole
    canvas (beyond it the blur of empty paper is zero), at a fraction of the cost.
    """
    reach = int(np.ceil(4 * BLUR_SIGMA)) + 1
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    top, left = max(rows[0] - reach, 0), max(cols[0] - reach, 0)
    return ink[top : rows[-1] + reach + 1, left : cols[-1] + reach + 1]


def _square_crop(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink's bounding box, then pad the short side equally to a square."""
    rows = np.flatnonzero(ink.max(axis=1) > CROP_THRESHOLD * ink.max())
    cols = np.flatnonzero(ink.max(axis=0) > CROP_THRESHOLD * ink.max())
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    square = np.zeros((side, side), dtype=np.float32)
    square[top : top + height, left : left + width] = crop
    return square


def _glyph_blur(square: np.ndarray) -> np.ndarray:
    """The square glyph at GLYPH_SIDE pixels, with room around it, blurred relative to its size."""
    glyph = Image.fromarray(square.astype(np.float32)).resize(
        (GLYPH_SIDE, GLYPH_SIDE), Image.Resampling.BOX
    )
    padded = np.pad(np.asarray(glyph), GLYPH_SIDE // 4)  # the blur spreads past the box
    return ndimage.gaussian_filter(padded, sigma=GLYPH_BLUR * GLYPH_SIDE)


def preprocess_image(image: np.ndarray | Image.Image, *, invert: Invert = "auto") -> np.ndarray:
    """The 28x28 uint8 EMNIST-style image (ink 0..255 on black) for any drawing or picture.

    image : numpy array (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), any numeric dtype,
        or a PIL image; any size; dark-on-light or light-on-dark.
    invert : "auto" (decide from the border), True (dark ink on light paper) or False.
    Raises EmptyDrawingError when there is no ink: an empty canvas must show a hint,
    not a confident guess.
    """
    ink = _shrink(ink_map(image, invert))
    if ink.max() < MIN_INK:
        raise EmptyDrawingError("the canvas is empty - draw a character")
    blurred = ndimage.gaussian_filter(_ink_window(ink), sigma=BLUR_SIGMA)
    square = _square_crop(_glyph_blur(_square_crop(blurred)))
    inner = OUTPUT_SIZE - 2 * BORDER
    resized = Image.fromarray(square).resize((inner, inner), Image.Resampling.BICUBIC)
    glyph = np.clip(np.asarray(resized), 0.0, None)  # bicubic overshoots below zero near edges
    out = np.zeros((OUTPUT_SIZE, OUTPUT_SIZE), dtype=np.float32)
    out[BORDER : BORDER + inner, BORDER : BORDER + inner] = glyph
    return np.round(out * (255.0 / out.max())).astype(np.uint8)
