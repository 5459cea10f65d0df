"""Inspection: Grad-CAM follows a hand-built quadrant model; saliency finds the pixel it reads."""

import keras
import numpy as np
import pytest

from emnist_core.analysis.inspection import (
    Inspector,
    gradcam_layer,
    heat_overlay,
    mlp_templates,
    normalise,
    upsample,
)
from emnist_core.errors import DataError
from emnist_core.models.build import build_model
from emnist_core.models.config import CNNConfig, MLPConfig


def quadrant_cnn(rows: slice, cols: slice) -> keras.Model:
    """A conv layer whose output is masked to one quadrant before pooling, then 2 classes.

    Kernels are positive averages, so the maps are positive wherever there is ink; class
    0's weights are positive and class 1's negative, so class 0 wins on any inked image.
    """
    mask = np.zeros((1, 28, 28, 1), dtype="float32")
    mask[:, rows, cols] = 1.0
    inputs = keras.Input((28, 28, 1), name="pixels")
    x = keras.layers.Rescaling(1 / 255, name="scale")(inputs)
    x = keras.layers.Conv2D(
        4,
        3,
        padding="same",
        name="conv1_1",
        kernel_initializer=keras.initializers.Constant(1 / 9),
        bias_initializer="zeros",
    )(x)
    x = keras.layers.Activation("relu", name="act1_1")(x)
    x = keras.layers.Lambda(lambda t: t * mask, name="quadrant_mask")(x)
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs)
    model.get_layer("probabilities").set_weights(
        [np.array([[1.0, -1.0]] * 4, dtype="float32"), np.zeros(2, dtype="float32")]
    )
    return model


def scribble(seed: int = 0) -> np.ndarray:
    """Ink all over the image (so every quadrant has features to look at)."""
    rng = np.random.default_rng(seed)
    return (rng.random((28, 28)) > 0.6).astype(np.uint8) * 255


@pytest.mark.parametrize(
    "rows, cols",
    [(slice(0, 14), slice(0, 14)), (slice(14, 28), slice(14, 28)), (slice(0, 14), slice(14, 28))],
)
def test_grad_cam_lights_the_quadrant_the_model_looks_at(rows, cols):
    inspector = Inspector(quadrant_cnn(rows, cols))
    assert inspector.target.name == "quadrant_mask"
    heat, chosen = inspector.grad_cam(scribble())
    assert chosen == 0 and heat.shape == (28, 28)
    assert heat.max() == pytest.approx(1.0)
    inside = heat[rows, cols].sum()
    assert inside / heat.sum() > 0.95  # bilinear upsampling may bleed a pixel over the edge


def test_saliency_finds_the_only_pixel_a_model_reads():
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(3, activation="softmax", name="probabilities")
    model = keras.Model(inputs, dense(x))
    kernel = np.zeros((784, 3), dtype="float32")
    kernel[5 * 28 + 9] = [0.02, -0.01, 0.0]  # only pixel (row 5, col 9) matters
    dense.set_weights([kernel, np.zeros(3, dtype="float32")])
    image = np.full((28, 28), 100, dtype=np.uint8)
    heat, chosen = Inspector(model).saliency(image)
    assert chosen == 0
    assert np.unravel_index(np.argmax(heat), heat.shape) == (5, 9)
    assert heat[5, 9] == pytest.approx(1.0) and np.count_nonzero(heat) == 1


def test_feature_maps_filters_and_scores_of_a_built_cnn():
    config = CNNConfig(conv_filters=(3, 5), dense_units=(8,), convs_per_block=2, batch_norm=True)
    model = build_model(config, 4)
    inspector = Inspector(model)
    maps = inspector.feature_maps(scribble())
    assert [m.layer for m in maps] == ["conv1_1", "conv1_2", "conv2_1", "conv2_2"]
    assert [m.maps.shape for m in maps] == [(3, 28, 28), (3, 28, 28), (5, 14, 14), (5, 14, 14)]
    assert all(m.maps.min() >= 0 for m in maps)  # after the ReLU, not the raw convolution
    assert inspector.first_filters().shape == (3, 3, 3)
    assert gradcam_layer(model).name == "act2_2"  # the last block's finest map, not the pooled one
    probabilities = np.asarray(model(scribble()[None, :, :, None].astype("float32")))[0]
    scores = inspector.class_scores(scribble())
    np.testing.assert_allclose(np.exp(scores) / np.exp(scores).sum(), probabilities, rtol=1e-4)


def test_first_filters_after_space_to_depth_are_unfolded_to_pixels():
    model = build_model(CNNConfig(conv_filters=(2,), dense_units=(), space_to_depth=True), 3)
    conv = model.get_layer("conv1_1")
    rng = np.random.default_rng(0)
    kernel = rng.uniform(0.1, 1.0, size=(3, 3, 4, 2)).astype("float32")
    conv.set_weights([kernel, np.zeros(2, dtype="float32")])
    inspector = Inspector(model)
    filters = inspector.first_filters()
    assert filters.shape == (2, 6, 6)
    # the unfolded filter applied to the pixels gives the conv's output (positive, so no ReLU cut)
    image = rng.integers(1, 255, size=(28, 28)).astype(np.uint8)
    out = inspector.feature_maps(image)[0].maps  # (2, 14, 14)
    p, q = 5, 8  # an inner fold pixel: its window is image rows 8-13, columns 14-19
    window = image[2 * p - 2 : 2 * p + 4, 2 * q - 2 : 2 * q + 4].astype("float32") / 255.0
    for f in range(2):
        assert out[f, p, q] == pytest.approx(float((window * filters[f]).sum()), rel=1e-4)


def test_mlp_templates_are_first_layer_weight_columns_strongest_first():
    model = build_model(MLPConfig(hidden_units=(6,)), 3)
    dense = model.get_layer("dense1")
    kernel = np.zeros((784, 6), dtype="float32")
    kernel[:, 4] = 3.0
    kernel[0, 2] = 1.0
    dense.set_weights([kernel, np.zeros(6, dtype="float32")])
    templates = mlp_templates(model, count=2)
    assert templates.shape == (2, 28, 28)
    assert np.all(templates[0] == 3.0)
    assert templates[1][0, 0] == 1.0 and templates[1].sum() == 1.0
    assert Inspector(model).feature_maps(scribble()) == []


def test_mlp_has_no_grad_cam_and_cnn_has_no_templates():
    with pytest.raises(DataError, match="Grad-CAM needs a CNN"):
        Inspector(build_model(MLPConfig(hidden_units=(4,)), 2)).grad_cam(scribble())
    with pytest.raises(DataError, match="784 pixels"):
        mlp_templates(build_model(CNNConfig(conv_filters=(2,), dense_units=(4,)), 2))


def test_bad_image_shape_is_refused():
    with pytest.raises(DataError, match="28x28"):
        Inspector(build_model(MLPConfig(hidden_units=(4,)), 2)).saliency(np.zeros((10, 10)))


def test_heat_helpers():
    assert normalise(np.zeros((2, 2))).max() == 0
    assert normalise(np.array([[-1.0, 2.0]])).tolist() == [[0.0, 1.0]]
    big = upsample(np.array([[0.0, 1.0], [0.0, 1.0]]))
    assert big.shape == (28, 28) and big[:, :10].max() < 0.5 < big[:, 18:].min()
    heat = np.zeros((28, 28))
    heat[0, 0] = 1.0
    rgb = heat_overlay(np.zeros((28, 28), dtype=np.uint8), heat)
    assert rgb.shape == (28, 28, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0, 0] > 100 and rgb[5, 5].max() == 0


def test_explicit_class_and_channel_free_input():
    inputs = keras.Input((28, 28))  # some models take (N, 28, 28) without a channel axis
    dense = keras.layers.Dense(3, activation="softmax", name="probabilities")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    kernel = np.zeros((784, 3), dtype="float32")
    kernel[3, 1] = -0.5  # class 1 reads pixel (0, 3) only
    kernel[100, 2] = 0.5  # class 2 reads pixel (3, 16) only
    dense.set_weights([kernel, np.zeros(3, dtype="float32")])
    inspector = Inspector(model)
    for wanted, pixel in ((1, (0, 3)), (2, (3, 16))):
        heat, chosen = inspector.saliency(np.full((28, 28), 50, np.uint8), class_index=wanted)
        assert chosen == wanted and np.unravel_index(np.argmax(heat), heat.shape) == pixel
