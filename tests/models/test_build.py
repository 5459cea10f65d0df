"""Every config field reaches the built model; saved models are self-contained."""

import keras
import numpy as np
import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.build import (
    build_cnn,
    build_loss,
    build_mlp,
    build_model,
    build_optimizer,
    build_schedule,
)
from emnist_core.models.config import CNNConfig, MLPConfig, feature_map_sides


def layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


def test_mlp_layers_follow_config():
    config = MLPConfig(hidden_units=(64, 32), activation="tanh", dropout=0.3, batch_norm=True)
    model = build_mlp(config, 47)
    assert [model.get_layer(f"dense{i}").units for i in (1, 2)] == [64, 32]
    assert model.get_layer("dense1").use_bias is False  # batch norm makes the bias redundant
    assert model.get_layer("act_dense1").activation.__name__ == "tanh"
    assert model.get_layer("dropout2").rate == pytest.approx(0.3)
    assert layer_types(model).count("BatchNormalization") == 2
    assert model.get_layer("logits").units == 47
    assert model.output_shape == (None, 47)


def test_mlp_without_extras_has_no_dropout_or_batch_norm():
    model = build_mlp(MLPConfig(hidden_units=(8,)), 10)
    assert "Dropout" not in layer_types(model) and "BatchNormalization" not in layer_types(model)
    assert model.get_layer("dense1").use_bias is True
    assert model.count_params() == 784 * 8 + 8 + 8 * 10 + 10


def test_cnn_layers_follow_config():
    config = CNNConfig(
        conv_filters=(8, 16),
        convs_per_block=2,
        kernel_size=5,
        first_stride=2,
        pooling="avg",
        pool_size=2,
        dense_units=(20,),
        conv_dropout=0.1,
        dropout=0.4,
        activation="elu",
    )
    model = build_cnn(config, 47)
    first, second = model.get_layer("conv1_1"), model.get_layer("conv2_2")
    assert first.filters == 8 and first.kernel_size == (5, 5) and first.strides == (2, 2)
    assert second.filters == 16 and second.strides == (1, 1)
    assert type(model.get_layer("pool1")).__name__ == "AveragePooling2D"
    assert model.get_layer("conv_dropout2").rate == pytest.approx(0.1)
    assert model.get_layer("dropout1").rate == pytest.approx(0.4)
    assert model.get_layer("act1_1").activation.__name__ == "elu"
    # 28 -stride 2-> 14 -pool-> 7 -pool-> 3
    assert model.get_layer("pool2").output.shape[1:] == (3, 3, 16)


def test_space_to_depth_folds_each_2x2_patch_into_channels():
    config = CNNConfig(space_to_depth=True, conv_filters=(4, 8), dense_units=())
    model = build_cnn(config, 5)
    assert model.get_layer("conv1_1").input.shape[1:] == (14, 14, 4)
    assert feature_map_sides(config) == [14, 7]
    fold = keras.Model(model.input, model.get_layer("space_to_depth").output)
    pixels = np.arange(28 * 28, dtype="float32").reshape(1, 28, 28)
    folded = keras.ops.convert_to_numpy(fold(pixels))[0] * 255.0
    # output pixel (1, 2) holds rows 2-3, columns 4-5 of the image, row by row
    np.testing.assert_allclose(folded[1, 2], pixels[0, 2:4, 4:6].ravel(), rtol=1e-5)
    assert build_cnn(CNNConfig(), 5).get_layer("conv1_1").input.shape[1:] == (28, 28, 1)


def test_cnn_global_pool_max_pool_and_no_pooling():
    model = build_cnn(CNNConfig(conv_filters=(4,), global_pool=True, dense_units=()), 5)
    assert "GlobalAveragePooling2D" in layer_types(model) and "Flatten" not in layer_types(model)
    model = build_cnn(CNNConfig(conv_filters=(4,), pooling="none", padding="valid"), 5)
    assert "MaxPooling2D" not in layer_types(model)
    assert model.get_layer("conv1_1").output.shape[1:] == (26, 26, 4)
    assert type(build_cnn(CNNConfig(), 5).get_layer("pool1")).__name__ == "MaxPooling2D"


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_regularizers_reach_every_kernel(family):
    config = (
        MLPConfig(hidden_units=(8,), l1=1e-5, l2=1e-4)
        if family == "mlp"
        else CNNConfig(conv_filters=(4,), dense_units=(8,), l1=1e-5, l2=1e-4)
    )
    model = build_model(config, 5)
    kernels = [layer for layer in model.layers if hasattr(layer, "kernel_regularizer")]
    assert kernels
    for layer in kernels:
        assert layer.kernel_regularizer.l1 == pytest.approx(1e-5)
        assert layer.kernel_regularizer.l2 == pytest.approx(1e-4)
    plain = build_model(config.replace(l1=0.0, l2=0.0), 5)
    assert all(
        layer.kernel_regularizer is None
        for layer in plain.layers
        if hasattr(layer, "kernel_regularizer")
    )


def test_augmentation_layers_follow_config_and_only_act_in_training():
    config = CNNConfig(conv_filters=(4,), augment=True, shift=0.2, rotation=18.0, zoom=0.15)
    model = build_cnn(config, 5)
    shift, rotate, zoom = (model.get_layer(f"augment_{n}") for n in ("shift", "rotate", "zoom"))
    assert shift.height_factor == 0.2 and shift.width_factor == 0.2
    assert rotate.factor == (-0.05, 0.05)  # 18 degrees = 0.05 of a turn
    assert zoom.height_factor == 0.15
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)).astype("float32")
    stem = keras.Model(model.input, zoom.output)
    np.testing.assert_allclose(stem(images, training=False), images / 255.0, rtol=1e-6)
    assert not np.allclose(stem(images, training=True), images / 255.0)
    assert "augment_shift" not in [layer.name for layer in build_cnn(CNNConfig(), 5).layers]


@pytest.mark.parametrize(
    ("config", "kind", "extra"),
    [
        (MLPConfig(optimizer="sgd", momentum=0.8, nesterov=True), "SGD", {"momentum": 0.8}),
        (MLPConfig(optimizer="adagrad", learning_rate=0.05), "Adagrad", {}),
        (MLPConfig(optimizer="adam", learning_rate=0.003), "Adam", {}),
    ],
)
def test_optimizer_follows_config(config, kind, extra):
    optimizer = build_optimizer(config, steps_per_epoch=10)
    assert type(optimizer).__name__ == kind
    for name, value in extra.items():
        assert getattr(optimizer, name) == pytest.approx(value)
    if kind == "SGD":
        assert optimizer.nesterov is True
    assert float(optimizer.learning_rate) == pytest.approx(config.learning_rate)


def test_schedules_follow_config():
    steps = 10
    assert build_schedule(MLPConfig(learning_rate=0.01), steps) == 0.01
    exp = build_schedule(
        MLPConfig(learning_rate=0.01, lr_schedule="exponential", decay_rate=0.5, decay_epochs=2),
        steps,
    )
    assert float(exp(20)) == pytest.approx(0.005) and float(exp(40)) == pytest.approx(0.0025)
    inv = build_schedule(
        MLPConfig(learning_rate=0.01, lr_schedule="inverse_time", decay_rate=1.0, decay_epochs=1),
        steps,
    )
    assert float(inv(10)) == pytest.approx(0.005) and float(inv(30)) == pytest.approx(0.0025)
    cos = build_schedule(MLPConfig(learning_rate=0.01, lr_schedule="cosine", epochs=3), steps)
    assert float(cos(0)) == pytest.approx(0.01) and float(cos(30)) == pytest.approx(1e-4)


def test_compiled_model_uses_the_configured_optimizer():
    model = build_model(MLPConfig(hidden_units=(4,), optimizer="adagrad"), 3)
    assert type(model.optimizer).__name__ == "Adagrad"
    assert model.loss == "sparse_categorical_crossentropy"


def test_num_classes_below_two_is_rejected():
    with pytest.raises(ConfigError, match="num_classes"):
        build_model(MLPConfig(hidden_units=(4,)), 1)


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_saved_model_takes_raw_pixels_in_both_shapes(tmp_path, family):
    config = (
        MLPConfig(hidden_units=(8,), batch_norm=True, dropout=0.2)
        if family == "mlp"
        else CNNConfig(conv_filters=(4,), dense_units=(), augment=True, batch_norm=True)
    )
    model = build_model(config, 7)
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    expected = np.asarray(model(images[..., None].astype("float32"), training=False))
    # scaling lives inside the model: feeding pre-scaled pixels gives different output
    scaled = np.asarray(model((images[..., None] / 255.0).astype("float32"), training=False))
    assert not np.allclose(scaled, expected)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for batch in (images, images[..., None]):
        probabilities = np.asarray(loaded(batch, training=False))
        assert probabilities.shape == (3, 7)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
        np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)
        # predict() traces once per input rank; a fresh load per rank mirrors real use
        fresh = keras.saving.load_model(path)
        np.testing.assert_allclose(fresh.predict(batch, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_logit_adjusted_loss_matches_hand_computation():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]], dtype="float32")
    labels = np.array([0, 2])
    prior = np.array([0.6, 0.3, 0.1])
    config = MLPConfig(logit_adjustment=1.0)
    loss = build_loss(config, 3, prior)
    adjusted = probabilities * prior  # p_k * prior_k^tau, tau = 1
    expected = -np.log(adjusted[[0, 1], labels] / adjusted.sum(axis=1))
    np.testing.assert_allclose(np.asarray(loss(labels, probabilities)), expected, rtol=1e-5)
    # a uniform prior shifts every logit equally: plain cross-entropy
    uniform = build_loss(config, 3, None)
    plain = -np.log(probabilities[[0, 1], labels])
    np.testing.assert_allclose(np.asarray(uniform(labels, probabilities)), plain, rtol=1e-5)
    assert build_loss(MLPConfig(), 3, prior) == "sparse_categorical_crossentropy"


def test_label_smoothing_matches_hand_computation_with_and_without_prior():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]], dtype="float32")
    labels = np.array([0, 2])
    smoothing, prior = 0.15, np.array([0.6, 0.3, 0.1])
    targets = np.full((2, 3), smoothing / 3)
    targets[[0, 1], labels] += 1 - smoothing
    plain = build_loss(MLPConfig(label_smoothing=smoothing), 3, prior)
    expected = -(targets * np.log(probabilities)).sum(axis=1)
    np.testing.assert_allclose(np.asarray(plain(labels, probabilities)), expected, rtol=1e-5)
    # with logit adjustment the smoothed targets meet the prior-shifted distribution
    both = build_loss(MLPConfig(label_smoothing=smoothing, logit_adjustment=1.0), 3, prior)
    adjusted = probabilities * prior / (probabilities * prior).sum(axis=1, keepdims=True)
    expected = -(targets * np.log(adjusted)).sum(axis=1)
    np.testing.assert_allclose(np.asarray(both(labels, probabilities)), expected, rtol=1e-5)


@pytest.mark.parametrize("value", [-0.1, 0.5, 1.0])
def test_label_smoothing_out_of_range_is_rejected(value):
    with pytest.raises(ConfigError, match=r"label_smoothing.*\[0, 0.5\)"):
        MLPConfig(label_smoothing=value)


def test_logit_adjustment_and_class_weights_are_exclusive():
    with pytest.raises(ConfigError, match="class_weighting.*logit_adjustment"):
        MLPConfig(logit_adjustment=1.0, class_weighting="balanced")
    with pytest.raises(ConfigError, match=r"logit_adjustment.*\[0, 2\]"):
        MLPConfig(logit_adjustment=-1.0)
