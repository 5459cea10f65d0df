"""Class balance weights: one owner for training's class weights and calibration's fit."""

import numpy as np
import pytest

from emnist_core.data.balance import balanced_sample_weights, class_weights, sample_weights
from emnist_core.errors import ConfigError


def test_class_weights_balance_unbalanced_labels():
    labels = np.array([0] * 90 + [1] * 10)
    assert class_weights(labels, 2, "none") is None
    balanced = class_weights(labels, 2, "balanced")
    assert balanced[1] / balanced[0] == pytest.approx(9.0)
    assert 90 * balanced[0] + 10 * balanced[1] == pytest.approx(100)  # mean sample weight 1
    softened = class_weights(labels, 2, "sqrt")
    assert softened[1] / softened[0] == pytest.approx(3.0)
    assert class_weights(labels, 3, "balanced")[2] == 0.0  # absent class: no samples to weigh


def test_an_unknown_weighting_is_refused_by_name():
    with pytest.raises(ConfigError, match="'inverse'.*balanced"):
        class_weights(np.array([0, 1]), 2, "inverse")


def test_class_weights_become_per_sample_weights():
    labels = np.array([0, 1, 2, 0, 1, 2])
    weights = {0: 0.5, 1: 2.0, 2: 1.0}
    assert sample_weights(labels, None) is None
    assert list(sample_weights(labels, weights)) == [0.5, 2.0, 1.0, 0.5, 2.0, 1.0]


def test_balanced_sample_weights_give_every_class_the_same_total():
    labels = np.array([0, 0, 0, 0, 1, 2, 2])
    weights = balanced_sample_weights(labels)
    assert weights.mean() == pytest.approx(1.0)
    totals = [weights[labels == label].sum() for label in (0, 1, 2)]
    assert totals == pytest.approx([totals[0]] * 3)
    assert balanced_sample_weights(np.array([3, 1, 1, 3])) == pytest.approx(np.ones(4))
