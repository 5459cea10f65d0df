"""Calibration: ECE by hand, temperature fitting on an over-confident toy model."""

import numpy as np
import pytest

from emnist_core.data.balance import balanced_sample_weights
from emnist_core.errors import DataError
from emnist_core.evaluation.calibration import (
    calibration_report,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_table,
    scaled_probabilities,
)


def test_ece_matches_a_hand_computation():
    # Four images, two classes. Confidences 0.9, 0.9, 0.6, 0.55; right, wrong, right, wrong.
    probabilities = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.55, 0.45]])
    y_true = np.array([0, 1, 1, 1])
    # 15 bins of width 1/15: 0.9 -> bin 13 (0.8667, 0.9333]; 0.6 -> bin 8 (0.5333, 0.6];
    # 0.55 -> bin 8 too. Bin 13: acc 0.5, conf 0.9 -> gap 0.4, weight 2/4.
    # Bin 8: acc 0.5 (one right of two), conf 0.575 -> gap 0.075, weight 2/4.
    expected = 0.5 * 0.4 + 0.5 * 0.075
    assert expected_calibration_error(y_true, probabilities) == pytest.approx(expected)
    table = reliability_table(y_true, probabilities)
    assert len(table) == 15 and table["count"].sum() == 4
    assert table.loc[13, "count"] == 2 and table.loc[8, "confidence"] == pytest.approx(0.575)


def test_a_perfectly_calibrated_prediction_has_zero_ece_and_confidence_one_is_binned():
    probabilities = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert expected_calibration_error(np.array([0, 1]), probabilities) == 0.0
    assert reliability_table(np.array([0, 1]), probabilities).loc[14, "count"] == 2


def test_nll_is_the_mean_negative_log_of_the_true_class():
    probabilities = np.array([[0.8, 0.2], [0.25, 0.75]])
    by_hand = -(np.log(0.8) + np.log(0.75)) / 2
    assert negative_log_likelihood(np.array([0, 1]), probabilities) == pytest.approx(by_hand)


def overconfident(n: int = 2000, classes: int = 5, seed: int = 0):
    """Logits of a toy model that is right 70% of the time but ~99% sure every time."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    predicted = np.where(rng.random(n) < 0.7, y_true, (y_true + 1) % classes)
    logits = rng.normal(0, 0.5, (n, classes))
    logits[np.arange(n), predicted] += 8.0  # far too sure
    return y_true, logits


def test_fitted_temperature_softens_an_overconfident_model_and_lowers_nll():
    y_true, logits = overconfident()
    temperature = fit_temperature(y_true[:1000], logits[:1000])  # "validation"
    assert temperature > 2.0
    held_y, held_logits = y_true[1000:], logits[1000:]
    before = scaled_probabilities(held_logits, 1.0)
    after = scaled_probabilities(held_logits, temperature)
    assert negative_log_likelihood(held_y, after) < negative_log_likelihood(held_y, before) - 0.5
    assert (
        expected_calibration_error(held_y, after)
        < 0.05
        < expected_calibration_error(held_y, before)
    )
    np.testing.assert_array_equal(after.argmax(axis=1), before.argmax(axis=1))  # accuracy kept


def test_a_weighted_fit_equals_the_fit_on_rows_repeated_by_their_weight():
    y_true, logits = overconfident(600)
    weights = np.where(y_true == 0, 3, 1)
    repeated = np.repeat(np.arange(len(y_true)), weights)
    assert fit_temperature(y_true, logits, weights) == pytest.approx(
        fit_temperature(y_true[repeated], logits[repeated]), rel=1e-3
    )


def test_a_rare_class_that_is_calibrated_differently_moves_a_balanced_fit():
    """Common classes over-confident, one rare class under-confident: the plain fit serves
    the common classes; weighting classes equally pulls T toward the rare class."""
    common_y, common_logits = overconfident(2000, classes=5)
    rng = np.random.default_rng(1)
    rare_y = np.full(100, 5)
    rare_logits = np.concatenate([common_logits[:100], rng.normal(0, 0.1, (100, 1))], axis=1)
    rare_logits[:, 5] = rare_logits[:, :5].max(axis=1) + 0.2  # always right, barely sure
    common_logits = np.concatenate([common_logits, np.full((2000, 1), -5.0)], axis=1)
    y_true = np.concatenate([common_y, rare_y])
    logits = np.concatenate([common_logits, rare_logits])
    plain = fit_temperature(y_true, logits)
    balanced = fit_temperature(y_true, logits, balanced_sample_weights(y_true))
    assert balanced < plain  # sharper, for the rare class that is right but unsure


def test_sample_weights_of_the_wrong_shape_or_all_zero_are_refused():
    y_true, logits = overconfident(20)
    with pytest.raises(DataError, match="sample_weight"):
        fit_temperature(y_true, logits, np.ones(19))
    with pytest.raises(DataError, match="sample_weight"):
        fit_temperature(y_true, logits, np.zeros(20))


def test_ensemble_logits_are_scaled_per_member_then_averaged():
    logits = np.array([[[2.0, 0.0], [0.0, 1.0]]])  # one image, two members
    t = 2.0
    member = [
        np.exp([1.0, 0.0]) / np.exp([1.0, 0.0]).sum(),
        np.exp([0, 0.5]) / np.exp([0, 0.5]).sum(),
    ]
    np.testing.assert_allclose(scaled_probabilities(logits, t)[0], np.mean(member, axis=0))


def test_report_and_errors():
    y_true, logits = overconfident(200)
    report = calibration_report(y_true, logits, 1.0, None)
    assert report.ece == report.ece_before and "T = 1" in report.note
    with pytest.raises(DataError, match="temperature must be positive"):
        scaled_probabilities(logits, 0.0)
    with pytest.raises(DataError, match="probabilities"):
        expected_calibration_error(np.array([0]), np.zeros((2, 2)))
