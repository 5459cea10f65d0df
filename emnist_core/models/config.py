"""Typed, validated hyperparameter configs for the MLP and CNN families.

Every knob of the classic study is a field, so a typo is an error rather than a
silently ignored default, and a config saved beside a run rebuilds that run's model.
Configs are frozen: change one with `replace(...)` or `apply_overrides(...)`, which
validate again.
"""

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from emnist_core.errors import ConfigError

IMAGE_SIZE = 28  # EMNIST images are 28x28; the CNN checks kernels against this

OPTIMIZERS = ("sgd", "adam", "adagrad")
SCHEDULES = ("constant", "exponential", "inverse_time", "cosine")
ACTIVATIONS = ("relu", "elu", "gelu", "selu", "tanh", "sigmoid", "swish")
MONITORS = ("val_loss", "val_accuracy")
CLASS_WEIGHTINGS = ("none", "balanced", "sqrt")  # sqrt: softened balanced weights
POOLINGS = ("max", "avg", "none")
PADDINGS = ("same", "valid")
PRECISIONS = ("float32", "mixed_bfloat16", "auto")  # see emnist_core.models.numerics


def _need(ok: bool, field: str, value: Any, allowed: str) -> None:
    """Raise ConfigError naming the field, the bad value and what is allowed."""
    if not ok:
        raise ConfigError(f"{field}={value!r} is not allowed: {field} must be {allowed}.")


def _need_choice(field: str, value: Any, choices: tuple[str, ...]) -> None:
    _need(value in choices, field, value, "one of " + ", ".join(choices))


def _need_number(field: str, value: Any, kind: type) -> None:
    """Reject values of the wrong type (bools are not numbers here)."""
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    _need(ok, field, value, f"a {kind.__name__}")


@dataclass(frozen=True)
class TrainingConfig:
    """Fields every family shares: regularisation, optimizer, schedule, loop, data handling."""

    family: ClassVar[str] = ""

    activation: str = "relu"
    dropout: float = 0.0  # fraction dropped after each hidden Dense layer, [0, 1)
    batch_norm: bool = False
    l1: float = 0.0  # weight penalties on every Dense/Conv kernel
    l2: float = 0.0
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.0  # sgd only
    nesterov: bool = False  # sgd only; needs momentum > 0
    lr_schedule: str = "constant"
    decay_rate: float = 0.5  # exponential / inverse_time: factor per decay period
    decay_epochs: float = 1.0  # length of one decay period in epochs
    batch_size: int = 128
    epochs: int = 10
    early_stopping: bool = True
    monitor: str = "val_loss"
    patience: int = 3
    restore_best_weights: bool = True
    augment: bool = False
    shift: float = 0.1  # augmentation: max shift as a fraction of the image side
    rotation: float = 10.0  # augmentation: max rotation in degrees
    zoom: float = 0.1  # augmentation: max zoom in/out as a fraction
    class_weighting: str = "none"
    # Logit adjustment (Menon et al. 2021): train on logits + tau*log(class prior), predict
    # without it, so the model is fit for a balanced test set; 0 turns it off.
    logit_adjustment: float = 0.0
    # Label smoothing: train towards (1 - e) on the true class and e/K spread over all K,
    # so the model is not pushed to certainty on EMNIST's ambiguous pairs (0/O, 1/l/I).
    label_smoothing: float = 0.0
    # Arithmetic while training: mixed_bfloat16 was 1.5-3.9x faster on a processor with AMX
    # (BENCHMARKS.md) and has no hardware support elsewhere; auto picks by processor.
    # Saved models are float32 either way.
    precision: str = "float32"
    # Members trained side by side from different initial weights, probabilities averaged
    # (emnist_core.models.ensemble): costs members x the compute, usually gains accuracy.
    ensemble: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        self._coerce_tuples()
        self._validate_common()
        self._validate_family()

    def _coerce_tuples(self) -> None:
        """Lists from JSON become tuples so configs stay hashable and comparable."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))

    def _validate_common(self) -> None:
        for name, kind in _field_types(type(self)).items():
            if kind in (int, float):
                _need_number(name, getattr(self, name), kind)
            elif kind is bool:
                value = getattr(self, name)
                _need(isinstance(value, bool), name, value, "true/false")
        _need_choice("activation", self.activation, ACTIVATIONS)
        _need(0.0 <= self.dropout < 1.0, "dropout", self.dropout, "in [0, 1)")
        _need(0.0 <= self.l1 <= 1.0, "l1", self.l1, "in [0, 1]")
        _need(0.0 <= self.l2 <= 1.0, "l2", self.l2, "in [0, 1]")
        _need_choice("optimizer", self.optimizer, OPTIMIZERS)
        _need(0.0 < self.learning_rate <= 10.0, "learning_rate", self.learning_rate, "in (0, 10]")
        _need(0.0 <= self.momentum < 1.0, "momentum", self.momentum, "in [0, 1)")
        if self.nesterov:
            _need(
                self.optimizer == "sgd" and self.momentum > 0,
                "nesterov",
                True,
                "false unless optimizer='sgd' with momentum > 0",
            )
        _need_choice("lr_schedule", self.lr_schedule, SCHEDULES)
        _need(0.0 < self.decay_rate <= 10.0, "decay_rate", self.decay_rate, "in (0, 10]")
        _need(0.0 < self.decay_epochs <= 1000, "decay_epochs", self.decay_epochs, "in (0, 1000]")
        _need(1 <= self.batch_size <= 65536, "batch_size", self.batch_size, "in [1, 65536]")
        _need(1 <= self.epochs <= 1000, "epochs", self.epochs, "in [1, 1000]")
        _need_choice("monitor", self.monitor, MONITORS)
        _need(0 <= self.patience <= 1000, "patience", self.patience, "in [0, 1000]")
        _need(0.0 <= self.shift <= 0.5, "shift", self.shift, "in [0, 0.5]")
        _need(0.0 <= self.rotation <= 180.0, "rotation", self.rotation, "in [0, 180] degrees")
        _need(0.0 <= self.zoom < 1.0, "zoom", self.zoom, "in [0, 1)")
        _need_choice("class_weighting", self.class_weighting, CLASS_WEIGHTINGS)
        _need(
            0.0 <= self.logit_adjustment <= 2.0,
            "logit_adjustment",
            self.logit_adjustment,
            "in [0, 2] (0 is off, 1 the textbook value)",
        )
        if self.logit_adjustment > 0:
            _need(
                self.class_weighting == "none",
                "class_weighting",
                self.class_weighting,
                "'none' when logit_adjustment > 0 (both correct for imbalance)",
            )
        _need(
            0.0 <= self.label_smoothing < 0.5,
            "label_smoothing",
            self.label_smoothing,
            "in [0, 0.5) (0 is off, 0.1 a common value)",
        )
        _need_choice("precision", self.precision, PRECISIONS)
        _need(1 <= self.ensemble <= 8, "ensemble", self.ensemble, "in [1, 8] (1 is a single model)")
        _need(0 <= self.seed < 2**31, "seed", self.seed, "in [0, 2**31)")

    def _validate_family(self) -> None:
        """Family-specific checks; subclasses override."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the family first; tuples become lists."""
        out: dict[str, Any] = {"family": self.family}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def replace(self, **changes: Any) -> "TrainingConfig":
        """A copy with typed changes applied, validated again; unknown names are errors."""
        _reject_unknown(type(self), changes)
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class MLPConfig(TrainingConfig):
    """A multilayer perceptron: Flatten, then Dense blocks, then softmax."""

    family: ClassVar[str] = "mlp"

    hidden_units: tuple[int, ...] = (512, 256)  # one Dense layer per entry

    def _validate_family(self) -> None:
        units = self.hidden_units
        _need(
            isinstance(units, tuple) and len(units) >= 1,
            "hidden_units",
            units,
            "a non-empty list of layer widths",
        )
        for width in units:
            _need(
                _is_int(width) and 1 <= width <= 8192,
                "hidden_units",
                units,
                "a list of integers in [1, 8192]",
            )


@dataclass(frozen=True)
class CNNConfig(TrainingConfig):
    """A convolutional net: conv blocks (convs, then pooling), then Dense layers, then softmax."""

    family: ClassVar[str] = "cnn"

    conv_filters: tuple[int, ...] = (32, 64)  # one block per entry
    convs_per_block: int = 1
    kernel_size: int = 3
    padding: str = "same"
    first_stride: int = 1  # stride of the very first conv; 2 quarters the cost of what follows
    # Rearrange each 2x2 pixel patch into 4 channels (28x28x1 -> 14x14x4) before the first
    # conv: lossless, unlike a stride, and it quarters the cost of the full-resolution block.
    space_to_depth: bool = False
    pooling: str = "max"  # after every block
    pool_size: int = 2
    global_pool: bool = False  # global average pooling instead of Flatten
    conv_dropout: float = 0.0  # dropout after each conv block; `dropout` is for Dense layers
    dense_units: tuple[int, ...] = (128,)  # may be empty

    def _validate_family(self) -> None:
        filters = self.conv_filters
        _need(
            isinstance(filters, tuple) and len(filters) >= 1,
            "conv_filters",
            filters,
            "a non-empty list of filter counts",
        )
        for count in filters:
            _need(
                _is_int(count) and 1 <= count <= 1024,
                "conv_filters",
                filters,
                "a list of integers in [1, 1024]",
            )
        _need(1 <= self.convs_per_block <= 8, "convs_per_block", self.convs_per_block, "in [1, 8]")
        _need(
            1 <= self.kernel_size <= IMAGE_SIZE,
            "kernel_size",
            self.kernel_size,
            f"in [1, {IMAGE_SIZE}]",
        )
        _need_choice("padding", self.padding, PADDINGS)
        _need(1 <= self.first_stride <= 4, "first_stride", self.first_stride, "in [1, 4]")
        _need_choice("pooling", self.pooling, POOLINGS)
        _need(2 <= self.pool_size <= 4, "pool_size", self.pool_size, "in [2, 4]")
        _need(0.0 <= self.conv_dropout < 1.0, "conv_dropout", self.conv_dropout, "in [0, 1)")
        for width in self.dense_units:
            _need(
                _is_int(width) and 1 <= width <= 8192,
                "dense_units",
                self.dense_units,
                "a list of integers in [1, 8192] (may be empty)",
            )
        self._check_feature_maps()

    def _check_feature_maps(self) -> None:
        """Walk the spatial size through the blocks so impossible kernels fail before training."""
        for block, side in enumerate(feature_map_sides(self)):
            if side < self.kernel_size or side < 1:
                raise ConfigError(
                    f"kernel_size={self.kernel_size} is larger than the {side}x{side} feature map "
                    f"entering conv block {block + 1}: use kernel_size <= {max(side, 1)}, fewer "
                    f"conv_filters blocks, padding='same', a smaller pool_size or first_stride=1."
                )


def feature_map_sides(config: CNNConfig) -> list[int]:
    """Side length of the feature map entering each conv block (pure arithmetic, no Keras)."""
    side, sides = (IMAGE_SIZE // 2 if config.space_to_depth else IMAGE_SIZE), []
    for block in range(len(config.conv_filters)):
        sides.append(side)
        for conv in range(config.convs_per_block):
            stride = config.first_stride if block == 0 and conv == 0 else 1
            valid = side - config.kernel_size + 1 if config.padding == "valid" else side
            side = -(-valid // stride)  # ceil division, as Keras computes strided outputs
            if side < 1:
                return sides + [side]
        if config.pooling != "none":
            side //= config.pool_size
    return sides


Config = MLPConfig | CNNConfig
FAMILIES: dict[str, type[TrainingConfig]] = {"mlp": MLPConfig, "cnn": CNNConfig}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _reject_unknown(cls: type, names: dict[str, Any]) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ConfigError(
            f"unknown {cls.family} config field(s): {', '.join(unknown)}; "
            f"known fields are: {', '.join(sorted(known))}."
        )


def config_class(family: str) -> type[TrainingConfig]:
    """The config class for 'mlp' or 'cnn'."""
    if family not in FAMILIES:
        raise ConfigError(f"family={family!r} is not allowed: family must be one of mlp, cnn.")
    return FAMILIES[family]


def config_from_dict(data: dict[str, Any]) -> TrainingConfig:
    """Rebuild a config from `to_dict()` output; unknown keys are errors, missing keys default."""
    if not isinstance(data, dict) or "family" not in data:
        raise ConfigError("a config dict needs a 'family' key ('mlp' or 'cnn').")
    fields = {k: v for k, v in data.items() if k != "family"}
    cls = config_class(data["family"])
    _reject_unknown(cls, fields)
    return cls(**fields)


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _convert(cls: type, name: str, text: str) -> Any:
    """Turn the text of `--set name=text` into the field's type, with a clear error."""
    kind = _field_types(cls)[name]
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
        _reject_unknown(cls, {name.strip(): None})
        changes[name.strip()] = _convert(cls, name.strip(), text)
    return changes


def apply_overrides(config: TrainingConfig, assignments: list[str]) -> TrainingConfig:
    """A copy of config with `--set field=value` strings applied and validated."""
    return config.replace(**parse_overrides(type(config), assignments))
