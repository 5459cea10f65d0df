"""Model helpers for pages; TensorFlow is imported lazily, only by pages that call these."""

import json

import numpy as np
import streamlit as st

from emnist_core.models.config import CNNConfig, config_from_dict


@st.cache_data(show_spinner="Building the model...", max_entries=32)
def model_summary(config_json: str, num_classes: int) -> tuple[str, int]:
    """Keras's layer-by-layer summary and the parameter count for a config (as JSON, hashable)."""
    from emnist_core.models.build import build_model

    model = build_model(config_from_dict(json.loads(config_json)), num_classes)
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=90)
    return "\n".join(lines), int(model.count_params())


def augment_preview(images: np.ndarray, copies: int = 5, seed: int = 0) -> list[list[np.ndarray]]:
    """copies augmented versions of each uint8 image, by the library's own augment_* layers."""
    from emnist_core.models.build import build_model

    model = build_model(CNNConfig(augment=True, seed=seed), num_classes=2)
    layers = [layer for layer in model.layers if layer.name.startswith("augment_")]
    if not layers:
        raise RuntimeError("the model builder made no augment_* layers")
    batch = images[..., None].astype("float32") / 255.0  # (N, 28, 28, 1), as after the scale layer
    rows: list[list[np.ndarray]] = [[] for _ in images]
    for _ in range(copies):
        out = batch
        for layer in layers:
            out = layer(out, training=True)
        pixels = np.clip(np.asarray(out)[..., 0] * 255.0, 0, 255).astype(np.uint8)
        for row, image in zip(rows, pixels, strict=True):
            row.append(image)
    return rows
