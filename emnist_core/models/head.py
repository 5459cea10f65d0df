"""The classifier head of every member: Dense logits -> Rescaling(1/T) -> softmax, built-in only.

Training builds Dense '{prefix}logits' -> Activation softmax '{prefix}probabilities';
the finished model puts a Rescaling '{prefix}temperature' (scale 1/T, Guo et al. 2017)
between them, so a saved `model.keras` carries its temperature and loads with plain
`keras.saving.load_model` (safe mode, no custom objects). Runs saved before temperature
scaling end in a Dense softmax named '{prefix}probabilities' and have no logits layer.
"""

from typing import Any

import keras
import numpy as np

from emnist_core.errors import RunError
from emnist_core.models.ensemble import ENSEMBLE_LAYER, member_count, member_prefixes

LOGITS, TEMPERATURE, PROBABILITIES = "logits", "temperature", "probabilities"


def head(x, num_classes: int, prefix: str, regularizer=None):
    """One member's class probabilities from its features, computed in float32 whatever the
    precision; the logits stay reachable by name for temperature scaling."""
    logits = keras.layers.Dense(
        num_classes, kernel_regularizer=regularizer, dtype="float32", name=f"{prefix}{LOGITS}"
    )(x)
    return keras.layers.Activation("softmax", dtype="float32", name=f"{prefix}{PROBABILITIES}")(
        logits
    )


def _names(model: Any) -> set[str]:
    return {layer.name for layer in model.layers}


def has_logits(model: Any) -> bool:
    """Whether model exposes its logits (built by this version; older runs do not)."""
    return LOGITS in _names(model)


def classifier_layer(model: Any):
    """The final Dense layer of a (first) member: 'logits', or an older run's Dense softmax."""
    return model.get_layer(LOGITS if has_logits(model) else PROBABILITIES)


def features(model: Any):
    """The symbolic penultimate features (the classifier layer's input) of the first member."""
    return classifier_layer(model).input


def temperature(model: Any) -> float:
    """The temperature stored in model (1.0 when it has none)."""
    if TEMPERATURE not in _names(model):
        return 1.0
    return float(1.0 / model.get_layer(TEMPERATURE).scale)


def with_temperature(model: Any, value: float) -> keras.Model:
    """model (training, averaged or already scaled) as one float32-output model whose members'
    logits are divided by value before their softmax, members averaged; same weights."""
    if value <= 0 or not np.isfinite(value):
        raise RunError(f"temperature must be a positive number; got {value}")
    if not has_logits(model):
        raise RunError(
            f"{model.name} has no logits layer (saved by an older version), so it cannot "
            "take a temperature; train it again with this version"
        )
    outputs = []
    for prefix in member_prefixes(member_count(model)):
        logits = model.get_layer(f"{prefix}{LOGITS}").output
        scaled = keras.layers.Rescaling(
            1.0 / value, dtype="float32", name=f"{prefix}{TEMPERATURE}"
        )(logits)
        outputs.append(
            keras.layers.Activation("softmax", dtype="float32", name=f"{prefix}{PROBABILITIES}")(
                scaled
            )
        )
    if len(outputs) > 1:
        outputs = [keras.layers.Average(dtype="float32", name=ENSEMBLE_LAYER)(outputs)]
    return keras.Model(model.input, outputs[0], name=model.name)


def member_logits(model: Any, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Logits (N, K) of a plain model, or (N, M, K) of an M-member ensemble, for raw images."""
    if not has_logits(model):
        raise RunError(f"{model.name} has no logits layer; train it again with this version")
    prefixes = member_prefixes(member_count(model))
    probe = keras.Model(
        model.input, [model.get_layer(f"{prefix}{LOGITS}").output for prefix in prefixes]
    )
    chunks = []
    for start in range(0, len(images), batch_size):
        batch = np.asarray(images[start : start + batch_size], dtype=np.float32)
        outs = probe(batch, training=False)
        outs = outs if isinstance(outs, list | tuple) else [outs]
        chunks.append(np.stack([keras.ops.convert_to_numpy(out) for out in outs], axis=1))
    stacked = np.concatenate(chunks, axis=0)
    return stacked[:, 0] if len(prefixes) == 1 else stacked
