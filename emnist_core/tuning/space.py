"""Search spaces as typed data: which config fields a study varies, and over what values.

A space is checked against the config dataclass before any training: an unknown field,
an empty range or a value the config would refuse is a ConfigError naming the field.
Fields the space does not mention keep the base preset's value. Spaces load from YAML
or JSON (tuning/space_files.py), e.g.

    family: mlp
    base: quick
    params:
      optimizer: {choice: [sgd, adam, adagrad]}
      learning_rate: {low: 1.0e-4, high: 0.1, log: true}
      hidden_units: {choice: [[256], [512, 256]]}
      epochs: 3                      # a bare value is fixed
"""

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any

from emnist_core.errors import ConfigError
from emnist_core.models.config import TrainingConfig, config_class
from emnist_core.models.presets import PRESET_NAMES, get_preset


@dataclass(frozen=True)
class Choice:
    """One of a list of values (for a layer-list field each value is itself a list)."""

    values: tuple

    def to_dict(self) -> dict:
        return {"choice": [list(v) if isinstance(v, tuple) else v for v in self.values]}


@dataclass(frozen=True)
class Range:
    """A numeric interval; integers for int fields, floats otherwise; log spaces it evenly in log.

    On a layer-list field (hidden_units, conv_filters, dense_units) the range sets the
    first layer's width and later layers keep the base config's ratios to the first.
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def to_dict(self) -> dict:
        out = {"low": self.low, "high": self.high, "log": self.log}
        return out if self.step is None else {**out, "step": self.step}


@dataclass(frozen=True)
class Fixed:
    """A value every trial uses (e.g. a short epoch budget)."""

    value: Any

    def to_dict(self) -> dict:
        return {"value": list(self.value) if isinstance(self.value, tuple) else self.value}


Param = Choice | Range | Fixed


@dataclass(frozen=True)
class SearchSpace:
    """What a study varies for one family; base names the preset the other fields come from."""

    family: str
    params: dict[str, Param] = field(default_factory=dict)
    base: str = "quick"

    def __post_init__(self) -> None:
        cls = config_class(self.family)
        if self.base not in PRESET_NAMES:
            raise ConfigError(
                f"base={self.base!r} is not allowed: base must be one of {', '.join(PRESET_NAMES)}."
            )
        samples = {
            name: _check_param(cls, self.base_config, name, param)
            for name, param in self.params.items()
        }
        fixed = {name: p.value for name, p in self.params.items() if isinstance(p, Fixed)}
        try:  # the fixed values must work together before any searched value is judged
            anchor = self.base_config.replace(**fixed)
        except ConfigError as error:
            raise ConfigError(
                f"the search space's fixed values do not fit together: {error}"
            ) from None
        for name in self.searched:
            _check_values(anchor, name, samples[name])

    @property
    def base_config(self) -> TrainingConfig:
        return get_preset(self.family, self.base)

    @property
    def searched(self) -> list[str]:
        """Names of the fields that vary (not fixed)."""
        return [name for name, param in self.params.items() if not isinstance(param, Fixed)]

    def to_dict(self) -> dict:
        """JSON-ready; equal spaces give equal dicts (stored in a study to detect clashes)."""
        return {
            "family": self.family,
            "base": self.base,
            "params": {name: self.params[name].to_dict() for name in sorted(self.params)},
        }

    def with_fixed(self, **values: Any) -> "SearchSpace":
        """A copy with some fields fixed (e.g. the CLI's --epochs), validated again."""
        params = dict(self.params)
        params.update({name: Fixed(tupled(value)) for name, value in values.items()})
        return SearchSpace(self.family, params, self.base)

    def suggest(self, trial) -> TrainingConfig:
        """Ask an Optuna trial for every searched field and build the (validated) config.

        Each value was checked alone when the space was made; a combination the config
        refuses (nesterov with adam) raises ConfigError here, which fails just that trial.
        """
        values = {
            name: _suggest(trial, name, param, self.base_config)
            for name, param in self.params.items()
        }
        return self.base_config.replace(**values)

    def config_from_params(self, params: dict[str, Any]) -> TrainingConfig:
        """The config a finished trial trained, rebuilt from its Optuna params."""
        values = {}
        for name, param in self.params.items():
            if isinstance(param, Fixed):
                values[name] = param.value
            else:
                values[name] = _decode(name, param, params[name], self.base_config)
        return self.base_config.replace(**values)


def tupled(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _kind(cls: type, name: str) -> Any:
    return typing.get_type_hints(cls)[name]


def _is_layers(cls: type, name: str) -> bool:
    return typing.get_origin(_kind(cls, name)) is tuple


def _check_param(cls: type, base: TrainingConfig, name: str, param: Param) -> tuple:
    """Refuse unknown fields and empty ranges; return the field values to try on the config."""
    known = sorted(f.name for f in dataclasses.fields(cls))
    if name not in known:
        raise ConfigError(
            f"search space field {name!r} is not a {cls.family} config field; "
            f"known fields are: {', '.join(known)}."
        )
    if isinstance(param, Choice):
        if not param.values:
            raise ConfigError(
                f"search space field {name!r} has an empty choice: list at least one value."
            )
        return param.values
    if isinstance(param, Range):
        ends = _check_range(cls, name, param)
        if _is_layers(cls, name):
            return tuple(_layers_from_first(base, name, v) for v in ends)
        return ends
    return (param.value,)


def _check_values(anchor: TrainingConfig, name: str, values: tuple) -> None:
    """Each choice and both ends of a range must be a value the config accepts."""
    for value in values:
        try:
            anchor.replace(**{name: value})
        except ConfigError as error:
            raise ConfigError(f"search space field {name!r}: {error}") from None


def _check_range(cls: type, name: str, param: Range) -> tuple:
    kind = _kind(cls, name)
    numeric = kind in (int, float) or _is_layers(cls, name)
    if not numeric:
        raise ConfigError(
            f"search space field {name!r} is not numeric: give it a choice: list "
            "instead of low/high."
        )
    if not param.low <= param.high:
        raise ConfigError(
            f"search space field {name!r} has an empty range: low={param.low} > "
            f"high={param.high}; use low <= high."
        )
    if param.log and param.low <= 0:
        raise ConfigError(
            f"search space field {name!r}: a log range needs low > 0 (got "
            f"low={param.low}); use log: false or a positive low."
        )
    if param.step is not None and (param.step <= 0 or param.log):
        raise ConfigError(
            f"search space field {name!r}: step must be > 0 and cannot be combined "
            f"with log: true (got step={param.step}, log={param.log})."
        )
    if kind is not float:
        if not all(float(v).is_integer() for v in (param.low, param.high, param.step or 1)):
            raise ConfigError(
                f"search space field {name!r} takes whole numbers: use integer "
                f"low/high/step (got low={param.low}, high={param.high})."
            )
        return (int(param.low), int(param.high))
    return (float(param.low), float(param.high))


def _layers_from_first(base: TrainingConfig, name: str, first: int) -> tuple[int, ...]:
    """Scale the base's layer widths so the first is `first`, keeping their ratios."""
    widths = getattr(base, name) or (first,)
    return tuple(max(1, round(first * width / widths[0])) for width in widths)


def _encode_choice(value: Any) -> Any:
    """Optuna categoricals hold scalars only, so layer lists travel as '512,256'."""
    return ",".join(str(v) for v in value) if isinstance(value, (tuple, list)) else value


def _suggest(trial, name: str, param: Param, base: TrainingConfig) -> Any:
    if isinstance(param, Fixed):
        return param.value
    if isinstance(param, Choice):
        raw = trial.suggest_categorical(name, [_encode_choice(v) for v in param.values])
    elif _kind(type(base), name) is float:
        raw = trial.suggest_float(
            name, float(param.low), float(param.high), log=param.log, step=param.step
        )
    else:
        raw = trial.suggest_int(
            name, int(param.low), int(param.high), log=param.log, step=int(param.step or 1)
        )
    return _decode(name, param, raw, base)


def _decode(name: str, param: Param, raw: Any, base: TrainingConfig) -> Any:
    """Turn an Optuna param value back into the config field's value."""
    if isinstance(param, Range) and _is_layers(type(base), name):
        return _layers_from_first(base, name, int(raw))
    if isinstance(param, Choice) and _is_layers(type(base), name):
        return tuple(int(v) for v in str(raw).split(",") if v.strip()) if raw != "" else ()
    return raw
