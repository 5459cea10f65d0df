"""Widgets that build a search space: one row per field of the built-in space, or YAML text.

The widgets only assemble the plain dict a space file would hold; emnist_core's
SearchSpace validates it, so the page shows the library's own message for an empty
range or an unknown field and never starts a study with it.
"""

import json
from typing import Any

import streamlit as st

from emnist_core.errors import ConfigError
from emnist_core.models.config import config_class
from emnist_core.models.fields import FieldSpec, field_spec
from emnist_core.models.presets import PRESET_NAMES
from emnist_core.tuning.space import SearchSpace
from emnist_core.tuning.space_files import DEFAULT_SPACES, parse_space, space_from_dict

BUILD, TEXT = "Build with widgets", "Load a file or edit YAML"


def _label(value: Any) -> str:
    """How a choice value reads in a multiselect: lists as '512, 256'."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "(none)"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def choice_ui(name: str, values: list, key: str) -> dict:
    """A multiselect over the built-in choices; what is picked becomes {choice: [...]}."""
    picked = st.multiselect(
        name.replace("_", " "),
        [_label(v) for v in values],
        default=[_label(v) for v in values],
        key=key,
        help=f"Values the study tries for `{name}`; one value fixes it.",
    )
    chosen = [v for v in values if _label(v) in picked]
    return {"choice": chosen}


def range_ui(name: str, spec: dict, key: str, field: FieldSpec) -> dict:
    """Low and high inputs within the field's own range; log and step from the built-in space."""
    left, right = st.columns(2)
    kind = float if isinstance(spec["low"], float) or spec.get("log") else int
    label, number_format = name.replace("_", " "), "%g" if kind is float else "%d"
    low_bound, high_bound = (None if b is None else kind(b) for b in field.widget_bounds())
    bounds = {"min_value": low_bound, "max_value": high_bound, "format": number_format}
    scale = "log scale. " if spec.get("log") else ""
    low = left.number_input(
        f"{label}: low",
        value=kind(spec["low"]),
        key=f"{key}_low",
        help=f"{scale}{field.help} Allowed: {field.allowed()}.",
        **bounds,
    )
    high = right.number_input(
        f"{label}: high", value=kind(spec["high"]), key=f"{key}_high", **bounds
    )
    return {**spec, "low": kind(low), "high": kind(high)}


def widgets_space(family: str, key: str) -> dict:
    """The built-in space of a family as widgets, plus the base preset and a fixed epoch budget."""
    default, cls = DEFAULT_SPACES[family], config_class(family)
    left, right = st.columns(2)
    base = left.selectbox(
        "Other fields from preset",
        PRESET_NAMES,
        key=f"{key}_base",
        index=PRESET_NAMES.index(default["base"]),
        help="Fields the study does not vary keep this preset's values.",
    )
    epochs = right.number_input(
        "Epochs per trial",
        min_value=1,
        max_value=100,
        value=3,
        step=1,
        key=f"{key}_epochs",
        help="A short budget: the pruner compares trials epoch by epoch.",
    )
    params: dict[str, Any] = {"epochs": int(epochs)}
    for name, spec in default["params"].items():
        if "choice" in spec:
            params[name] = choice_ui(name, spec["choice"], f"{key}_{name}")
        else:
            params[name] = range_ui(name, spec, f"{key}_{name}", field_spec(cls, name))
    return {"family": family, "base": base, "params": params}


def text_space(family: str, key: str) -> str:
    """A YAML/JSON editor prefilled with the built-in space; an uploaded file replaces its text."""
    upload = st.file_uploader(
        "Search space file (.yaml, .yml, .json)", type=["yaml", "yml", "json"], key=f"{key}_file"
    )
    if upload is not None:
        return upload.getvalue().decode("utf-8", errors="replace")
    import yaml

    default = yaml.safe_dump(
        DEFAULT_SPACES[family] | {"params": {"epochs": 3, **DEFAULT_SPACES[family]["params"]}},
        sort_keys=False,
    )
    return st.text_area(
        "Search space (YAML or JSON)",
        value=default,
        height=320,
        key=f"{key}_text",
        help="family, base (a preset) and params: {choice: [...]}, {low, high, "
        "log, step} or a fixed value per config field.",
    )


def space_form(family: str, key: str) -> tuple[SearchSpace | None, str | None]:
    """The space the user built or loaded, validated: (space, None) or (None, message)."""
    mode = st.radio("Search space", (BUILD, TEXT), horizontal=True, key=f"{key}_mode")
    try:
        if mode == BUILD:
            return space_from_dict(widgets_space(family, f"{key}_{family}")), None
        space = parse_space(text_space(family, f"{key}_{family}"))
    except ConfigError as error:
        return None, str(error)
    if space.family != family:
        wanted = space.family.upper()
        return None, f"This space is for {wanted}; choose {wanted} above."
    return space, None
