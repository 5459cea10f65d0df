"""The classifier head: logits kept by name, the temperature stored in the saved model."""

import keras
import numpy as np
import pytest

from emnist_core.errors import RunError
from emnist_core.evaluation.calibration import scaled_probabilities
from emnist_core.models.build import build_model, finished_model
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.head import has_logits, member_logits, temperature, with_temperature

TINY_CNN = CNNConfig(conv_filters=(4,), dense_units=(8,), epochs=1, batch_size=64)
IMAGES = np.random.default_rng(0).integers(0, 256, (6, 28, 28)).astype("float32")


@pytest.mark.parametrize("config", [TINY_CNN, MLPConfig(hidden_units=(8,), ensemble=3)])
def test_saved_model_with_temperature_loads_in_safe_mode_and_scales(config, tmp_path):
    model = finished_model(build_model(config, 5), config, 5, temperature=2.5)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)  # built-in layers only
    assert temperature(loaded) == pytest.approx(2.5)
    logits = member_logits(loaded, IMAGES)
    assert logits.shape == ((6, 5) if config.ensemble == 1 else (6, 3, 5))
    expected = scaled_probabilities(logits, 2.5)
    np.testing.assert_allclose(np.asarray(loaded(IMAGES)), expected, atol=1e-5)
    assert not np.allclose(np.asarray(loaded(IMAGES)), scaled_probabilities(logits, 1.0))


def test_temperature_can_be_replaced_without_touching_the_weights():
    model = finished_model(build_model(TINY_CNN, 5), TINY_CNN, 5, temperature=3.0)
    plain = with_temperature(model, 1.0)
    assert temperature(plain) == 1.0 and plain.count_params() == model.count_params()
    np.testing.assert_allclose(
        np.asarray(plain(IMAGES)),
        scaled_probabilities(member_logits(model, IMAGES), 1.0),
        atol=1e-5,
    )


def test_an_older_model_without_logits_is_refused_with_the_fix():
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    old = keras.Model(inputs, keras.layers.Dense(5, activation="softmax", name="probabilities")(x))
    assert not has_logits(old) and temperature(old) == 1.0
    with pytest.raises(RunError, match="train it again"):
        with_temperature(old, 2.0)
    with pytest.raises(RunError, match="positive"):
        with_temperature(build_model(TINY_CNN, 5), 0.0)
