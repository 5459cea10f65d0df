"""The fast Predictor must give exactly what the model gives, for one image or many."""

from pathlib import Path

import numpy as np
import pytest

from emnist_core.errors import DataError, RunError
from emnist_core.inference.predictor import Predictor, run_classes, top_k
from emnist_core.inference.preprocess import EmptyDrawingError
from emnist_core.models.config import MLPConfig
from emnist_core.training.runs import Run
from tests.fixtures import TINY_CLASSES, build_tiny_model, make_tiny_split


@pytest.fixture(scope="module")
def model():
    return build_tiny_model(hidden=8)


@pytest.fixture(scope="module")
def predictor(model):
    return Predictor(model, TINY_CLASSES)


def model_output(model, images):
    import keras

    return keras.ops.convert_to_numpy(model(images.astype("float32"), training=False))


def test_single_image_matches_model(model, predictor):
    images = make_tiny_split(n=5).images
    expected = model_output(model, images)
    for image, row in zip(images, expected, strict=True):
        np.testing.assert_allclose(predictor.probabilities(image), row, rtol=1e-5, atol=1e-7)


def test_predict_top_is_sorted_and_named(model, predictor):
    image = make_tiny_split(n=1, seed=3).images[0]
    probs = model_output(model, image[None])[0]
    top = predictor.predict_top(image, k=3)
    assert [c for c, _ in top] == [TINY_CLASSES[i] for i in np.argsort(-probs)[:3]]
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert len(predictor.predict_top(image, k=50)) == len(TINY_CLASSES)


def test_predict_batch_matches_model(model, predictor):
    images = make_tiny_split(n=11).images
    np.testing.assert_allclose(
        predictor.predict_batch(images, batch_size=4), model_output(model, images), rtol=1e-5
    )


def test_channel_last_model_input():
    import keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    image = make_tiny_split(n=1).images[0]
    predictor = Predictor(model, ["a", "b", "c"])
    expected = model_output(model, image[None, :, :, None])[0]
    np.testing.assert_allclose(predictor.probabilities(image), expected, rtol=1e-5)


def test_predict_image_preprocesses_first(predictor):
    drawing = np.zeros((200, 200), dtype=np.uint8)
    drawing[40:160, 90:110] = 255  # a "1"
    seen, top = predictor.predict_image(255 - drawing)  # dark on light, inverted automatically
    assert seen.shape == (28, 28) and seen.dtype == np.uint8 and seen[0].max() == 0
    assert top == predictor.predict_top(seen)
    with pytest.raises(EmptyDrawingError):
        predictor.predict_image(np.zeros((200, 200, 4), dtype=np.uint8))


def test_bad_inputs(model, predictor):
    with pytest.raises(RunError, match="5 classes but 2"):
        Predictor(model, ["a", "b"])
    with pytest.raises(DataError, match="one 28x28 image"):
        predictor.probabilities(np.zeros((32, 32)))
    with pytest.raises(DataError, match="k must be"):
        top_k(np.ones(3) / 3, ["a", "b", "c"], k=0)


def test_run_classes_reads_run_json():
    run = Run("r1", Path("r1"), MLPConfig(), {"data": {"classes": ["x", "y"]}})
    assert run_classes(run) == ["x", "y"]
    with pytest.raises(RunError, match="does not record its classes"):
        run_classes(Run("r2", Path("r2"), MLPConfig(), {}))
