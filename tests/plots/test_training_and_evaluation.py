"""Figures: each function returns a plotly Figure with the traces its data asks for."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from emnist_core.errors import DataError
from emnist_core.evaluation.compare import Contender, compare
from emnist_core.evaluation.metrics import evaluate_predictions, per_class_frame
from emnist_core.plots import evaluation as evaluation_plots
from emnist_core.plots import training as training_plots

HISTORY = {
    "loss": [1.2, 0.8, 0.6],
    "accuracy": [0.6, 0.7, 0.8],
    "val_loss": [1.0, 0.9, 0.85],
    "val_accuracy": [0.65, 0.72, 0.74],
}


def _evaluation(predicted):
    probs = np.full((6, 3), 0.1)
    probs[np.arange(6), predicted] = 0.8
    return evaluate_predictions(np.array([0, 0, 1, 1, 2, 2]), probs, ["0", "O", "l"])


def test_training_curves_train_and_validation():
    fig = training_plots.training_curves(HISTORY, title="run")
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 4
    assert [t.name for t in fig.data] == ["train", "validation", "train", "validation"]
    assert list(fig.data[3].y) == HISTORY["val_accuracy"]
    assert list(fig.data[0].x) == [1, 2, 3]
    partial = training_plots.training_curves({"loss": [1.0], "accuracy": [0.5]})
    assert len(partial.data) == 2  # no validation yet: nothing drawn for it


def test_training_curves_read_every_history_shape():
    rows = [{"epoch": e, **{k: v[e - 1] for k, v in HISTORY.items()}} for e in (1, 2, 3)]
    for history in (rows, {"epochs": rows}):
        fig = training_plots.training_curves(history)
        assert [t.name for t in fig.data] == ["train", "validation", "train", "validation"]
        assert list(fig.data[3].y) == HISTORY["val_accuracy"]
        assert list(fig.data[0].x) == [1, 2, 3]
    no_validation = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": None}]
    assert len(training_plots.training_curves(no_validation).data) == 2
    assert training_plots.has_curves(HISTORY) and training_plots.has_curves(rows)
    assert not training_plots.has_curves({}) and not training_plots.has_curves(
        {"loss": [], "epochs": []}
    )


def test_training_curves_with_batches_at_fractional_epochs():
    batches = [
        {"epoch": epoch, "step": step, "steps_per_epoch": 4, "loss": 1 / step, "accuracy": 0.1}
        for epoch in (1, 2)
        for step in (1, 2, 3, 4)
    ] + [{"epoch": 3, "step": 1, "loss": 0.3}]  # no steps_per_epoch: left out
    fig = training_plots.training_curves(HISTORY, batches=batches)
    assert [t.name for t in fig.data] == [
        "train per batch",
        "train",
        "validation",
        "train per batch",
        "train",
        "validation",
    ]
    loss_batches, accuracy_batches = fig.data[0], fig.data[3]
    assert list(loss_batches.x) == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert list(loss_batches.y) == [1, 0.5, 1 / 3, 0.25] * 2
    assert loss_batches.xaxis == "x" and accuracy_batches.xaxis == "x2"
    assert loss_batches.line.width == 1 and loss_batches.opacity < 1
    assert [t.showlegend for t in (loss_batches, accuracy_batches)] == [True, False]
    assert len(training_plots.training_curves(HISTORY, batches=[]).data) == 4


def test_overlaid_curves_one_trace_per_run():
    fig = training_plots.overlaid_curves({"MLP": HISTORY, "CNN": {"val_accuracy": [0.8, 0.9]}})
    assert [t.name for t in fig.data] == ["MLP", "CNN"]
    assert list(fig.data[1].y) == [0.8, 0.9]
    no_validation = training_plots.overlaid_curves({"MLP": HISTORY, "CNN": {"loss": [1.0]}})
    assert [t.name for t in no_validation.data] == ["MLP"]


def test_confusion_heatmap_counts_and_normalised():
    confusion = np.array([[3, 1, 0], [0, 2, 0], [2, 0, 2]])
    counts = evaluation_plots.confusion_heatmap(confusion, ["0", "O", "l"])
    heat = counts.data[0]
    assert isinstance(heat, go.Heatmap)
    np.testing.assert_array_equal(np.asarray(heat.z), confusion)
    assert list(heat.x) == ["0", "O", "l"] and list(heat.y) == ["0", "O", "l"]
    assert "true l -> predicted 0<br>2 images (50.0% of l)" == heat.text[2][0]
    shares = evaluation_plots.confusion_heatmap(confusion, ["0", "O", "l"], normalize=True).data[0]
    np.testing.assert_allclose(np.asarray(shares.z).sum(axis=1), 1.0)
    with pytest.raises(DataError, match="does not match"):
        evaluation_plots.confusion_heatmap(confusion, ["0", "O"])


def test_per_class_and_difference_bars():
    evaluation = _evaluation([0, 1, 1, 1, 0, 2])
    bars = evaluation_plots.per_class_bars(per_class_frame(evaluation))
    assert [t.name for t in bars.data] == ["precision", "recall", "f1"]
    np.testing.assert_allclose(bars.data[2].y, evaluation.f1)
    other = _evaluation([0, 0, 1, 0, 2, 2])
    result = compare([Contender("MLP", evaluation), Contender("CNN", other)])
    diff_fig = evaluation_plots.f1_difference_bars(result.pairs[0].f1_differences, "MLP", "CNN")
    diffs = np.asarray(diff_fig.data[0].y)
    colours = list(diff_fig.data[0].marker.color)
    assert all(
        (c == evaluation_plots.GAIN_COLOUR) == (d >= 0) for c, d in zip(colours, diffs, strict=True)
    )
    table_fig = evaluation_plots.comparison_bars(result.table)
    assert [t.name for t in table_fig.data] == ["accuracy", "macro_f1", "top3_accuracy"]
    assert list(table_fig.data[0].x) == ["MLP", "CNN"]


def test_image_grid_and_probability_bars():
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    grid = evaluation_plots.image_grid(images, captions=list("abcde"), columns=3)
    assert len(grid.data) == 5
    assert [a.text for a in grid.layout.annotations] == list("abcde")
    with pytest.raises(DataError, match="stack of images"):
        evaluation_plots.image_grid(np.zeros((28, 28)))
    bars = evaluation_plots.probability_bars([("A", 0.7), ("4", 0.2), ("H", 0.1)])
    assert list(bars.data[0].y) == ["A", "4", "H"]
    assert list(bars.data[0].x) == [0.7, 0.2, 0.1]


def test_figures_serialise_to_json():
    """The dashboard sends figures to the browser as JSON; all must serialise."""
    frame = pd.DataFrame({"class": ["a"], "precision": [1.0], "recall": [0.5], "f1": [0.67]})
    for fig in (training_plots.training_curves(HISTORY), evaluation_plots.per_class_bars(frame)):
        assert fig.to_json().startswith("{")


def test_loss_panel_shows_plain_cross_entropy_and_labels_the_objective():
    history = {
        "loss": [1.2, 0.9],
        "ce": [1.0, 0.7],
        "val_ce": [1.1, 0.8],
        "accuracy": [0.5, 0.6],
        "val_accuracy": [0.5, 0.6],
    }
    label = "training objective (cross-entropy with label smoothing 0.1)"
    fig = training_plots.training_curves(history, objective=label)
    names = [trace.name for trace in fig.data]
    assert label in names
    validation = next(t for t in fig.data if t.name == "validation" and t.xaxis == "x")
    assert list(validation.y) == [1.1, 0.8]  # val_ce, not the objective
    assert fig.layout.annotations[0].text == "Cross-entropy"
    older = training_plots.training_curves({"loss": [1.0], "val_loss": [1.1]}, objective=label)
    assert older.layout.annotations[0].text == label  # no plain record: say what it is


def test_reliability_diagram_draws_filled_bins_and_the_diagonal():
    from emnist_core.evaluation.calibration import reliability_bins

    table = reliability_bins(np.array([0.95, 0.95, 0.55]), np.array([True, False, True]))
    fig = evaluation_plots.reliability_diagram(table, ece=0.2)
    bars, diagonal = fig.data
    assert len(bars.x) == 2 and sorted(bars.y) == [0.5, 1.0]
    assert list(diagonal.x) == [0, 1] and "ECE 0.200" in fig.layout.title.text
