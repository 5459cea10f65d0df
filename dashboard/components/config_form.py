"""Widgets built from a config dataclass's fields, so a new knob in emnist_core shows up by itself.

Help text, number bounds and select options come from each field's spec
(emnist_core.models.fields); impossible values are refused by the config class itself,
with its message.
"""

import dataclasses
import math
import typing
from typing import Any

import streamlit as st

from emnist_core.errors import ConfigError
from emnist_core.models.config import TrainingConfig
from emnist_core.models.fields import field_spec

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
        "drawn_share",
        "class_weighting",
        "logit_adjustment",
        "label_smoothing",
    ),
}


def sections(cls: type) -> dict[str, list[dataclasses.Field]]:
    """The fields of cls grouped for display, in declaration order within each group."""
    placed = {name: title for title, names in SECTIONS.items() for name in names}
    base_names = {f.name for f in dataclasses.fields(TrainingConfig)}
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


def field_help(cls: type, field: dataclasses.Field) -> str:
    """The field's help and allowed values, from its spec, plus its default."""
    spec = field_spec(cls, field.name)
    allowed = f" Allowed: {spec.allowed()}." if spec.allowed() and not spec.choices else ""
    return f"{spec.help}{allowed} (default: {field.default!r})"


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
    if kind in (int, float):
        low, high = field_spec(cls, field.name).widget_bounds()
        step = 1 if kind is int else _float_step(float(value))
        number = container.number_input(
            label,
            value=kind(value),
            min_value=None if low is None else kind(low),
            max_value=None if high is None else kind(high),
            step=step,
            format="%d" if kind is int else "%g",
            help=help_text,
            key=key,
        )
        return kind(number)
    choices = field_spec(cls, field.name).choices if kind is str else None
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
