"""Typed, validated hyperparameter configs for the MLP and CNN families.

Every knob of the classic study is a field, so a typo is an error rather than a
silently ignored default, and a config saved beside a run rebuilds that run's model.
Configs are frozen: change one with `replace(...)` or `apply_overrides(...)`, which
validate again.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from emnist_core.data.balance import MODES as CLASS_WEIGHTINGS  # sqrt: softened balanced
from emnist_core.errors import ConfigError
from emnist_core.models.fields import check_field, field_types, knob, need

IMAGE_SIZE = 28  # EMNIST images are 28x28; the CNN checks kernels against this

OPTIMIZERS = ("sgd", "adam", "adagrad")
SCHEDULES = ("constant", "exponential", "inverse_time", "cosine")
ACTIVATIONS = ("relu", "elu", "gelu", "selu", "tanh", "sigmoid", "swish")
MONITORS = ("val_loss", "val_accuracy")
POOLINGS = ("max", "avg", "none")
PADDINGS = ("same", "valid")
PRECISIONS = ("float32", "mixed_bfloat16", "auto")  # see emnist_core.models.numerics


@dataclass(frozen=True)
class TrainingConfig:
    """Fields every family shares: regularisation, optimizer, schedule, loop, data handling."""

    family: ClassVar[str] = ""

    activation: str = knob("relu", "Non-linearity after every hidden layer.", choices=ACTIVATIONS)
    dropout: float = knob(
        0.0,
        "Fraction of units dropped after each hidden Dense layer while training.",
        low=0,
        high=1,
        open_high=True,
    )
    batch_norm: bool = knob(
        False, "Normalise each layer's outputs per batch: faster, steadier training."
    )
    l1: float = knob(0.0, "L1 weight penalty on every Dense/Conv kernel.", low=0, high=1)
    l2: float = knob(0.0, "L2 weight penalty on every Dense/Conv kernel.", low=0, high=1)
    optimizer: str = knob(
        "adam",
        "How weights move along the gradient: sgd (with momentum), adam or adagrad.",
        choices=OPTIMIZERS,
    )
    learning_rate: float = knob(
        1e-3,
        "Step size of the optimizer; too big diverges, too small crawls.",
        low=0,
        high=10,
        open_low=True,
    )
    momentum: float = knob(
        0.0, "Momentum of sgd (other optimizers ignore it).", low=0, high=1, open_high=True
    )
    nesterov: bool = knob(False, "Nesterov momentum for sgd; needs momentum > 0.")
    lr_schedule: str = knob(
        "constant", "How the learning rate changes over training.", choices=SCHEDULES
    )
    decay_rate: float = knob(
        0.5, "exponential / inverse_time: factor per decay period.", low=0, high=10, open_low=True
    )
    decay_epochs: float = knob(
        1.0, "Length of one decay period in epochs.", low=0, high=1000, open_low=True
    )
    batch_size: int = knob(
        128,
        "Images per gradient step; bigger is faster per image but noisier to tune.",
        low=1,
        high=65536,
    )
    epochs: int = knob(
        10, "Passes over the training data (early stopping may end sooner).", low=1, high=1000
    )
    early_stopping: bool = knob(True, "Stop when the monitored validation metric stops improving.")
    monitor: str = knob("val_loss", "Validation metric early stopping watches.", choices=MONITORS)
    patience: int = knob(
        3, "Epochs without improvement before early stopping ends training.", low=0, high=1000
    )
    restore_best_weights: bool = knob(True, "Keep the weights of the best epoch, not the last.")
    augment: bool = knob(
        False, "Show the model randomly shifted, rotated and zoomed copies while training."
    )
    shift: float = knob(
        0.1, "Augmentation: largest shift, as a fraction of the image side.", low=0, high=0.5
    )
    rotation: float = knob(
        10.0, "Augmentation: largest rotation in degrees.", low=0, high=180, note="degrees"
    )
    zoom: float = knob(
        0.1, "Augmentation: largest zoom in or out, as a fraction.", low=0, high=1, open_high=True
    )
    drawn_share: float = knob(
        0.0,
        "Share of training images redrawn as canvas pen drawings (binary round pen, random "
        "width, size and place) and preprocessed as the Draw page does, so drawings read "
        "like test images. A higher share reads drawings better but test images a little "
        "worse, and drawing them adds to the training time.",
        low=0,
        high=1,
    )
    class_weighting: str = knob(
        "none",
        "Weight rare classes more (balanced) or a little more (sqrt) in the loss.",
        choices=CLASS_WEIGHTINGS,
    )
    logit_adjustment: float = knob(
        0.0,
        "Logit adjustment (Menon et al. 2021): train on logits + tau*log(class prior), predict "
        "without it, so the model fits a balanced test set.",
        low=0,
        high=2,
        note="(0 is off, 1 the textbook value)",
    )
    label_smoothing: float = knob(
        0.0,
        "Train towards (1 - e) on the true class and e/K spread over all K classes, so the model "
        "is not pushed to certainty on EMNIST's ambiguous pairs (0/O, 1/l/I).",
        low=0,
        high=0.5,
        open_high=True,
        note="(0 is off, 0.1 a common value)",
    )
    precision: str = knob(
        "float32",
        "Arithmetic while training: mixed_bfloat16 is faster on processors with AMX or "
        "AVX512-BF16 (figures in BENCHMARKS.md); auto picks by processor. The saved model is "
        "float32 either way.",
        choices=PRECISIONS,
    )
    ensemble: int = knob(
        1,
        "Members trained side by side from different starting weights, their predictions "
        "averaged: costs that many times the compute, usually a little more accurate.",
        low=1,
        high=8,
        note="(1 is a single model)",
    )
    seed: int = knob(
        0, "Same seed and config give the same run on CPU.", low=0, high=2**31, open_high=True
    )

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
        """Every field against its own spec, then the rules that tie two fields together."""
        kinds = field_types(type(self))
        for f in dataclasses.fields(self):
            check_field(f.name, kinds[f.name], f.metadata["spec"], getattr(self, f.name))
        if self.nesterov:
            need(
                self.optimizer == "sgd" and self.momentum > 0,
                "nesterov",
                True,
                "false unless optimizer='sgd' with momentum > 0",
            )
        if self.logit_adjustment > 0:
            need(
                self.class_weighting == "none",
                "class_weighting",
                self.class_weighting,
                "'none' when logit_adjustment > 0 (both correct for imbalance)",
            )

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
        reject_unknown(type(self), changes)
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class MLPConfig(TrainingConfig):
    """A multilayer perceptron: Flatten, then Dense blocks, then softmax."""

    family: ClassVar[str] = "mlp"

    hidden_units: tuple[int, ...] = knob(
        (512, 256), "Hidden layers: one Dense layer per width, e.g. 512, 256.", low=1, high=8192
    )


@dataclass(frozen=True)
class CNNConfig(TrainingConfig):
    """A convolutional net: conv blocks (convs, then pooling), then Dense layers, then softmax."""

    family: ClassVar[str] = "cnn"

    conv_filters: tuple[int, ...] = knob(
        (32, 64), "Conv blocks: filters of each block, e.g. 32, 64.", low=1, high=1024
    )
    convs_per_block: int = knob(
        1, "Convolutions stacked in each block before pooling.", low=1, high=8
    )
    kernel_size: int = knob(3, "Side of each convolution window in pixels.", low=1, high=IMAGE_SIZE)
    padding: str = knob(
        "same",
        "'same' keeps the feature-map size; 'valid' shrinks it by kernel_size - 1.",
        choices=PADDINGS,
    )
    first_stride: int = knob(
        1, "Stride of the very first conv; 2 quarters the cost of what follows.", low=1, high=4
    )
    space_to_depth: bool = knob(
        False,
        "Fold each 2x2 pixel patch into 4 channels first (28x28 -> 14x14x4): lossless, unlike "
        "a stride, and the first block costs a quarter.",
    )
    pooling: str = knob("max", "Downsampling after each conv block.", choices=POOLINGS)
    pool_size: int = knob(2, "Pooling window and stride.", low=2, high=4)
    global_pool: bool = knob(
        False, "Average each feature map to one number instead of flattening (fewer weights)."
    )
    conv_dropout: float = knob(
        0.0,
        "Dropout after each conv block (`dropout` is for the Dense layers).",
        low=0,
        high=1,
        open_high=True,
    )
    dense_units: tuple[int, ...] = knob(
        (128,),
        "Dense layers after the conv blocks, e.g. 128; may be empty.",
        low=1,
        high=8192,
        min_items=0,
        note="(may be empty)",
    )

    def _validate_family(self) -> None:
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


def reject_unknown(cls: type, names: dict[str, Any]) -> None:
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
    reject_unknown(cls, fields)
    return cls(**fields)
