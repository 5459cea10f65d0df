"""Display helpers: 28x28 images enlarged without blurring."""

import numpy as np

from dashboard.components.images import enlarge


def test_enlarge_repeats_pixels_without_blurring():
    image = np.arange(4, dtype=np.uint8).reshape(2, 2)
    big = enlarge(image, 3)
    assert big.shape == (6, 6)
    assert (big[:3, :3] == 0).all() and (big[3:, 3:] == 3).all()
