"""Evaluation numbers against a case small enough to work out by hand."""

import math

import numpy as np
import pytest

from emnist_core.errors import DataError
from emnist_core.evaluation.metrics import (
    Evaluation,
    evaluate,
    evaluate_predictions,
    most_confused_pairs,
    per_class_frame,
    top_k_accuracy,
)
from tests.fixtures import TINY_CLASSES, build_tiny_model, make_tiny_split

CLASSES = ["a", "b", "c", "d"]  # "d" never occurs: it must not enter the macro average
Y_TRUE = np.array([0, 0, 1, 1, 2, 2])
PROBS = np.array(
    [
        [0.7, 0.2, 0.1, 0.0],  # right, p(true)=0.7
        [0.3, 0.6, 0.05, 0.05],  # a -> b, p(true)=0.3
        [0.1, 0.8, 0.1, 0.0],  # right, 0.8
        [0.25, 0.5, 0.25, 0.0],  # right, 0.5
        [0.0, 0.1, 0.9, 0.0],  # right, 0.9
        [0.5, 0.3, 0.2, 0.0],  # c -> a, 0.2; true class only third
    ]
)


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate_predictions(Y_TRUE, PROBS, CLASSES)


def test_confusion_matrix_rows_are_true_classes(result):
    expected = np.array([[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(result.confusion, expected)


def test_accuracy_loss_and_top_k(result):
    assert result.accuracy == pytest.approx(4 / 6)
    assert result.top3_accuracy == pytest.approx(1.0)
    assert top_k_accuracy(Y_TRUE, PROBS, 2) == pytest.approx(5 / 6)
    expected_loss = -np.mean(np.log([0.7, 0.3, 0.8, 0.5, 0.9, 0.2]))
    assert result.loss == pytest.approx(expected_loss)


def test_per_class_scores_by_hand(result):
    # class a: TP 1 of 2 predicted, 1 of 2 true; b: TP 2 of 3 predicted, 2 of 2 true; c: 1/1, 1/2
    np.testing.assert_allclose(result.precision[:3], [1 / 2, 2 / 3, 1.0])
    np.testing.assert_allclose(result.recall[:3], [1 / 2, 1.0, 1 / 2])
    np.testing.assert_allclose(result.f1[:3], [1 / 2, 0.8, 2 / 3])
    np.testing.assert_array_equal(result.support, [2, 2, 2, 0])


def test_macro_scores_skip_absent_class(result):
    assert result.macro_precision == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert result.macro_recall == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    assert result.macro_f1 == pytest.approx((1 / 2 + 0.8 + 2 / 3) / 3)
    assert set(result.summary()) == {
        "accuracy",
        "loss",
        "top3_accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "ece",
        "nll",
    }
    assert result.nll == result.loss and 0.0 <= result.ece <= 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_match_scikit_learn(seed):
    """The NumPy scores agree with scikit-learn's, absent and never-predicted classes included."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    rng = np.random.default_rng(seed)
    classes = [str(k) for k in range(9)]
    y_true = rng.integers(0, 7, 300)  # classes 7 and 8 never occur
    probs = rng.dirichlet(np.full(9, 0.3), 300)
    probs[:, 6] = 0.0  # class 6 is never predicted
    got = evaluate_predictions(y_true, probs, classes)
    predicted = probs.argmax(axis=1)
    labels = np.arange(9)
    np.testing.assert_array_equal(got.confusion, confusion_matrix(y_true, predicted, labels=labels))
    per_class = precision_recall_fscore_support(y_true, predicted, labels=labels, zero_division=0)
    ours = (got.precision, got.recall, got.f1, got.support)
    for mine, theirs in zip(ours, per_class, strict=True):
        np.testing.assert_allclose(mine, theirs)
    macro = precision_recall_fscore_support(y_true, predicted, average="macro", zero_division=0)
    assert (got.macro_precision, got.macro_recall, got.macro_f1) == pytest.approx(macro[:3])


def test_misclassified_rows(result):
    np.testing.assert_array_equal(result.misclassified_indices, [1, 5])
    frame = result.misclassified()
    assert list(frame["index"]) == [1, 5]  # 0.6 confidence before 0.5
    assert list(frame["true"]) == ["a", "c"]
    assert list(frame["predicted"]) == ["b", "a"]
    np.testing.assert_allclose(frame["confidence"], [0.6, 0.5], rtol=1e-6)
    np.testing.assert_array_equal(result.cell_indices(2, 0), [5])


def test_most_confused_pairs_both_ways():
    confusion = np.array([[50, 3, 4], [2, 40, 0], [5, 1, 30]])
    one_way = most_confused_pairs(confusion, ["0", "O", "l"], top=2)
    assert list(zip(one_way["true"], one_way["predicted"], one_way["count"], strict=True)) == [
        ("l", "0", 5),
        ("0", "l", 4),
    ]
    both = most_confused_pairs(confusion, ["0", "O", "l"], top=3, combine_directions=True)
    assert list(zip(both["true"], both["predicted"], both["count"], strict=True)) == [
        ("0", "l", 9),
        ("0", "O", 5),
        ("O", "l", 1),
    ]


def test_per_class_frame_and_round_trip(result):
    frame = per_class_frame(result)
    assert list(frame.columns) == ["class", "precision", "recall", "f1", "support"]
    assert list(frame["class"]) == CLASSES
    again = Evaluation.from_dict(result.to_dict())
    assert again.summary() == pytest.approx(result.summary())
    np.testing.assert_array_equal(again.confusion, result.confusion)
    np.testing.assert_array_equal(again.predicted, result.predicted)
    with pytest.raises(DataError, match="evaluate RUN"):
        Evaluation.from_dict(result.to_dict(include_predictions=False))


def test_bad_shapes_are_refused():
    with pytest.raises(DataError, match="outputs 3 classes"):
        evaluate_predictions(Y_TRUE, PROBS[:, :3], CLASSES)
    with pytest.raises(DataError, match="shape"):
        evaluate_predictions(Y_TRUE[:4], PROBS, CLASSES)


def test_evaluate_runs_a_model_in_batches():
    import keras

    model, classes, tiny_split = build_tiny_model(), TINY_CLASSES, make_tiny_split()
    result = evaluate(model, tiny_split, classes, batch_size=7)
    probs = keras.ops.convert_to_numpy(model(tiny_split.images.astype("float32")))
    direct = evaluate_predictions(tiny_split.labels, probs, classes)
    np.testing.assert_array_equal(result.predicted, direct.predicted)
    keras_loss = keras.losses.SparseCategoricalCrossentropy()(tiny_split.labels, probs)
    assert result.loss == pytest.approx(float(keras_loss), rel=1e-4)
    assert math.isfinite(result.macro_f1)
