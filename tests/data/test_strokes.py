"""Tests for the pen-stroke handwriting generator: determinism, framing, variety, learnability."""

import numpy as np
import pytest

from emnist_core.data.strokes import BALANCED_CLASSES, KNOWN_CHARACTERS, Variation, generate
from emnist_core.errors import ConfigError

CASE_PAIRS = [(lower.upper(), lower) for lower in "abdefghnqrt"]


@pytest.fixture(scope="module")
def train():
    return generate(BALANCED_CLASSES, 12, seed=0)


@pytest.fixture(scope="module")
def test_set():
    return generate(BALANCED_CLASSES, 6, seed=1)


def class_means(images: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Mean image per class, flattened: (num_classes, 784) floats."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    return np.stack([flat[labels == c].mean(axis=0) for c in range(num_classes)])


def nearest_mean(images: np.ndarray, means: np.ndarray) -> np.ndarray:
    flat = images.reshape(len(images), -1).astype(np.float64)
    distances = ((flat[:, None, :] - means[None]) ** 2).sum(axis=-1)
    return distances.argmin(axis=1)


def test_covers_the_47_balanced_classes():
    assert len(BALANCED_CLASSES) == 47 == len(set(BALANCED_CLASSES))
    assert set(BALANCED_CLASSES) <= set(KNOWN_CHARACTERS)


def test_same_seed_gives_same_bytes_and_another_seed_differs():
    images, labels = generate("0Aaq", 3, seed=7)
    again, again_labels = generate("0Aaq", 3, seed=7)
    other, _ = generate("0Aaq", 3, seed=8)
    assert images.tobytes() == again.tobytes()
    assert np.array_equal(labels, again_labels)
    assert not np.array_equal(images, other)


def test_a_sample_depends_only_on_seed_character_and_index():
    small, _ = generate("AB", 2, seed=5)
    large, large_labels = generate(BALANCED_CLASSES, 3, seed=5)
    a_label = BALANCED_CLASSES.index("A")
    large_a = large[large_labels == a_label]
    assert np.array_equal(small[0::2], large_a[:2])


def test_shape_dtype_and_interleaved_labels(train):
    images, labels = train
    assert images.shape == (12 * 47, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.shape == (12 * 47,)
    assert np.array_equal(labels[:47], np.arange(47))  # interleaved: any prefix has every class
    assert np.array_equal(np.bincount(labels, minlength=47), np.full(47, 12))


def test_white_ink_on_black_background_with_a_border(train):
    images, _ = train
    assert (images.reshape(len(images), -1).max(axis=1) == 255).all()
    edge = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert edge.max() <= 40, "ink reaches the outer pixel ring; EMNIST keeps a border"
    assert np.median(images) == 0


def test_every_class_has_ink_roughly_centred_and_about_20_px_tall_or_wide(train):
    images, labels = train
    for image, label in zip(images, labels, strict=True):
        character = BALANCED_CLASSES[label]
        assert (image > 127).sum() >= 15, f"class {character!r} drew almost nothing"
        # EMNIST centres the bounding box (not the centre of mass), so check that.
        visible = np.array(np.nonzero(image > 30))  # (2, K) rows, cols
        low, high = visible.min(axis=1), visible.max(axis=1)
        assert np.abs((low + high) / 2 - 13.5).max() <= 3.0, (character, low, high)
        extent = (high - low + 1).max()
        assert 16 <= extent <= 27, (character, extent)


def test_images_are_upright_not_transposed_or_flipped(train):
    images, labels = train
    ink = images.astype(np.float64)

    def mean_of(character):
        return ink[labels == BALANCED_CLASSES.index(character)].mean(axis=0)

    ell, seven = mean_of("L"), mean_of("7")
    assert ell[18:].sum() > ell[:10].sum()  # L's foot is at the bottom
    assert ell[:, :14].sum() > ell[:, 14:].sum()  # its stem is on the left
    assert seven[:8].sum() > seven[20:].sum()  # 7's bar is at the top


def test_samples_within_a_class_vary(train):
    images, labels = train
    for label, character in enumerate(BALANCED_CLASSES):
        samples = images[labels == label].reshape(-1, 784).astype(np.float64)
        assert len({s.tobytes() for s in samples}) == len(samples), character
        spread = np.abs(samples - samples.mean(axis=0)).mean()
        assert spread > 5, f"{character!r} barely varies (mean abs deviation {spread:.1f})"


def test_nearest_class_mean_learns_well_above_chance(train, test_set):
    means = class_means(*train, 47)
    predicted = nearest_mean(test_set[0], means)
    accuracy = (predicted == test_set[1]).mean()
    assert accuracy > 0.4, f"nearest-class-mean accuracy {accuracy:.2f}; chance is 0.02"


@pytest.mark.parametrize("upper, lower", CASE_PAIRS)
def test_upper_and_lower_case_look_different(train, test_set, upper, lower):
    pair = [BALANCED_CLASSES.index(upper), BALANCED_CLASSES.index(lower)]
    means = class_means(*train, 47)[pair]
    keep = np.isin(test_set[1], pair)
    predicted = np.array(pair)[nearest_mean(test_set[0][keep], means)]
    accuracy = (predicted == test_set[1][keep]).mean()
    assert accuracy >= 0.75, f"{upper!r} vs {lower!r} told apart only {accuracy:.0%} of the time"


def test_without_variation_every_sample_of_a_class_is_the_same():
    still = Variation(
        stroke_width_px=(2.5, 2.5), ink_extent_px=(20.0, 20.0), slant_mean=0.0, slant_sd=0.0,
        rotation_sd_deg=0.0, aspect=(1.0, 1.0), shift_sd_px=0.0, warp=0.0,
        stroke_offset_sd=0.0, blur_sigma_px=(0.6, 0.6),
    )  # fmt: skip
    images, _ = generate("A", 4, seed=3, variation=still)
    varied, _ = generate("A", 4, seed=3)
    assert all(np.array_equal(image, images[0]) for image in images)
    assert not all(np.array_equal(image, varied[0]) for image in varied)


@pytest.mark.parametrize(
    "classes, per_class, seed, expected",
    [
        ("AB?", 2, 0, "'?'"),
        ("Ac", 2, 0, "'c'"),  # merged into 'C' in EMNIST Balanced, so no separate glyph
        ("", 2, 0, "classes is empty"),
        ("AA", 2, 0, "repeats"),
        ("AB", 0, 0, "per_class=0"),
        ("AB", 2.5, 0, "per_class=2.5"),
        ("AB", 2, -1, "seed=-1"),
    ],
)
def test_bad_arguments_give_a_clear_error(classes, per_class, seed, expected):
    with pytest.raises(ConfigError) as caught:
        generate(classes, per_class, seed)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "field, value",
    [("stroke_width_px", (3.0, 1.0)), ("ink_extent_px", (20.0, 27.0)), ("warp", -0.1)],
)
def test_impossible_variation_names_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        Variation(**{field: value})
