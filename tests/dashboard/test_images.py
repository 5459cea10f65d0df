"""Display helpers: 28x28 images enlarged without blurring, and grids inlined in the page."""

import numpy as np
import pytest

from dashboard.components.images import enlarge


def test_enlarge_repeats_pixels_without_blurring():
    image = np.arange(4, dtype=np.uint8).reshape(2, 2)
    big = enlarge(image, 3)
    assert big.shape == (6, 6)
    assert (big[:3, :3] == 0).all() and (big[3:, 3:] == 3).all()


def test_grid_html_inlines_each_image_as_png_with_its_escaped_caption():
    import base64
    import io
    import re

    from PIL import Image

    from dashboard.components.images import grid_html

    images = [np.full((28, 28), value, np.uint8) for value in (0, 128, 255)]
    html = grid_html(images, ["a", "<b>", "l & 1"])
    sources = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    decoded = [np.asarray(Image.open(io.BytesIO(base64.b64decode(s)))) for s in sources]
    assert [int(image[0, 0]) for image in decoded] == [0, 128, 255]
    assert all(image.shape == (28, 28) for image in decoded)  # drawn larger by the browser
    assert "&lt;b&gt;" in html and "<b>" not in html and "l &amp; 1" in html
    with pytest.raises(ValueError, match="2 captions for 3 images"):
        grid_html(images, ["a", "b"])
    with pytest.raises(ValueError, match="greyscale uint8"):
        grid_html([np.zeros((28, 28), np.float32)])
