"""Robustness curves: test accuracy as the images are shifted, rotated, scaled, re-stroked, noised.

Each level's perturbed images are made once, in one batched call, and shared by every
model, which is then called directly in batches (never `predict`). The cost is one
pass over the test images per level and model, so it grows linearly with the steps.
Random choices (shift direction, rotation sign, noise) are seeded, so two runs, and
two sweeps, see exactly the same perturbed images.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emnist_core.analysis import perturbations
from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError

PERTURBATIONS = ("shift", "rotation", "scale", "stroke", "noise")
UNITS = {
    "shift": "pixels",
    "rotation": "degrees",
    "scale": "factor",
    "stroke": "steps (+ thicker, - thinner)",
    "noise": "std (0-255)",
}
COLUMNS = ["run", "perturbation", "level", "accuracy"]
ProgressFn = Callable[[int, int], None]


def _check_levels(name: str, levels: tuple, low: float, high: float) -> None:
    for level in levels:
        if (
            isinstance(level, bool)
            or not isinstance(level, int | float)
            or not low <= level <= high
        ):
            raise ConfigError(
                f"{name}={levels!r} is not allowed: every level must be a number in "
                f"[{low}, {high}] ({UNITS.get(name.rstrip('s'), '')})."
            )


@dataclass(frozen=True)
class RobustnessConfig:
    """The levels of each perturbation a sweep measures (an empty tuple skips that one).

    The defaults are the classic study's claims made measurable: shifts up to 6 of the
    28 pixels, rotations up to 30 degrees, zoom from 0.7 to 1.3, strokes one or two
    pixels thinner or thicker, and Gaussian noise up to a standard deviation of 100.
    """

    shifts: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # pixels, each image in a random axis direction
    rotations: tuple[float, ...] = (0, 5, 10, 15, 20, 25, 30)  # degrees, random sign per image
    scales: tuple[float, ...] = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
    strokes: tuple[int, ...] = (-2, -1, 0, 1, 2)
    noise: tuple[float, ...] = (0, 25, 50, 75, 100)
    seed: int = 0
    limit: int | None = None  # use a stratified sample of this many test images (None: all)
    batch_size: int = 1024

    def __post_init__(self) -> None:
        for name in ("shifts", "rotations", "scales", "strokes", "noise"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check_levels("shifts", self.shifts, 0, 27)
        _check_levels("rotations", self.rotations, 0, 180)
        _check_levels("scales", self.scales, 0.2, 3.0)
        _check_levels("strokes", self.strokes, -3, 3)
        _check_levels("noise", self.noise, 0, 255)
        if any(int(v) != v for v in self.shifts + self.strokes):
            raise ConfigError("shifts and strokes must be whole numbers of pixels / steps.")
        if not any(self.levels(name) for name in PERTURBATIONS):
            raise ConfigError("every perturbation has no levels: give at least one level.")
        if self.limit is not None and (isinstance(self.limit, bool) or self.limit < 1):
            raise ConfigError(f"limit={self.limit!r} is not allowed: use a positive count or None.")
        if not 1 <= self.batch_size <= 65536:
            raise ConfigError(f"batch_size={self.batch_size!r} is not allowed: use 1 to 65536.")

    def levels(self, perturbation: str) -> tuple:
        """The levels of one perturbation, by its name in PERTURBATIONS."""
        fields = {
            "shift": self.shifts,
            "rotation": self.rotations,
            "scale": self.scales,
            "stroke": self.strokes,
            "noise": self.noise,
        }
        if perturbation not in fields:
            raise ConfigError(
                f"perturbation={perturbation!r} is unknown: use one of {PERTURBATIONS}."
            )
        return fields[perturbation]

    @property
    def steps(self) -> int:
        """How many perturbed copies of the test images a sweep makes."""
        return sum(len(self.levels(name)) for name in PERTURBATIONS)


def perturb(images: np.ndarray, perturbation: str, level: float, seed: int = 0) -> np.ndarray:
    """One level of one perturbation applied to a batch, with seeded per-image choices."""
    rng = np.random.default_rng(seed)
    count = len(images)
    if perturbation == "shift":
        directions = rng.integers(0, len(perturbations.DIRECTIONS), size=count)
        return perturbations.shift_in_directions(images, int(level), directions)
    if perturbation == "rotation":
        signs = rng.choice(np.array([-1, 1]), size=count)
        return perturbations.rotate_with_signs(images, float(level), signs)
    if perturbation == "scale":
        return perturbations.scale(images, float(level))
    if perturbation == "stroke":
        return perturbations.stroke_width(images, int(level))
    if perturbation == "noise":
        return perturbations.add_noise(images, float(level), seed=seed)
    raise ConfigError(f"perturbation={perturbation!r} is unknown: use one of {PERTURBATIONS}.")


def stratified_sample(split: Split, limit: int | None, seed: int = 0) -> Split:
    """About `limit` images, every class in proportion (all if limit is None or large)."""
    if limit is None or limit >= len(split):
        return split
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(split))
    # a stable sort by label of a random order, then every k-th image, keeps classes in proportion
    by_class = order[np.argsort(split.labels[order], kind="stable")]
    picks = by_class[np.linspace(0, len(split) - 1, limit).round().astype(np.int64)]
    return split.subset(np.sort(np.unique(picks)))


def named_models(models_or_runs: Any) -> dict[str, Any]:
    """{name: Keras model} from a mapping of names to models or runs, or a sequence of runs."""
    if isinstance(models_or_runs, Mapping):
        items = list(models_or_runs.items())
    elif isinstance(models_or_runs, Sequence) and not isinstance(models_or_runs, str):
        items = [(_run_name(run), run) for run in models_or_runs]
    else:
        raise DataError("pass a list of runs or a {name: model or run} mapping")
    if not items:
        raise DataError("no models given; pass at least one run or model")
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise DataError(f"model names must be distinct to label the curves; got {names}")
    return {
        name: (item.load_model() if hasattr(item, "load_model") else item) for name, item in items
    }


def _run_name(run: Any) -> str:
    if not hasattr(run, "load_model"):
        raise DataError("a sequence must hold saved runs; name bare models in a {name: model} dict")
    return run.name


def model_caller(model: Any) -> Callable[[np.ndarray], Any]:
    """A batched call: a traced tf.function for a Keras model, else the callable itself.

    Graph mode runs a small CNN about 40% faster than eager calls on this CPU, which is
    most of a sweep's time; each batch is shaped the way the model's input wants it.
    """
    import keras

    if not isinstance(model, keras.Model):
        return lambda batch: model(batch, training=False)
    import tensorflow as tf

    wants_channel = len(model.input_shape) == 4
    spec = tf.TensorSpec((None, 28, 28) + ((1,) if wants_channel else ()), tf.float32)
    # one concrete graph for any batch size: traced once, never retraced
    traced = tf.function(lambda batch: model(batch, training=False), autograph=False)
    concrete = traced.get_concrete_function(spec)
    return lambda batch: concrete(tf.constant(batch[..., None] if wants_channel else batch))


def accuracy(
    call: Callable[[np.ndarray], Any],
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 1024,
) -> float:
    """Share of images a model_caller classifies right, calling it on batches of raw pixels."""
    right = 0
    for start in range(0, len(images), batch_size):
        probabilities = np.asarray(call(images[start : start + batch_size].astype(np.float32)))
        if probabilities.shape[1] <= int(labels.max()):
            raise DataError(
                f"the model predicts {probabilities.shape[1]} classes but the labels reach "
                f"{int(labels.max())}; measure it on the data source it was trained on"
            )
        right += int(np.sum(np.argmax(probabilities, axis=1) == labels[start : start + batch_size]))
    return right / len(images)


def is_identity(perturbation: str, level: float) -> bool:
    """Whether a level leaves images unchanged (shift 0, scale 1, ...): clean accuracy."""
    return float(level) == (1.0 if perturbation == "scale" else 0.0)


def robustness_curves(
    models_or_runs: Any,
    test_split: Split,
    config: RobustnessConfig | None = None,
    progress: ProgressFn | None = None,
) -> pd.DataFrame:
    """Accuracy of every model at every level of every perturbation.

    Returns a frame with columns run, perturbation, level, accuracy: one row per model,
    perturbation and level. Levels that change nothing (shift 0, scale 1, ...) share one
    pass over the clean images. progress(done, total) is called after each row.
    """
    config = config or RobustnessConfig()
    calls = {name: model_caller(model) for name, model in named_models(models_or_runs).items()}
    split = stratified_sample(test_split, config.limit, config.seed)
    if len(split) == 0:
        raise DataError("the test split is empty; nothing to measure")
    clean: dict[str, float] = {}  # every identity level is the same pass: measure it once
    total, done, rows = config.steps * len(calls), 0, []
    for perturbation in PERTURBATIONS:
        for level in config.levels(perturbation):
            identity = is_identity(perturbation, level)
            images = None if identity else perturb(split.images, perturbation, level, config.seed)
            for name, call in calls.items():
                if identity and name not in clean:
                    clean[name] = accuracy(call, split.images, split.labels, config.batch_size)
                score = (
                    clean[name]
                    if identity
                    else accuracy(call, images, split.labels, config.batch_size)
                )
                rows.append((name, perturbation, float(level), score))
                done += 1
                if progress is not None:
                    progress(done, total)
    return pd.DataFrame(rows, columns=COLUMNS)


def accuracy_at(frame: pd.DataFrame, run: str, perturbation: str, level: float) -> float:
    """One measured accuracy from a curves frame (DataError if that point was not measured)."""
    rows = frame[
        (frame["run"] == run)
        & (frame["perturbation"] == perturbation)
        & np.isclose(frame["level"], level)
    ]
    if rows.empty:
        raise DataError(f"no measurement for {run} at {perturbation}={level}")
    return float(rows["accuracy"].iloc[0])
