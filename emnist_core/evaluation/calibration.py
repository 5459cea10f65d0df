"""Calibration: whether a model's confidence matches how often it is right, and temperature scaling.

A model is calibrated when, of the images it is 80% sure of, about 80% are right. Expected
calibration error (ECE) measures the gap over equal-width confidence bins; negative
log-likelihood (NLL) is the test cross-entropy. Temperature scaling (Guo et al., 2017)
divides every logit by one number T fitted on the validation split: T > 1 softens an
over-confident model, T < 1 sharpens an under-confident one. For one model the argmax,
hence the accuracy, never changes; an ensemble scales each member before averaging their
probabilities, so a handful of its predictions can.

The fit weighs every class equally (`data.balance.balanced_sample_weights`): EMNIST
Balanced is scored on a balanced test split, and logit adjustment already trains for one,
but a validation split held out of an unbalanced train split (the stand-in's runs from 24
to 627 images a class) would otherwise tune T for the common classes. On the stand-in
this took the tuned CNN's test ECE from 0.031 to 0.022 (BENCHMARKS.md); on a balanced
split the weights are all 1. Everything here is pure numpy on arrays.
"""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from emnist_core.errors import DataError

BINS = 15  # Guo et al. report ECE over 15 equal-width bins
# T is searched on a log scale in this range; outside it a model is broken, not miscalibrated.
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 20.0
_EPSILON = 1e-7  # the clip Keras applies before the log, so our NLL equals its loss


@dataclass(frozen=True)
class CalibrationReport:
    """Calibration of one model on one split, before and after its temperature.

    fitted_on : "validation", or None when there was no validation split (T stays 1).
    """

    temperature: float
    ece: float
    nll: float
    ece_before: float
    nll_before: float
    fitted_on: str | None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def note(self) -> str:
        """One sentence for a report: what T is and where it came from."""
        if self.fitted_on is None:
            return "No validation split, so no temperature was fitted (T = 1)."
        return f"Temperature T = {self.temperature:.3f}, fitted on the {self.fitted_on} split."


def _checked(y_true: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(y_true) or len(y_true) == 0:
        raise DataError(
            f"need probabilities (N, K) for N >= 1 labels; got {probabilities.shape} "
            f"for {len(y_true)} labels"
        )
    return y_true, probabilities


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, bins: int = BINS):
    """Per confidence bin: lower, upper, count, mean confidence, accuracy (the diagram's data).

    confidence : (N,) the probability of each prediction; correct : (N,) bool.
    Bins are equal-width on (0, 1]; a confidence of exactly 1 falls in the last bin.
    Empty bins are kept with count 0 and NaN confidence and accuracy.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        rows.append(
            {
                "lower": edges[b],
                "upper": edges[b + 1],
                "count": count,
                "confidence": float(confidence[members].mean()) if count else np.nan,
                "accuracy": float(correct[members].mean()) if count else np.nan,
            }
        )
    return pd.DataFrame(rows)


def reliability_table(y_true: np.ndarray, probabilities: np.ndarray, bins: int = BINS):
    """reliability_bins of class probabilities (N, K) against true labels (N,)."""
    y_true, probabilities = _checked(y_true, probabilities)
    return reliability_bins(probabilities.max(axis=1), probabilities.argmax(axis=1) == y_true, bins)


def expected_calibration_error(
    y_true: np.ndarray, probabilities: np.ndarray, bins: int = BINS
) -> float:
    """ECE: the share-weighted mean |accuracy - confidence| over equal-width confidence bins."""
    table = reliability_table(y_true, probabilities, bins)
    filled = table[table["count"] > 0]
    gaps = (filled["accuracy"] - filled["confidence"]).abs()
    return float((gaps * filled["count"]).sum() / table["count"].sum())


def negative_log_likelihood(
    y_true: np.ndarray, probabilities: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """Mean -log p(true class), clipped the way Keras clips it; weighted by sample_weight
    (N,) when given."""
    y_true, probabilities = _checked(y_true, probabilities)
    picked = probabilities[np.arange(len(y_true)), y_true]
    return float(
        np.average(-np.log(np.clip(picked, _EPSILON, 1.0 - _EPSILON)), weights=sample_weight)
    )


def scaled_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T), averaged over members for an ensemble.

    logits : (N, K) for one model, or (N, M, K) for M members (each scaled by the same T
    before its softmax, then averaged: what the saved ensemble computes).
    """
    if temperature <= 0:
        raise DataError(f"temperature must be positive; got {temperature}")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)  # stable softmax
    exp = np.exp(scaled)
    probabilities = exp / exp.sum(axis=-1, keepdims=True)
    return probabilities.mean(axis=1) if probabilities.ndim == 3 else probabilities


def fit_temperature(
    y_true: np.ndarray, logits: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """The T minimising the (weighted) NLL of softmax(logits / T): a bounded 1-D search on
    log T. sample_weight (N,), e.g. `balanced_sample_weights(y_true)`; None weighs samples
    equally."""
    y_true = np.asarray(y_true, dtype=np.int64)
    if len(y_true) == 0 or len(logits) != len(y_true):
        raise DataError(f"need logits for every label; got {len(logits)} for {len(y_true)}")
    weights = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
    if weights.shape != y_true.shape or not np.all(weights >= 0) or weights.sum() <= 0:
        raise DataError("sample_weight needs one non-negative weight per label, not all zero")

    def nll(log_t: float) -> float:
        probabilities = scaled_probabilities(logits, float(np.exp(log_t)))
        return negative_log_likelihood(y_true, probabilities, weights)

    # imported here: scipy.optimize costs ~0.2 s, and the pages that only read a run's
    # calibration (Results, Compare) never fit one
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(
        nll,
        bounds=(np.log(MIN_TEMPERATURE), np.log(MAX_TEMPERATURE)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(found.x))


def calibration_report(
    y_true: np.ndarray, logits: np.ndarray, temperature: float, fitted_on: str | None
) -> CalibrationReport:
    """ECE and NLL of logits (N, K) or (N, M, K) at T = 1 and at temperature."""
    before = scaled_probabilities(logits, 1.0)
    after = scaled_probabilities(logits, temperature)
    return CalibrationReport(
        temperature=float(temperature),
        ece=expected_calibration_error(y_true, after),
        nll=negative_log_likelihood(y_true, after),
        ece_before=expected_calibration_error(y_true, before),
        nll_before=negative_log_likelihood(y_true, before),
        fitted_on=fitted_on,
    )
