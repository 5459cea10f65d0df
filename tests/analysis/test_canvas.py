"""Canvas-style renderings: seeded, binary pens of varied width, size and place, both polarities."""

import numpy as np
import pytest
from scipy import ndimage

from emnist_core.analysis.canvas import (
    CanvasStyle,
    pen_path,
    render_binarised,
    render_drawing,
    thin,
    trace_level,
)
from emnist_core.errors import ConfigError, DataError
from emnist_core.inference.preprocess import preprocess_image
from tests.fixtures import glyph_l


def test_thinning_leaves_a_one_pixel_path_through_a_thick_bar():
    bar = np.zeros((20, 40), bool)
    bar[8:13, 5:35] = True  # 5 pixels thick
    path = thin(bar)
    assert path.sum() > 20 and np.all(path <= bar)
    assert path[:, 10:30].sum(axis=0).max() == 1  # one pixel across in the middle


def test_pen_path_spans_the_glyph_in_unit_coordinates():
    points = pen_path(glyph_l())
    assert points.min() >= 0 and points.max() <= 1
    xs, ys = points[:, 0], points[:, 1]
    assert np.ptp(ys) > 0.5 and np.ptp(xs) > 0.3  # the L's bar and foot both traced
    with pytest.raises(DataError, match="no ink"):
        pen_path(np.zeros((28, 28), np.uint8))


def blurred_ring(pit: float, centre_x: float = 13.5, outer: float = 10) -> np.ndarray:
    """An 'o' written with a thick pen: a bright ring whose hole blur has filled to `pit`."""
    y, x = np.mgrid[:28, :28]
    radius = np.hypot(y - 13.5, x - centre_x)
    image = np.where(radius <= outer, 1.0, 0.0)
    image[radius < 0.4 * outer] = pit
    return np.round(255 * ndimage.gaussian_filter(image, 0.7)).astype(np.uint8)


def loops(points: np.ndarray) -> int:
    """Enclosed background regions of a pen path drawn with a thin pen."""
    grid = np.zeros((60, 60), bool)
    xy = np.round(points * 55).astype(int) + 2
    grid[xy[:, 1], xy[:, 0]] = True
    grid = ndimage.binary_dilation(grid)
    background, count = ndimage.label(~grid)
    return count - 1  # all but the region around the glyph


def test_a_loop_that_blur_filled_is_traced_as_a_loop_not_a_blob():
    filled = blurred_ring(pit=0.6)  # above half brightness: a disc at the old fixed level
    assert trace_level(filled) > 0.6
    assert loops(pen_path(filled)) == 1
    open_ring = blurred_ring(pit=0.0)
    assert trace_level(open_ring) == 0.5 and loops(pen_path(open_ring)) == 1


def test_the_level_never_splits_a_faint_stroke_to_open_a_loop():
    ring = blurred_ring(pit=0.6, centre_x=9.5, outer=7)  # columns 2 to 17
    assert trace_level(ring) > 0.6  # alone, its loop is opened
    joined = ring.copy()
    joined[12:16, 17:23] = 140  # a faint stroke (0.55 of the brightest) ...
    joined[11:17, 23:27] = 255  # ... to a bright one: higher levels cut them apart
    assert trace_level(joined) == 0.5
    eight = np.ones((3, 3), bool)
    assert ndimage.label(thin(joined >= 0.5 * 255), eight)[1] == 1  # one stroke, as drawn


def test_renderings_are_binary_seeded_and_varied():
    first = render_drawing(glyph_l(), np.random.default_rng(1))
    again = render_drawing(glyph_l(), np.random.default_rng(1))
    other = render_drawing(glyph_l(), np.random.default_rng(2))
    assert first.shape == (280, 280, 4) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert set(np.unique(first[..., 0])) <= {0, 255} and (first[..., 3] == 255).all()
    ink = [
        (render_drawing(glyph_l(), np.random.default_rng(s))[..., 0] > 0).sum() for s in range(6)
    ]
    assert max(ink) > 1.5 * min(ink)  # pen width and size vary


def test_dark_on_light_is_the_inverse_and_both_preprocess_to_the_same_glyph():
    style = CanvasStyle(glyph=(0.5, 0.5), pen=(28.0, 28.0), aspect=0.0)  # the L's own thickness
    light = render_drawing(glyph_l(), np.random.default_rng(3), style)
    dark = render_drawing(glyph_l(), np.random.default_rng(3), style, dark_on_light=True)
    np.testing.assert_array_equal(255 - light[..., 0], dark[..., 0])
    from_canvas = preprocess_image(light, invert=False)
    from_paper = preprocess_image(dark[..., :3])
    np.testing.assert_array_equal(from_canvas, from_paper)
    original = preprocess_image(glyph_l()).ravel().astype(float)
    corr = np.corrcoef(from_canvas.ravel().astype(float), original)[0, 1]
    assert corr > 0.8  # still recognisably the L it was drawn from


def test_the_glyph_stays_inside_the_canvas_at_the_largest_settings():
    style = CanvasStyle(glyph=(1.0, 1.0), pen=(40.0, 40.0))
    for seed in range(5):
        image = render_drawing(glyph_l(), np.random.default_rng(seed), style)[..., 0]
        assert image[0].max() == 0 and image[-1].max() == 0
        assert image[:, 0].max() == 0 and image[:, -1].max() == 0


@pytest.mark.parametrize("field", [{"glyph": (0.9, 0.5)}, {"pen": (0.5, 4.0)}, {"aspect": 0.7}])
def test_style_out_of_range_is_refused(field):
    with pytest.raises(ConfigError, match="is not allowed"):
        CanvasStyle(**field)


def test_the_binarised_control_keeps_the_scan_s_own_strokes():
    image = blurred_ring(pit=0.0)
    style = CanvasStyle(glyph=(0.3, 0.9), aspect=0.2)
    drawings = [
        render_binarised(image, np.random.default_rng(seed), style, dark_on_light=seed % 2 == 1)
        for seed in range(6)
    ]
    for seed, rgba in enumerate(drawings):
        grey = rgba[..., 0] if seed % 2 == 0 else 255 - rgba[..., 0]
        assert rgba.shape == (280, 280, 4) and set(np.unique(grey)) == {0, 255}
        assert grey[:2].max() == 0 and grey[-2:].max() == 0  # inside the canvas
        assert loops(np.argwhere(grey > 0)[:, ::-1] / 279.0) == 1  # still a ring
        glyph = preprocess_image(rgba[..., :3])
        assert np.corrcoef(glyph.ravel(), preprocess_image(image).ravel())[0, 1] > 0.9
    sizes = [(d[..., 0] != d[0, 0, 0]).sum() for d in drawings]
    assert max(sizes) > 2 * min(sizes)  # the size varies
    np.testing.assert_array_equal(
        drawings[0], render_binarised(image, np.random.default_rng(0), style)
    )
