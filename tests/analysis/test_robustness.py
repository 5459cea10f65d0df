"""Robustness: perturbations do what they say; curves are right on constructed models."""

import keras
import numpy as np
import pytest

from emnist_core.analysis import perturbations as pert
from emnist_core.analysis.robustness import (
    PERTURBATIONS,
    RobustnessConfig,
    accuracy_at,
    is_identity,
    perturb,
    robustness_curves,
    stratified_sample,
)
from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError
from emnist_core.evaluation.metrics import evaluate
from emnist_core.models.build import build_model
from emnist_core.models.config import CNNConfig

SMALL = RobustnessConfig(
    shifts=(0, 2, 3, 6), rotations=(0, 15), scales=(0.8, 1.0), strokes=(-1, 0, 1), noise=(0, 50)
)


class CentreReader:
    """Class 1 if the centre pixel (13, 13) is bright, else class 0; counts images it sees."""

    def __init__(self) -> None:
        self.images_seen = 0

    def __call__(self, batch, training=False):
        batch = np.asarray(batch)
        self.images_seen += len(batch)
        bright = (batch.reshape(len(batch), 28, 28)[:, 13, 13] > 127).astype(np.float32)
        return np.stack([1 - bright, bright], axis=1)


def blob_split() -> Split:
    """20 blank images (class 0) and 20 with a 5x5 blob over the centre (class 1)."""
    images = np.zeros((40, 28, 28), dtype=np.uint8)
    images[20:, 11:16, 11:16] = 255  # rows and columns 11-15: centred on 13
    return Split(images, np.repeat(np.arange(2), 20).astype(np.int64))


def test_translate_moves_pixels_and_drops_what_leaves():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[0, 0], image[10, 20] = 7, 9
    moved = pert.translate(image, 3, -5)[0]
    assert moved[13, 15] == 9 and moved.sum() == 9  # (0, 0) would go to column -5: lost
    assert np.array_equal(pert.translate(image, 0, 0)[0], image)
    assert pert.translate(image, 28, 0).sum() == 0


def test_shift_in_directions_uses_each_images_direction():
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    images[:, 14, 14] = 255
    out = pert.shift_in_directions(images, 2, np.array([0, 1, 2, 3]))
    where = [tuple(np.argwhere(img)[0]) for img in out]
    assert where == [(12, 14), (16, 14), (14, 12), (14, 16)]  # up, down, left, right


def test_identity_levels_leave_images_unchanged():
    images = (np.random.default_rng(0).random((5, 28, 28)) * 255).astype(np.uint8)
    for name, level in (("shift", 0), ("rotation", 0), ("scale", 1.0), ("stroke", 0), ("noise", 0)):
        assert np.array_equal(perturb(images, name, level), images), name


def test_perturbations_change_images_the_expected_way():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:14, 12:16] = 255  # a bar in the upper half
    turned = pert.rotate(image, 90)[0]
    assert np.argwhere(turned > 127)[:, 1].mean() < 13.5  # anticlockwise: the top goes left
    assert (
        (pert.scale(image, 1.5) > 127).sum()
        > (image > 127).sum()
        > (pert.scale(image, 0.7) > 127).sum()
    )
    ink = [(pert.stroke_width(image, steps) > 0).sum() for steps in (-1, 0, 1, 2)]
    assert ink == sorted(ink) and len(set(ink)) == 4
    noisy_a, noisy_b = pert.add_noise(image, 40, seed=3), pert.add_noise(image, 40, seed=3)
    assert np.array_equal(noisy_a, noisy_b) and not np.array_equal(noisy_a[0], image)


def test_shift_zero_equals_plain_accuracy(synthetic_dataset):
    model = build_model(
        CNNConfig(conv_filters=(4,), dense_units=(8,), seed=1), synthetic_dataset.num_classes
    )
    plain = evaluate(model, synthetic_dataset.test, synthetic_dataset.classes).accuracy
    frame = robustness_curves({"cnn": model}, synthetic_dataset.test, SMALL)
    for name, level in (("shift", 0), ("rotation", 0), ("scale", 1.0), ("stroke", 0), ("noise", 0)):
        assert accuracy_at(frame, "cnn", name, level) == pytest.approx(plain), name


def test_model_that_ignores_its_input_has_flat_curves():
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(keras.layers.Lambda(lambda t: t * 0.0)(inputs))
    dense = keras.layers.Dense(2, activation="softmax", name="probabilities")
    model = keras.Model(inputs, dense(x))
    dense.set_weights([np.zeros((784, 2), "float32"), np.array([0.0, 1.0], "float32")])
    split = blob_split()
    frame = robustness_curves({"blind": model}, split, SMALL)
    assert len(frame) == SMALL.steps
    assert np.allclose(frame["accuracy"], 0.5)  # always class 1, half the images


def test_position_sensitive_model_loses_accuracy_when_the_blob_leaves_the_centre():
    frame = robustness_curves({"centre": CentreReader()}, blob_split(), SMALL)
    shift = frame[frame["perturbation"] == "shift"].set_index("level")["accuracy"]
    assert shift.to_dict() == {0.0: 1.0, 2.0: 1.0, 3.0: 0.5, 6.0: 0.5}
    assert list(frame.columns) == ["run", "perturbation", "level", "accuracy"]
    assert set(frame["perturbation"]) == set(PERTURBATIONS)


def test_cost_is_one_pass_per_level_and_model():
    first, second = CentreReader(), CentreReader()
    calls = []
    split = blob_split()
    robustness_curves(
        {"a": first, "b": second}, split, SMALL, progress=lambda d, t: calls.append((d, t))
    )
    changed = sum(
        1 for name in PERTURBATIONS for level in SMALL.levels(name) if not is_identity(name, level)
    )
    assert changed == 8  # identity levels (shift 0, scale 1, ...) share one clean pass
    assert first.images_seen == second.images_seen == (changed + 1) * len(split)
    assert calls[-1] == (2 * SMALL.steps, 2 * SMALL.steps)


def test_sweeps_are_reproducible_and_limit_samples_every_class():
    split = blob_split()
    config = RobustnessConfig(
        shifts=(4,), rotations=(), scales=(), strokes=(), noise=(60,), limit=10
    )
    one = robustness_curves({"c": CentreReader()}, split, config)
    two = robustness_curves({"c": CentreReader()}, split, config)
    assert one.equals(two)
    sample = stratified_sample(split, 10)
    assert len(sample) == 10 and sample.class_counts(2).tolist() == [5, 5]


def test_bad_configs_and_inputs_are_refused():
    with pytest.raises(ConfigError, match="shifts"):
        RobustnessConfig(shifts=(-1,))
    with pytest.raises(ConfigError, match="rotations"):
        RobustnessConfig(rotations=(200,))
    with pytest.raises(ConfigError, match="whole numbers"):
        RobustnessConfig(shifts=(1.5,))
    with pytest.raises(ConfigError, match="no levels"):
        RobustnessConfig(shifts=(), rotations=(), scales=(), strokes=(), noise=())
    with pytest.raises(ConfigError, match="limit"):
        RobustnessConfig(limit=0)
    with pytest.raises(DataError, match="no models"):
        robustness_curves([], blob_split())
    with pytest.raises(DataError, match="28, 28"):
        pert.rotate(np.zeros((3, 10, 10)), 5)
