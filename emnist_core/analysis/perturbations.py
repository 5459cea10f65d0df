"""Controlled image perturbations (shift, rotation, scale, stroke width, noise) on whole batches.

Each function takes uint8 images (N, 28, 28), upright, light ink on black, and returns
new uint8 images of the same shape; the background fill is 0 as in EMNIST. They work
on the whole batch in one scipy/numpy call, so a robustness sweep costs one pass over
the test images per level, and the Draw page can reuse them on a single drawing.
"""

import numpy as np
from scipy import ndimage

from emnist_core.errors import DataError

# The four axis directions a sweep's shift may take, as (rows, cols): up, down, left, right.
DIRECTIONS = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)], dtype=np.int64)
# A plus-shaped footprint thickens or thins a stroke by about one pixel per step; a full
# 3x3 square would erase thin EMNIST strokes after a single erosion.
_CROSS = ndimage.generate_binary_structure(2, 1)


def as_batch(images: np.ndarray) -> np.ndarray:
    """Images as uint8 (N, 28, 28); one (28, 28) image becomes a batch of one."""
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"expected images of shape (N, 28, 28) or (28, 28); got {images.shape}")
    return np.clip(images, 0, 255).astype(np.uint8)


def translate(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Move every image by whole pixels (rows down, cols right); what leaves the frame is lost."""
    images = as_batch(images)
    out = np.zeros_like(images)
    rows, cols = int(rows), int(cols)
    side = images.shape[1]
    if abs(rows) >= side or abs(cols) >= side:
        return out
    src_r, dst_r = _span(rows, side)
    src_c, dst_c = _span(cols, side)
    out[:, dst_r, dst_c] = images[:, src_r, src_c]
    return out


def _span(offset: int, side: int) -> tuple[slice, slice]:
    """Source and destination slices for a shift by offset along one axis."""
    if offset >= 0:
        return slice(0, side - offset), slice(offset, side)
    return slice(-offset, side), slice(0, side + offset)


def shift_in_directions(images: np.ndarray, pixels: int, directions: np.ndarray) -> np.ndarray:
    """Shift image i by `pixels` along DIRECTIONS[directions[i]] (one slice per direction)."""
    images = as_batch(images)
    out = np.empty_like(images)
    for index, (d_row, d_col) in enumerate(DIRECTIONS):
        chosen = directions == index
        if chosen.any():
            out[chosen] = translate(images[chosen], d_row * pixels, d_col * pixels)
    return out


def rotate(images: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate every image about its centre; positive degrees turn it anticlockwise on screen."""
    images = as_batch(images)
    if degrees == 0:
        return images.copy()
    # axes (2, 1): rows point down on screen, so this order makes positive angles anticlockwise.
    turned = ndimage.rotate(
        images.astype(np.float32),
        degrees,
        axes=(2, 1),
        reshape=False,
        order=1,
        mode="constant",
        cval=0.0,
    )
    return _to_uint8(turned)


def rotate_with_signs(images: np.ndarray, degrees: float, signs: np.ndarray) -> np.ndarray:
    """Rotate image i by signs[i] * degrees (signs are +1 or -1): two batched calls."""
    images = as_batch(images)
    out = np.empty_like(images)
    for sign in (1, -1):
        chosen = signs == sign
        if chosen.any():
            out[chosen] = rotate(images[chosen], sign * degrees)
    return out


def scale(images: np.ndarray, factor: float) -> np.ndarray:
    """Zoom every image about its centre by factor (> 1 enlarges, < 1 shrinks)."""
    images = as_batch(images)
    if factor <= 0:
        raise DataError(f"a scale factor must be positive; got {factor}")
    if factor == 1:
        return images.copy()
    centre = (images.shape[1] - 1) / 2.0
    # output pixel p samples input pixel centre + (p - centre) / factor
    matrix = np.diag([1.0, 1.0 / factor, 1.0 / factor])
    offset = np.array([0.0, centre - centre / factor, centre - centre / factor])
    zoomed = ndimage.affine_transform(
        images.astype(np.float32), matrix, offset=offset, order=1, mode="constant", cval=0.0
    )
    return _to_uint8(zoomed)


def stroke_width(images: np.ndarray, steps: int) -> np.ndarray:
    """Thicken (steps > 0, grey dilation) or thin (steps < 0, grey erosion) every stroke."""
    images = as_batch(images)
    steps = int(steps)
    if steps == 0:
        return images.copy()
    footprint = _CROSS[None]  # (1, 3, 3): never mixes pixels of different images
    morph = ndimage.grey_dilation if steps > 0 else ndimage.grey_erosion
    out = images
    for _ in range(abs(steps)):
        out = morph(out, footprint=footprint, mode="constant", cval=0)
    return out


def add_noise(images: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    """Add Gaussian pixel noise of standard deviation std (in 0-255 units), clipped to 0-255."""
    images = as_batch(images)
    if std < 0:
        raise DataError(f"noise std must be >= 0; got {std}")
    if std == 0:
        return images.copy()
    rng = np.random.default_rng(seed)
    noisy = images.astype(np.float32) + rng.normal(0.0, std, images.shape).astype(np.float32)
    return _to_uint8(noisy)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)
