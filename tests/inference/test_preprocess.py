"""Preprocessing: any drawing or picture becomes a centred 28x28 EMNIST-style image."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from emnist_core.errors import DataError, EmnistError
from emnist_core.inference.preprocess import (
    BORDER,
    EmptyDrawingError,
    load_image_file,
    preprocess_image,
)

STANDIN = Path(__file__).resolve().parents[2] / ".." / "shared" / "emnist-standin"


def draw_glyph(size=(200, 300), box=(20, 30, 60, 110), ink=255, paper=0, width=6) -> np.ndarray:
    """A tall 'L'-like glyph inside `box` (left, top, right, bottom) on a plain background."""
    image = Image.new("L", size, paper)
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = box
    pen.line([(left, top), (left, bottom), (right, bottom)], fill=ink, width=width)
    return np.asarray(image)


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(image.max(axis=1) > 0)
    cols = np.flatnonzero(image.max(axis=0) > 0)
    return rows[0], rows[-1], cols[0], cols[-1]


def test_output_is_uint8_28x28_full_range():
    out = preprocess_image(draw_glyph())
    assert out.shape == (28, 28) and out.dtype == np.uint8
    assert out.max() == 255 and out.min() == 0


def test_off_centre_small_glyph_is_centred_with_border():
    out = preprocess_image(draw_glyph(size=(400, 300), box=(300, 20, 330, 70), width=4))
    top, bottom, left, right = ink_box(out)
    assert top >= BORDER and left >= BORDER
    assert bottom <= 27 - BORDER and right <= 27 - BORDER
    # the tall side fills the 24-pixel inner square; the narrow side sits in the middle
    assert bottom - top >= 21
    assert right - left < bottom - top
    assert abs((left + right) / 2 - 13.5) <= 1.0
    assert abs((top + bottom) / 2 - 13.5) <= 1.0


def test_dark_on_light_equals_light_on_dark():
    light_on_dark = preprocess_image(draw_glyph(ink=255, paper=0))
    dark_on_light = preprocess_image(draw_glyph(ink=0, paper=255))
    np.testing.assert_array_equal(light_on_dark, dark_on_light)


def test_grey_paper_and_forced_invert():
    on_grey = preprocess_image(draw_glyph(ink=20, paper=200))
    reference = preprocess_image(draw_glyph())
    assert np.abs(on_grey.astype(int) - reference).max() <= 2
    forced = preprocess_image(draw_glyph(ink=0, paper=255), invert=True)
    np.testing.assert_array_equal(forced, reference)


def test_rgba_canvas_reads_the_strokes_whatever_their_colour():
    grey = draw_glyph()
    reference = preprocess_image(grey)
    canvas = np.zeros(grey.shape + (4,), dtype=np.uint8)  # transparent background
    canvas[..., :3] = 255  # white strokes ...
    canvas[..., 3] = grey  # ... where the alpha says the pen went
    np.testing.assert_array_equal(preprocess_image(canvas), reference)
    canvas[..., :3] = 0  # black strokes on a transparent background read the same
    np.testing.assert_array_equal(preprocess_image(canvas), reference)
    rgb = np.repeat((255 - grey)[..., None], 3, axis=2)  # opaque dark-on-light RGB
    np.testing.assert_array_equal(preprocess_image(rgb), reference)
    assert np.array_equal(preprocess_image(Image.fromarray(canvas)), reference)


def test_float_and_bool_inputs():
    grey = draw_glyph()
    reference = preprocess_image(grey)
    np.testing.assert_array_equal(preprocess_image(grey.astype(np.float32) / 255), reference)
    assert preprocess_image(grey > 0).shape == (28, 28)


@pytest.mark.parametrize(
    "blank",
    [
        np.zeros((280, 280, 4), dtype=np.uint8),
        np.full((280, 280, 4), 255, dtype=np.uint8) * np.array([1, 1, 1, 0], dtype=np.uint8),
        np.zeros((50, 60), dtype=np.uint8),
        np.full((50, 60, 3), 255, dtype=np.uint8),
        np.full((50, 60), 128, dtype=np.uint8),
    ],
)
def test_blank_input_raises_empty_drawing(blank):
    with pytest.raises(EmptyDrawingError, match="canvas is empty - draw a character"):
        preprocess_image(blank)


def test_empty_drawing_is_a_lab_error():
    assert issubclass(EmptyDrawingError, DataError) and issubclass(EmptyDrawingError, EmnistError)


def test_bad_shapes_are_refused():
    with pytest.raises(DataError, match="expected a greyscale"):
        preprocess_image(np.zeros((4, 28, 28, 1)))
    with pytest.raises(DataError, match="too small"):
        preprocess_image(np.zeros((1, 28)))
    with pytest.raises(DataError, match="non-negative"):
        preprocess_image(np.full((28, 28), -1.0))


def test_large_image_is_handled():
    big = draw_glyph(size=(3000, 2000), box=(500, 400, 1500, 1800), width=60)
    out = preprocess_image(big)
    top, bottom, left, right = ink_box(out)
    assert top >= BORDER and bottom <= 27 - BORDER and bottom - top >= 21


def test_load_image_file(tmp_path):
    path = tmp_path / "glyph.png"
    Image.fromarray(255 - draw_glyph()).save(path)
    loaded = load_image_file(path)
    np.testing.assert_array_equal(preprocess_image(loaded), preprocess_image(draw_glyph()))
    with pytest.raises(DataError, match="no image file"):
        load_image_file(tmp_path / "missing.png")
    not_image = tmp_path / "notes.png"
    not_image.write_text("hello")
    with pytest.raises(DataError, match="not an image"):
        load_image_file(not_image)


@pytest.mark.skipif(not STANDIN.is_dir(), reason="optional: needs ../shared/emnist-standin")
def test_upscaled_real_emnist_images_come_back_close():
    """A real EMNIST image drawn 10x larger must preprocess back to (nearly) itself."""
    from emnist_core.data.idx import read_images

    images = read_images(STANDIN / "emnist-balanced-test-images-idx3-ubyte.gz")[:200]
    images = np.swapaxes(images, 1, 2)  # files store images transposed
    scores = []
    for original in images:
        drawing = Image.fromarray(original).resize((280, 280), Image.Resampling.BICUBIC)
        out = preprocess_image(np.asarray(drawing)).astype(float)
        scores.append(np.corrcoef(out.ravel(), original.ravel().astype(float))[0, 1])
    assert np.median(scores) > 0.95


def test_blurring_only_the_ink_window_changes_nothing():
    from scipy import ndimage

    from emnist_core.inference.preprocess import BLUR_SIGMA, _ink_window

    ink = draw_glyph(size=(200, 150), box=(40, 50, 90, 120)).astype(np.float32) / 255
    full = ndimage.gaussian_filter(ink, BLUR_SIGMA)
    rows, cols = np.flatnonzero(full.max(axis=1) > 0), np.flatnonzero(full.max(axis=0) > 0)
    window = ndimage.gaussian_filter(_ink_window(ink), BLUR_SIGMA)
    np.testing.assert_allclose(
        window[window.max(axis=1) > 0][:, window.max(axis=0) > 0],
        full[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1],
        atol=1e-6,
    )


def test_position_on_the_canvas_does_not_matter():
    here = preprocess_image(draw_glyph(size=(280, 280), box=(30, 30, 80, 120)))
    there = preprocess_image(draw_glyph(size=(280, 280), box=(170, 140, 220, 230)))
    np.testing.assert_array_equal(here, there)
