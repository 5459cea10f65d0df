"""Widgets built from a config dataclass's fields, so a new knob in emnist_core shows up by itself.

Choices come from the config module's tuples (ACTIVATIONS for `activation`, ...),
help text from field metadata, else the field's source comment, else a short note
here; impossible values are refused by the config class itself, with its message.
"""

import dataclasses
import inspect
import math
import re
import typing
from typing import Any

import streamlit as st

from emnist_core.errors import ConfigError
from emnist_core.models import config as config_module

# Help for fields whose source line carries no comment; the config module stays the authority.
EXTRA_HELP = {
    "activation": "Non-linearity after every hidden layer.",
    "batch_norm": "Normalise each layer's outputs per batch: faster, steadier training.",
    "optimizer": "How weights move along the gradient: sgd (with momentum), adam or adagrad.",
    "learning_rate": "Step size of the optimizer; too big diverges, too small crawls.",
    "lr_schedule": "How the learning rate changes over training.",
    "batch_size": "Images per gradient step; bigger is faster per image but noisier to tune.",
    "epochs": "Passes over the training data (early stopping may end sooner).",
    "early_stopping": "Stop when the monitored validation metric stops improving.",
    "monitor": "Validation metric early stopping watches.",
    "patience": "Epochs without improvement before early stopping ends training.",
    "restore_best_weights": "Keep the weights of the best epoch, not the last.",
    "augment": "Show the model randomly shifted, rotated and zoomed copies while training.",
    "class_weighting": "Weight rare classes more (balanced) or a little more (sqrt) in the loss.",
    "seed": "Same seed and config give the same run on CPU.",
    "precision": "Arithmetic while training: mixed_bfloat16 is faster (1.5-3.9x measured) on "
    "processors with AMX or AVX512-BF16 and has no hardware support elsewhere; "
    "auto picks by processor. The saved model is float32 either way.",
    "padding": "'same' keeps the feature-map size; 'valid' shrinks it by kernel_size - 1.",
    "pooling": "Downsampling after each conv block.",
    "pool_size": "Pooling window and stride.",
    "global_pool": "Average each feature map to one number instead of flattening (fewer weights).",
    "convs_per_block": "Convolutions stacked in each block before pooling.",
    "kernel_size": "Side of each convolution window in pixels.",
    "ensemble": "Train this many copies side by side from different starting weights and "
    "average their predictions: costs that many times the compute, usually a "
    "little more accurate.",
    "space_to_depth": "Fold each 2x2 pixel patch into 4 channels first (28x28 -> 14x14x4): "
    "nothing is lost and the first block costs a quarter.",
}


# Sections of the form for the shared fields; fields only one family has go under
# "Architecture", and a field nobody placed yet lands in "Other" (so it still shows).
SECTIONS = {
    "Architecture": ("ensemble",),
    "Regularisation": ("activation", "dropout", "batch_norm", "l1", "l2"),
    "Optimizer and learning rate": (
        "optimizer",
        "learning_rate",
        "momentum",
        "nesterov",
        "lr_schedule",
        "decay_rate",
        "decay_epochs",
    ),
    "Training loop": (
        "batch_size",
        "epochs",
        "early_stopping",
        "monitor",
        "patience",
        "restore_best_weights",
        "precision",
        "seed",
    ),
    "Augmentation, class balance and loss": (
        "augment",
        "shift",
        "rotation",
        "zoom",
        "class_weighting",
        "logit_adjustment",
        "label_smoothing",
    ),
}


def sections(cls: type) -> dict[str, list[dataclasses.Field]]:
    """The fields of cls grouped for display, in declaration order within each group."""
    placed = {name: title for title, names in SECTIONS.items() for name in names}
    base_names = {f.name for f in dataclasses.fields(config_module.TrainingConfig)}
    groups: dict[str, list[dataclasses.Field]] = {"Architecture": []}
    groups.update({title: [] for title in SECTIONS})
    for field in dataclasses.fields(cls):
        if field.name in placed:
            groups[placed[field.name]].append(field)
        elif field.name not in base_names:
            groups["Architecture"].append(field)
        else:
            groups.setdefault("Other", []).append(field)
    return {title: fields for title, fields in groups.items() if fields}


def field_choices(name: str) -> tuple[str, ...] | None:
    """The allowed values of a string field: a tuple constant in emnist_core.models.config."""
    for candidate in (name, name.split("_")[-1]):
        value = getattr(config_module, f"{candidate.upper()}S", None)
        if isinstance(value, tuple):
            return value
    return None


def _source_comments(cls: type) -> dict[str, str]:
    """`name: type = default  # comment` lines of the class and its bases, as {name: comment}."""
    comments: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        for match in re.finditer(r"^\s+(\w+):[^=\n]+=[^#\n]+#\s*(.+)$", source, re.MULTILINE):
            comments[match.group(1)] = match.group(2).strip()
    return comments


def field_help(cls: type, field: dataclasses.Field) -> str:
    """Help text for one field: metadata, else its source comment, else a note, plus its default."""
    if field.metadata and field.metadata.get("help"):
        return f"{field.metadata['help']} (default: {field.default!r})"
    pieces = [EXTRA_HELP.get(field.name, ""), _source_comments(cls).get(field.name, "")]
    text = " ".join(piece.rstrip(".") + "." for piece in pieces if piece)
    return f"{text} (default: {field.default!r})".strip()


def parse_int_list(name: str, text: str) -> tuple[int, ...]:
    """'512, 256' -> (512, 256); anything else is a ConfigError naming the field."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{name}={text!r} is not allowed: {name} must be whole numbers separated by commas, "
            "e.g. 512, 256."
        ) from None


def _float_step(value: float) -> float:
    """A step one decade below the value, so 1e-3 moves by 1e-4 and 0.5 by 0.1."""
    if value == 0:
        return 0.01
    return 10 ** (math.floor(math.log10(abs(value))) - 1) if abs(value) < 1 else 0.1


def field_widget(container: Any, cls: type, field: dataclasses.Field, value: Any, key: str) -> Any:
    """One widget for one field, chosen by the field's type; returns the raw widget value."""
    kind = typing.get_type_hints(cls)[field.name]
    label, help_text = field.name.replace("_", " "), field_help(cls, field)
    if kind is bool:
        return container.checkbox(label, value=value, help=help_text, key=key)
    if kind is int:
        return int(container.number_input(label, value=int(value), step=1, help=help_text, key=key))
    if kind is float:
        return float(
            container.number_input(
                label,
                value=float(value),
                step=_float_step(float(value)),
                format="%g",
                help=help_text,
                key=key,
            )
        )
    choices = field_choices(field.name) if kind is str else None
    if choices:
        return container.selectbox(
            label, choices, index=choices.index(value), help=help_text, key=key
        )
    if typing.get_origin(kind) is tuple:
        return container.text_input(
            label, value=", ".join(map(str, value)), help=help_text, key=key
        )
    return container.text_input(label, value=str(value), help=help_text, key=key)


def config_form(base: Any, key_prefix: str, columns: int = 3) -> tuple[Any | None, str | None]:
    """Widgets for every field of base's class: (validated config, None) or (None, message)."""
    cls = type(base)
    values: dict[str, Any] = {}
    for title, fields in sections(cls).items():
        st.markdown(f"**{title}**")
        cols = st.columns(columns)
        for position, field in enumerate(fields):
            values[field.name] = field_widget(
                cols[position % columns],
                cls,
                field,
                getattr(base, field.name),
                f"{key_prefix}_{field.name}",
            )
    try:
        for field in dataclasses.fields(cls):
            if typing.get_origin(typing.get_type_hints(cls)[field.name]) is tuple:
                values[field.name] = parse_int_list(field.name, values[field.name])
        return cls(**values), None
    except ConfigError as error:
        return None, str(error)
