"""After training: the float32 model with its fitted temperature, its test metrics, page results.

The temperature is fitted on the validation split only (never the test split), so the
test ECE and NLL that metrics.json reports are honest; without a validation split T
stays 1 and metrics.json says so (temperature_fitted_on is null).
"""

from dataclasses import dataclass
from typing import Any

from emnist_core.data import Dataset, Split
from emnist_core.data.balance import balanced_sample_weights
from emnist_core.evaluation.calibration import fit_temperature
from emnist_core.evaluation.compare import measure_latency_ms
from emnist_core.evaluation.run_results import (
    RunResults,
    calibration_summary,
    compute_run_results,
)
from emnist_core.models.build import finished_model, float32_copy
from emnist_core.models.config import TrainingConfig
from emnist_core.models.head import member_logits


@dataclass(frozen=True)
class Finished:
    """The model to save, its metrics.json and its results.npz."""

    model: Any
    metrics: dict[str, Any]
    results: RunResults


def fitted_temperature(model: Any, val_split: Split | None) -> tuple[float, str | None]:
    """(T, "validation") fitted on the validation split with every class weighted equally
    (the test split is balanced), or (1.0, None) without one."""
    if val_split is None or len(val_split) == 0:
        return 1.0, None
    labels = val_split.labels
    logits = member_logits(model, val_split.images)
    return fit_temperature(labels, logits, balanced_sample_weights(labels)), "validation"


def finish(
    model: Any, config: TrainingConfig, dataset: Dataset, val_split: Split | None
) -> Finished:
    """float32 copy -> temperature fitted on validation -> saved-model form -> test results."""
    plain = float32_copy(model, config, dataset.num_classes)
    temperature, fitted_on = fitted_temperature(plain, val_split)
    final = finished_model(plain, config, dataset.num_classes, temperature)
    classes = list(dataset.classes)
    results = compute_run_results(final, dataset.test, classes)
    evaluation = results.evaluation(classes)
    metrics = {
        **evaluation.summary(),
        **calibration_summary(final, dataset.test, evaluation),
        "temperature_fitted_on": fitted_on,
        # Compare's latency column, measured once here instead of on every first page visit.
        "latency_ms": measure_latency_ms(final, repeats=30, warmup=5),
    }
    return Finished(final, metrics, results)
