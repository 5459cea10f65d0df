"""What a config field allows and means: its help text, range and choices, in one place.

Each config field is declared with `knob(...)`, which stores a FieldSpec in the field's
metadata. Validation, `--set` parsing, the CLI's field list, the Train form (help text,
widget min/max, select options) and the tuning space form all read the spec, so a
field's facts are written once.
"""

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

from emnist_core.errors import ConfigError


def _number(value: float) -> str:
    """0.0 -> '0', 1e-3 -> '0.001', 2**31 -> '2147483648': exact, short, no exponent."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class FieldSpec:
    """One field's help and allowed values.

    low/high bound a number (or each item of a layer-list field); open_low/open_high
    exclude the bound itself. choices lists the allowed strings. note follows the
    allowed range in messages, e.g. "(0 is off)". min_items: 0 lets a layer list be empty.
    """

    help: str
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple[str, ...] | None = None
    note: str = ""
    min_items: int = 1

    def range_text(self) -> str:
        """'in [0, 1)', 'one of sgd, adam', or '' when anything of the type goes."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.low is None or self.high is None:
            return ""
        left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
        return f"in {left}{_number(self.low)}, {_number(self.high)}{right}"

    def allowed(self) -> str:
        return " ".join(part for part in (self.range_text(), self.note) if part)

    def accepts(self, value: Any) -> bool:
        if self.choices:
            return value in self.choices
        if self.low is None or self.high is None:
            return True
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return above and below

    def widget_bounds(self) -> tuple[float | None, float | None]:
        """Inclusive bounds a number widget can enforce (an open bound is left to validation)."""
        low = None if self.low is None or self.open_low else self.low
        high = None if self.high is None or self.open_high else self.high
        return low, high


def knob(default: Any, help: str, **spec: Any) -> Any:
    """A dataclass field carrying its FieldSpec; see FieldSpec for the keywords."""
    return dataclasses.field(default=default, metadata={"spec": FieldSpec(help, **spec)})


def field_spec(cls: type, name: str) -> FieldSpec:
    """The spec of one field of a config class (every field has one)."""
    for item in dataclasses.fields(cls):
        if item.name == name:
            return item.metadata["spec"]
    raise ConfigError(f"{cls.__name__} has no field {name!r}.")


def field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def is_layers(kind: Any) -> bool:
    """Layer-list fields (hidden_units, conv_filters, dense_units) are tuple[int, ...]."""
    return typing.get_origin(kind) is tuple


def need(ok: bool, field: str, value: Any, allowed: str) -> None:
    """Raise ConfigError naming the field, the bad value and what is allowed."""
    if not ok:
        raise ConfigError(f"{field}={value!r} is not allowed: {field} must be {allowed}.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_field(name: str, kind: Any, spec: FieldSpec, value: Any) -> None:
    """Type, then range or choices, of one value, with the field's own wording."""
    if kind is bool:
        need(isinstance(value, bool), name, value, "true/false")
        return
    if kind is int:
        need(_is_int(value), name, value, "an int")
    elif kind is float:
        need(isinstance(value, int | float) and not isinstance(value, bool), name, value, "a float")
    elif is_layers(kind):
        _check_layers(name, spec, value)
        return
    need(spec.accepts(value), name, value, spec.allowed())


def _check_layers(name: str, spec: FieldSpec, value: Any) -> None:
    items = f"a list of integers {spec.range_text()}" + (f" {spec.note}" if spec.note else "")
    if spec.min_items:
        need(
            isinstance(value, tuple) and len(value) >= spec.min_items,
            name,
            value,
            "a non-empty " + items[2:],
        )
    need(isinstance(value, tuple), name, value, items)
    for item in value:
        need(_is_int(item) and spec.accepts(item), name, value, items)


def describe_fields(cls: type) -> str:
    """One line per field, 'name (type, default): help; allowed', for `--help` texts."""
    lines = []
    kinds = field_types(cls)
    for item in dataclasses.fields(cls):
        spec, kind = item.metadata["spec"], kinds[item.name]
        type_name = "list of int" if is_layers(kind) else getattr(kind, "__name__", str(kind))
        allowed = f" [{spec.allowed()}]" if spec.allowed() else ""
        lines.append(f"  {item.name} ({type_name}, default {item.default!r}): {spec.help}{allowed}")
    return "\n".join(lines)
