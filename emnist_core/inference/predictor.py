"""Fast prediction for the Draw page and the `predict` command: one image in milliseconds.

`model.predict` rebuilds its data pipeline on every call (~75 ms for one image), too
slow to follow a pen. A Predictor calls the model directly inside a `tf.function`
traced once for a single image, and warms it up on construction, so a live prediction
costs a few milliseconds on a CPU.
"""

from typing import Any

import numpy as np

from emnist_core.errors import DataError, RunError
from emnist_core.evaluation.metrics import model_probabilities, run_classes
from emnist_core.inference.preprocess import Invert, preprocess_image

IMAGE_SIDE = 28


def top_k(probabilities: np.ndarray, classes: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The k most probable (class, probability) pairs of one probability vector, best first."""
    if k < 1:
        raise DataError(f"k must be at least 1; got {k}")
    order = np.argsort(-probabilities, kind="stable")[: min(k, len(classes))]
    return [(classes[i], float(probabilities[i])) for i in order]


class Predictor:
    """A model plus its class characters, ready for repeated single-image predictions.

    model : a Keras model taking raw 0-255 pixels (N, 28, 28) or (N, 28, 28, 1) and
        returning probabilities (N, K); classes : the K characters in label order.
    """

    def __init__(self, model: Any, classes: list[str]) -> None:
        outputs = int(model.output_shape[-1])
        if outputs != len(classes):
            raise RunError(
                f"the model predicts {outputs} classes but {len(classes)} class names were "
                "given; load the classes of the data the run was trained on"
            )
        self.model = model
        self.classes = list(classes)
        self._single = self._trace_single(model)
        self.probabilities(np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8))  # warm-up

    @staticmethod
    def _trace_single(model: Any):
        """A graph for exactly one image, shaped the way the model's input wants it.

        Tracing to a concrete function once (no AutoGraph: the call has no Python control
        flow) means later calls never retrace, and TensorFlow does not warn about
        "excessive retracing" when the Draw page builds one Predictor per model.
        """
        import tensorflow as tf  # lazy: importing this module must stay cheap

        shape = (1, IMAGE_SIDE, IMAGE_SIDE) + ((1,) if len(model.input_shape) == 4 else ())

        def call(pixels):
            return model(pixels, training=False)

        spec = tf.TensorSpec(shape, tf.float32)
        return tf.function(call, autograph=False).get_concrete_function(spec), shape

    @classmethod
    def from_run(cls, run: Any) -> "Predictor":
        """The Predictor of a saved run (its model file and the classes it was trained on)."""
        return cls(run.load_model(), run_classes(run))

    def probabilities(self, image: np.ndarray) -> np.ndarray:
        """Class probabilities (K,) for one preprocessed 28x28 image of raw 0-255 pixels."""
        image = np.asarray(image)
        if image.shape not in ((IMAGE_SIDE, IMAGE_SIDE), (IMAGE_SIDE, IMAGE_SIDE, 1)):
            raise DataError(
                f"expected one 28x28 image; got shape {image.shape} - "
                "run preprocess_image on drawings and photos first"
            )
        call, shape = self._single
        out = call(image.astype(np.float32).reshape(shape))
        return np.asarray(out)[0]

    def predict_top(self, image: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """The k most probable (class, probability) pairs for one 28x28 image."""
        return top_k(self.probabilities(image), self.classes, k)

    def predict_image(
        self, image: Any, k: int = 5, invert: Invert = "auto"
    ) -> tuple[np.ndarray, list[tuple[str, float]]]:
        """Preprocess a drawing or picture, then predict: (the 28x28 the model saw, top k)."""
        pixels = preprocess_image(image, invert=invert)
        return pixels, self.predict_top(pixels, k)

    def predict_batch(self, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Probabilities (N, K) for many 28x28 images, by direct calls in batches."""
        images = np.asarray(images)
        if images.ndim not in (3, 4) or images.shape[1:3] != (IMAGE_SIDE, IMAGE_SIDE):
            raise DataError(f"expected images of shape (N, 28, 28); got {images.shape}")
        return model_probabilities(self.model, images, batch_size)
