"""Turn what the Draw page receives (canvas RGBA or an upload) into the models' 28x28 input."""

import numpy as np
from PIL import Image

from emnist_core.inference.preprocess import preprocess_image, read_image


def open_upload(upload) -> Image.Image:
    """A PIL image from an uploaded file object, or a DataError saying what to upload instead."""
    return read_image(upload, getattr(upload, "name", "the uploaded file"))


def to_pixels(raw) -> np.ndarray:
    """The 28x28 uint8 image the models see; EmptyDrawingError when there is no ink.

    raw : RGBA array from the canvas (white ink on black), or an uploaded file object
        (any size, dark-on-light or light-on-dark: the library decides from the border).
    """
    if isinstance(raw, np.ndarray):
        return preprocess_image(raw, invert=False)
    return preprocess_image(open_upload(raw))
