"""`--set field=value` text turned into typed config changes, validated by the config itself."""

from typing import Any

from emnist_core.errors import ConfigError
from emnist_core.models.config import TrainingConfig, reject_unknown
from emnist_core.models.fields import field_types

_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _convert(cls: type, name: str, text: str) -> Any:
    """Turn the text of `--set name=text` into the field's type, with a clear error."""
    kind = field_types(cls)[name]
    text = text.strip()
    try:
        if kind is bool:
            if text.lower() not in _TRUE + _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        if kind in (int, float, str):
            return kind(text)
        # tuple[int, ...]: comma-separated widths; '' or 'none' means no layers
        if text.lower() in ("", "none", "[]"):
            return ()
        return tuple(int(part) for part in text.strip("[]()").split(",") if part.strip())
    except ValueError:
        expected = {bool: "true or false", int: "an integer", float: "a number"}.get(
            kind, "comma-separated integers, e.g. 256,128"
        )
        raise ConfigError(f"--set {name}={text!r}: {name} expects {expected}.") from None


def parse_overrides(cls: type[TrainingConfig], assignments: list[str]) -> dict[str, Any]:
    """Parse ['field=value', ...] (from `--set`) into typed changes for `replace`."""
    changes: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {assignment!r} must look like field=value, e.g. dropout=0.3.")
        reject_unknown(cls, {name.strip(): None})
        changes[name.strip()] = _convert(cls, name.strip(), text)
    return changes


def apply_overrides(config: TrainingConfig, assignments: list[str]) -> TrainingConfig:
    """A copy of config with `--set field=value` strings applied and validated."""
    return config.replace(**parse_overrides(type(config), assignments))
