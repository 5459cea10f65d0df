"""Ensembles: members built side by side, each with its own loss, saved as their average."""

import keras
import numpy as np
import pytest

from emnist_core.analysis.inspection import Inspector
from emnist_core.errors import ConfigError
from emnist_core.models.build import build_model
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.ensemble import (
    averaged_model,
    ensemble_accuracy,
    ensemble_loss,
    first_member,
    member_count,
    member_prefixes,
)
from emnist_core.training.loop import train

TINY_CNN = CNNConfig(
    conv_filters=(4,), dense_units=(8,), epochs=2, batch_size=64, early_stopping=False
)
IMAGES = np.random.default_rng(0).integers(0, 256, (6, 28, 28)).astype("float32")


def test_member_prefixes_keep_the_first_members_plain_names():
    assert member_prefixes(1) == [""]
    assert member_prefixes(3) == ["", "member2_", "member3_"]


@pytest.mark.parametrize("value", [0, 9])
def test_ensemble_size_out_of_range_is_rejected(value):
    with pytest.raises(ConfigError, match=r"ensemble=.*in \[1, 8\]"):
        MLPConfig(ensemble=value)


@pytest.mark.parametrize("config", [TINY_CNN, MLPConfig(hidden_units=(8,))])
def test_members_are_whole_copies_with_their_own_weights(config):
    single = build_model(config, 5)
    triple = build_model(config.replace(ensemble=3), 5)
    assert member_count(single) == 1 and member_count(triple) == 3
    assert triple.count_params() == 3 * single.count_params()
    assert tuple(triple.output.shape) == (None, 3, 5)
    first = triple.get_layer("dense1").kernel.numpy()
    assert not np.allclose(first, triple.get_layer("member2_dense1").kernel.numpy())


def test_ensemble_loss_is_the_mean_of_the_members_losses():
    stacked = np.array(
        [[[0.7, 0.2, 0.1], [0.2, 0.5, 0.3]], [[0.1, 0.1, 0.8], [0.6, 0.3, 0.1]]], "float32"
    )
    labels = np.array([0, 2])
    loss = ensemble_loss("sparse_categorical_crossentropy", 2)(labels, stacked)
    by_hand = [(-np.log(0.7) - np.log(0.2)) / 2, (-np.log(0.8) - np.log(0.1)) / 2]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loss), by_hand, rtol=1e-5)
    assert ensemble_loss("sparse_categorical_crossentropy", 1) == "sparse_categorical_crossentropy"


def test_ensemble_accuracy_scores_the_averaged_probabilities():
    # member 1 says class 0 (0.6), member 2 says class 1 (0.9): the average says 1
    stacked = np.array([[[0.6, 0.4, 0.0], [0.1, 0.9, 0.0]]], "float32")
    accuracy = ensemble_accuracy(2)
    assert accuracy.__name__ == "accuracy"  # logged under the usual key
    assert float(keras.ops.convert_to_numpy(accuracy(np.array([1]), stacked))[0]) == 1.0
    assert float(keras.ops.convert_to_numpy(accuracy(np.array([0]), stacked))[0]) == 0.0


def test_averaged_model_averages_and_first_member_is_member_one():
    training_model = build_model(TINY_CNN.replace(ensemble=2), 5)
    stacked = keras.ops.convert_to_numpy(training_model(IMAGES))
    averaged = averaged_model(training_model)
    assert averaged.layers[-1].name == "ensemble"
    np.testing.assert_allclose(averaged(IMAGES), stacked.mean(axis=1), atol=1e-6)
    np.testing.assert_allclose(first_member(averaged)(IMAGES), stacked[:, 0], atol=1e-6)
    plain = build_model(TINY_CNN, 5)
    assert averaged_model(plain) is plain and first_member(plain) is plain


def test_ensemble_run_trains_every_member_and_saves_their_average(synthetic_dataset, tmp_path):
    config = TINY_CNN.replace(ensemble=2, precision="mixed_bfloat16")
    run = train(config, synthetic_dataset, runs_dir=tmp_path)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(run.history[key]) == 2 and np.all(np.isfinite(run.history[key])), key
    model = keras.saving.load_model(run.model_path)  # built-in layers only
    assert member_count(model) == 2 and model.layers[-1].name == "ensemble"
    probabilities = model.predict(synthetic_dataset.test.images[:8], verbose=0)
    assert probabilities.shape == (8, synthetic_dataset.num_classes)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    untrained = build_model(config.replace(precision="float32"), synthetic_dataset.num_classes)
    for name in ("conv1_1", "member2_conv1_1"):  # both members learned
        assert not np.allclose(
            model.get_layer(name).kernel.numpy(), untrained.get_layer(name).kernel.numpy()
        ), name
    assert (
        run.info["params"]
        == 2 * build_model(TINY_CNN, synthetic_dataset.num_classes).count_params()
    )
    inspector = Inspector(model)  # looks inside through the first member
    assert inspector.map_names == ["conv1_1"]
