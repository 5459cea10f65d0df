"""Turn what the Draw page receives (canvas RGBA or an upload) into the models' 28x28 input."""

import numpy as np
from PIL import Image

from emnist_core.errors import DataError
from emnist_core.inference.preprocess import preprocess_image, read_image

MAX_UPLOAD_BYTES = 10 * 2**20  # as server.maxUploadSize in .streamlit/config.toml


def open_upload(upload) -> Image.Image:
    """A PIL image from an uploaded file object, or a DataError saying what to upload instead.

    Messages name the file, never Streamlit's upload object.
    """
    name = str(getattr(upload, "name", None) or "the uploaded file")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise DataError(
            f"{name} is {size / 2**20:.1f} MB; images of up to {MAX_UPLOAD_BYTES // 2**20} MB "
            "are read. Shrink it or crop it to the character."
        )
    return read_image(upload, name)


def to_pixels(raw) -> np.ndarray:
    """The 28x28 uint8 image the models see; EmptyDrawingError when there is no ink.

    raw : RGBA array from the canvas (white ink on black), or an uploaded file object
        (any size, dark-on-light or light-on-dark: the library decides from the border).
    """
    if isinstance(raw, np.ndarray):
        return preprocess_image(raw, invert=False)
    return preprocess_image(open_upload(raw))
