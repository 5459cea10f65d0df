"""Dataset statistics behind the Explore page: intensities, means, samples, look-alikes."""

import numpy as np
import pytest

from emnist_core.data import stats as data_stats


def test_intensity_stats_match_numpy_on_the_pixels():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    pixels[:10] = 0
    stats = data_stats.intensity_stats(data_stats.intensity_counts(pixels, chunk=7))
    floats = pixels.astype(np.float64)
    assert np.isclose(stats["mean pixel value"], floats.mean())
    assert np.isclose(stats["std of pixel values"], floats.std())
    assert np.isclose(stats["ink pixels (> 0), %"], (pixels > 0).mean() * 100)
    assert np.isclose(stats["bright pixels (> 127), %"], (pixels > 127).mean() * 100)


def test_class_means_and_samples_respect_labels():
    images = np.stack([np.full((28, 28), value, dtype=np.uint8) for value in (10, 20, 200, 0)])
    labels = np.array([0, 0, 1, 1])
    means = data_stats.class_means(images, labels, num_classes=3)
    assert means[0, 0, 0] == 15 and means[1, 0, 0] == 100 and means[2].max() == 0
    picked = data_stats.sample_indices(labels, 5, seed=1, label=1)
    assert sorted(picked.tolist()) == [2, 3]


def test_look_alike_groups_skip_classes_the_split_lacks():
    balanced = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt")
    groups = [[balanced[i] for i in group] for group in data_stats.look_alike_groups(balanced)]
    assert groups == [["0", "O"], ["1", "I"], ["2", "Z"], ["5", "S"], ["9", "q", "g"]]
    assert data_stats.look_alike_groups(list("0123456789")) == []


@pytest.mark.parametrize(
    ("top", "pair"),
    [
        ([("O", 0.5), ("0", 0.4), ("Q", 0.1)], ("0", "O")),
        ([("0", 0.5), ("O", 0.4)], ("0", "O")),  # the same pair whichever leads
        ([("L", 0.6), ("1", 0.3)], ("1", "L")),  # Balanced files a lower-case l under L
        ([("I", 0.6), ("1", 0.3)], ("1", "I")),
        ([("5", 0.6), ("S", 0.3)], None),  # a look-alike, but not one the scan's grey tells apart
        ([("A", 0.6), ("0", 0.3)], None),
        ([("0", 1.0)], None),
        ([("O", 0.6), ("O", 0.3)], None),
    ],
)
def test_drawn_look_alike_names_only_pairs_a_drawing_cannot_tell_apart(top, pair):
    balanced = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt")
    assert data_stats.drawn_look_alike(top, balanced) == pair


def test_capital_l_stands_for_lower_case_l_only_where_the_split_merges_them():
    by_class = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    assert data_stats.drawn_look_alike([("L", 0.6), ("1", 0.3)], by_class) is None
    assert data_stats.drawn_look_alike([("l", 0.6), ("1", 0.3)], by_class) == ("1", "l")


def test_scan_told_groups_follow_the_split_and_merge_labels_scores_them_as_one():
    balanced = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt")
    assert data_stats.scan_told_groups(balanced) == [["0", "O"], ["1", "I", "L"]]
    by_class = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    assert data_stats.scan_told_groups(by_class) == [["0", "O"], ["1", "I", "l"]]
    assert data_stats.scan_told_groups(list("0123456789")) == []
    groups = data_stats.scan_told_groups(balanced)
    labels = np.array([balanced.index(name) for name in "OIL0A"])
    merged = data_stats.merge_labels(labels, balanced, groups)
    assert [balanced[label] for label in merged] == ["0", "1", "1", "0", "A"]
    assert [balanced[label] for label in labels] == list("OIL0A")  # the input is not changed
