"""What a network looks at, for any 28x28 input: feature maps, filters, saliency and Grad-CAM.

CNN: the output of every conv layer (after its activation), the first layer's filters,
and a Grad-CAM heatmap from the last spatial feature map. MLP: its first-layer weights
reshaped to 28x28 "templates". Both: a saliency map, the size of the gradient of the
class score with respect to each input pixel. Class scores are logits, recovered
from the softmax layer's input, because gradients of a saturated probability vanish.
An Inspector builds its sub-models once, so the Draw page can call it on every stroke.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from emnist_core.errors import DataError

_NOT_SPATIAL = ("pool", "dropout", "augment", "scale", "pixels")  # not "what the net computed"


@dataclass(frozen=True)
class FeatureMaps:
    """One conv layer's response to an image: maps is float32 (channels, height, width)."""

    layer: str
    maps: np.ndarray


def as_input(image: np.ndarray) -> np.ndarray:
    """One raw 0-255 image (28, 28) or (28, 28, 1) as a float32 batch (1, 28, 28, 1)."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape == (28, 28):
        image = image[..., None]
    if image.shape != (28, 28, 1):
        raise DataError(f"expected one 28x28 image; got shape {image.shape}")
    return image[None]


def normalise(heat: np.ndarray) -> np.ndarray:
    """Scale a non-negative map to [0, 1] (all zeros stays all zeros)."""
    heat = np.maximum(np.asarray(heat, dtype=np.float32), 0.0)
    top = float(heat.max())
    return heat / top if top > 0 else heat


def upsample(heat: np.ndarray, side: int = 28) -> np.ndarray:
    """Bilinear resize of an (h, w) map to (side, side), aligned on pixel centres."""
    from scipy import ndimage

    heat = np.asarray(heat, dtype=np.float32)
    if heat.shape == (side, side):
        return heat
    return ndimage.zoom(
        heat, (side / heat.shape[0], side / heat.shape[1]), order=1, grid_mode=True, mode="nearest"
    )


def heat_overlay(image: np.ndarray, heat: np.ndarray, strength: float = 0.6) -> np.ndarray:
    """RGB uint8 (28, 28, 3): the grey image with the [0, 1] heat painted over it in red-yellow."""
    grey = np.asarray(image, dtype=np.float32).reshape(28, 28) / 255.0
    heat = np.clip(np.asarray(heat, dtype=np.float32), 0, 1)
    colour = np.stack([np.ones_like(heat), heat, np.zeros_like(heat)], axis=-1)  # red -> yellow
    base = np.repeat(grey[..., None], 3, axis=-1) * (1 - strength * heat[..., None])
    rgb = base + strength * heat[..., None] * colour
    return np.clip(rgb * 255, 0, 255).astype(np.uint8)


def is_cnn(model: Any) -> bool:
    return bool(conv_layers(model))


def conv_layers(model: Any) -> list:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _shown_output(model: Any, conv) -> Any:
    """The conv's activation layer (act<suffix>) if the builder made one, else the conv itself."""
    names = {layer.name for layer in model.layers}
    suffix = conv.name.removeprefix("conv")
    return model.get_layer(f"act{suffix}") if f"act{suffix}" in names else conv


def gradcam_layer(model: Any) -> Any:
    """The last layer with a spatial (4-D) output that is not pooling, dropout or input plumbing."""
    spatial = [
        layer
        for layer in model.layers
        if len(layer.output.shape) == 4 and not layer.name.startswith(_NOT_SPATIAL)
    ]
    if not spatial:
        raise DataError(f"{model.name} has no spatial feature maps; Grad-CAM needs a CNN")
    return spatial[-1]


def _logits(model: Any, penultimate):
    """The class scores before the softmax, computed from the final Dense layer's weights."""
    import keras

    from emnist_core.models.head import classifier_layer

    final = classifier_layer(model)
    if isinstance(final, keras.layers.Dense):
        return keras.ops.matmul(penultimate, final.kernel) + final.bias
    return keras.ops.log(keras.ops.maximum(final(penultimate), 1e-7))


class Inspector:
    """A model plus the sub-models that expose its insides; build once, call per image.

    The maps and gradients are computed by tf.functions traced once for a single image,
    so a call costs a few milliseconds instead of an eager pass per stroke.
    """

    def __init__(self, model: Any) -> None:
        import keras
        import tensorflow as tf

        from emnist_core.models.ensemble import first_member
        from emnist_core.models.head import features

        model = first_member(model)  # an ensemble is shown through its first member
        self.model = model
        self.convs = conv_layers(model)
        shown = [_shown_output(model, conv) for conv in self.convs]
        self.map_names = [conv.name for conv in self.convs]
        maps = keras.Model(model.input, [layer.output for layer in shown]) if shown else None
        self.target = gradcam_layer(model) if self.convs else None
        extra = [self.target.output] if self.target is not None else []
        self._grads = keras.Model(model.input, [features(model)] + extra)
        self._shape = (1, *model.input_shape[1:])  # (1, 28, 28, 1), or (1, 28, 28)
        pixels = tf.TensorSpec(self._shape, tf.float32)
        self._maps = None
        if maps is not None:
            self._maps = tf.function(
                lambda x: maps(x, training=False), input_signature=[pixels], autograph=False
            )
        self._gradients = tf.function(
            self._class_gradients,
            input_signature=[pixels, tf.TensorSpec((), tf.int32)],
            autograph=False,
        )

    @property
    def is_cnn(self) -> bool:
        return bool(self.convs)

    def _input(self, image: np.ndarray) -> np.ndarray:
        return as_input(image).reshape(self._shape)

    def feature_maps(self, image: np.ndarray) -> list[FeatureMaps]:
        """Every conv layer's maps for one image (empty for an MLP)."""
        if self._maps is None:
            return []
        outputs = self._maps(self._input(image))
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        return [
            FeatureMaps(name, np.transpose(np.asarray(out)[0], (2, 0, 1)))
            for name, out in zip(self.map_names, outputs, strict=True)
        ]

    def first_filters(self) -> np.ndarray:
        """The first conv layer's kernels in pixel space, as (filters, side, side).

        After a space-to-depth fold each k x k kernel over 4 channels is a 2k x 2k kernel
        on the pixels, so it is unfolded to show what it really looks for.
        """
        if not self.convs:
            raise DataError(f"{self.model.name} has no conv layers, so no filters to show")
        kernel = np.asarray(self.convs[0].kernel)  # (k, k, in, filters)
        k, _, channels, filters = kernel.shape
        if channels == 4 and any(layer.name == "space_to_depth" for layer in self.model.layers):
            # channel 2a + b of fold pixel (i, j) is image pixel (2i + a, 2j + b)
            unfolded = kernel.reshape(k, k, 2, 2, filters).transpose(0, 2, 1, 3, 4)
            return np.transpose(unfolded.reshape(2 * k, 2 * k, filters), (2, 0, 1))
        return np.transpose(kernel[:, :, 0, :], (2, 0, 1))

    def _outputs(self, pixels) -> list:
        """[penultimate activations] plus, for a CNN, [the Grad-CAM target maps]."""
        outputs = self._grads(pixels, training=False)
        return list(outputs) if isinstance(outputs, list | tuple) else [outputs]

    def _class_gradients(self, pixels, class_index):
        """(graph) Gradients of one class logit (-1: the top class) w.r.t. pixels and maps."""
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(pixels)
            outputs = self._outputs(pixels)
            logits = _logits(self.model, outputs[0])[0]
            top = tf.argmax(logits, output_type=tf.int32)
            chosen = tf.where(class_index < 0, top, class_index)
            score = tf.gather(logits, chosen)
        return tape.gradient(score, [pixels] + outputs[1:]), outputs[1:], chosen

    def _run_gradients(self, image: np.ndarray, class_index: int | None):
        index = -1 if class_index is None else int(class_index)
        return self._gradients(self._input(image), np.int32(index))

    def class_scores(self, image: np.ndarray) -> np.ndarray:
        """The logits (K,) for one image."""
        return np.asarray(_logits(self.model, self._outputs(self._input(image))[0]))[0]

    def saliency(self, image: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int]:
        """|d logit / d pixel| as (28, 28) in [0, 1], and the class it explains (default: top)."""
        gradients, _, chosen = self._run_gradients(image, class_index)
        return normalise(np.abs(np.asarray(gradients[0]).reshape(28, 28))), int(chosen)

    def grad_cam(self, image: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int]:
        """Grad-CAM (Selvaraju et al. 2017) as (28, 28) in [0, 1], and the class it explains.

        Each map of the target layer is weighted by the mean gradient of the class logit
        over that map; the weighted sum, rectified and upsampled, shows where the evidence
        for the class lies.
        """
        if self.target is None:
            raise DataError(f"{self.model.name} has no conv layers; Grad-CAM needs a CNN")
        gradients, maps, chosen = self._run_gradients(image, class_index)
        weights = np.asarray(gradients[1])[0].mean(axis=(0, 1))  # (channels,)
        cam = np.maximum(np.tensordot(np.asarray(maps[0])[0], weights, axes=([2], [0])), 0)
        return normalise(upsample(cam)), int(chosen)


def mlp_templates(model: Any, count: int | None = 16) -> np.ndarray:
    """The first Dense layer's weights as (units, 28, 28) images, strongest units first.

    Each hidden unit of an MLP computes one weighted sum of all 784 pixels; its weights,
    laid out as an image, show which pixel pattern excites it (positive) or inhibits it.
    For an ensemble, the first member's.
    """
    import keras

    from emnist_core.models.ensemble import first_member

    model = first_member(model)
    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    if dense is None or int(dense.kernel.shape[0]) != 784:
        raise DataError(f"{model.name} has no Dense layer reading the 784 pixels; is it an MLP?")
    kernel = np.asarray(dense.kernel)  # (784, units), rows in Flatten's row-major pixel order
    order = np.argsort(-np.linalg.norm(kernel, axis=0), kind="stable")[:count]
    return kernel[:, order].T.reshape(-1, 28, 28)
