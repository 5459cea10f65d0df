"""Search spaces as data: read from YAML/JSON (or a dict), written back, and the built-in ones.

A space file names a family, a base preset and, per config field, a choice list, a range
or a fixed value; SearchSpace (tuning/space.py) checks it against the config before any
training.
"""

import json
from pathlib import Path
from typing import Any

from emnist_core.errors import ConfigError
from emnist_core.models.config import config_class
from emnist_core.tuning.space import Choice, Fixed, Param, Range, SearchSpace, tupled


def _param_from_data(name: str, data: Any) -> Param:
    """One entry of a space file: {choice: [...]}, {low, high, ...}, {value: x}, or a value."""
    if not isinstance(data, dict):
        return Fixed(tupled(data))
    keys = set(data)
    if keys == {"choice"} and isinstance(data["choice"], list):
        return Choice(tuple(tupled(v) for v in data["choice"]))
    if keys == {"value"}:
        return Fixed(tupled(data["value"]))
    if {"low", "high"} <= keys <= {"low", "high", "log", "step"}:
        bad = [
            k
            for k in ("low", "high", "step")
            if data.get(k) is not None
            and (isinstance(data[k], bool) or not isinstance(data[k], (int, float)))
        ]
        if bad or not isinstance(data.get("log", False), bool):
            raise ConfigError(
                f"search space field {name!r}: low/high/step must be numbers and log true or false."
            )
        return Range(data["low"], data["high"], data.get("log", False), data.get("step"))
    raise ConfigError(
        f"search space field {name!r} must be {{choice: [...]}}, {{low: .., "
        f"high: .., log: .., step: ..}}, {{value: ..}} or a plain value; got keys "
        f"{sorted(keys)}."
    )


def space_from_dict(data: Any) -> SearchSpace:
    """Build and validate a space from parsed YAML/JSON."""
    if not isinstance(data, dict) or "family" not in data:
        raise ConfigError(
            "a search space needs a 'family' key ('mlp' or 'cnn') and a 'params' mapping."
        )
    unknown = sorted(set(data) - {"family", "base", "params"})
    if unknown:
        raise ConfigError(
            f"unknown search space key(s): {', '.join(unknown)}; use family, base, params."
        )
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise ConfigError("a search space's 'params' must be a mapping of field name to values.")
    entries = {name: _param_from_data(name, value) for name, value in params.items()}
    return SearchSpace(data["family"], entries, data.get("base", "quick"))


def _yaml_loader():
    """A safe loader that reads 1e-4 as a float (plain YAML 1.1 reads it as a string)."""
    import re

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$"),
        list("-+0123456789."),
    )
    return yaml, Loader


def parse_space(text: str) -> SearchSpace:
    """A space from YAML or JSON text."""
    yaml, loader = _yaml_loader()
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ConfigError(f"the search space is not valid YAML/JSON: {error}") from None
    return space_from_dict(data)


def load_space(path: Path | str) -> SearchSpace:
    """Read a space file (.yaml, .yml or .json)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read search space file {path}: {error.strerror}.") from None
    return parse_space(text)


def space_to_json(space: SearchSpace) -> str:
    return json.dumps(space.to_dict(), indent=2) + "\n"


def space_to_yaml(space: SearchSpace) -> str:
    import yaml

    return yaml.safe_dump(space.to_dict(), sort_keys=False)


# The classic study's questions: which optimizer, which learning-rate schedule, how much
# regularisation; plus the model's width. SGD and Adagrad need larger rates than Adam,
# hence the wide log range. momentum only affects SGD.
_COMMON = {
    "optimizer": {"choice": ["sgd", "adam", "adagrad"]},
    "learning_rate": {"low": 1e-4, "high": 0.3, "log": True},
    "momentum": {"choice": [0.0, 0.9]},
    "lr_schedule": {"choice": ["constant", "exponential", "inverse_time", "cosine"]},
    "batch_norm": {"choice": [False, True]},
    "dropout": {"low": 0.0, "high": 0.5},
    "l2": {"choice": [0.0, 1e-5, 1e-4, 1e-3]},
}
DEFAULT_SPACES: dict[str, dict] = {
    "mlp": {
        "family": "mlp",
        "base": "quick",
        "params": {**_COMMON, "hidden_units": {"choice": [[256], [512, 256], [1024, 512]]}},
    },
    "cnn": {
        "family": "cnn",
        "base": "quick",
        "params": {
            **_COMMON,
            "conv_dropout": {"low": 0.0, "high": 0.3},
            "conv_filters": {"low": 16, "high": 48, "step": 16},  # first block; later ones double
            "dense_units": {"choice": [[128], [256]]},
        },
    },
}


def default_space(family: str) -> SearchSpace:
    """The built-in space for 'mlp' or 'cnn' (see DEFAULT_SPACES)."""
    config_class(family)
    return space_from_dict(DEFAULT_SPACES[family])
