"""Plotly figures of notebook results; each ends a cell and shows there (or .show() anywhere)."""

from typing import Any

import numpy as np

from emnist_core.notebook.api import as_run


def curves(run: Any):
    """Loss and accuracy per epoch, train against validation."""
    from emnist_core.plots.training import training_curves

    run = as_run(run)
    return training_curves(run.history, title=run.name)


def overlaid(runs: list, metric: str = "val_accuracy"):
    """One metric of several runs on one chart."""
    from emnist_core.plots.training import overlaid_curves

    return overlaid_curves({as_run(run).name: as_run(run).history for run in runs}, metric)


def scores(evaluation):
    """Per-class precision, recall, F1 and support as a DataFrame (sortable in a notebook)."""
    from emnist_core.evaluation.metrics import per_class_frame

    return per_class_frame(evaluation)


def per_class(evaluation):
    """Grouped per-class precision, recall and F1 bars."""
    from emnist_core.plots.evaluation import per_class_bars

    return per_class_bars(scores(evaluation))


def confusion(evaluation, normalize: bool = False):
    """The confusion matrix (true down, predicted across); normalize shows row shares."""
    from emnist_core.plots.evaluation import confusion_heatmap

    return confusion_heatmap(evaluation.confusion, evaluation.classes, normalize=normalize)


def samples(data, count: int = 32, seed: int = 0):
    """A grid of random training images with their characters."""
    from emnist_core.plots.evaluation import image_grid

    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(data.train), size=min(count, len(data.train)), replace=False)
    captions = [data.classes[data.train.labels[i]] for i in chosen]
    return image_grid(data.train.images[chosen], captions)


def mistakes(evaluation, data, count: int = 16):
    """The most confident mistakes: 'predicted (is true) confidence' under each image."""
    from emnist_core.plots.evaluation import image_grid

    wrong = evaluation.misclassified().head(count)
    captions = [f"{r.predicted} (is {r.true}) {r.confidence:.0%}" for r in wrong.itertuples()]
    return image_grid(data.test.images[wrong["index"].to_numpy()], captions)


def comparison(result):
    """Headline test metrics of every compared run side by side."""
    from emnist_core.plots.evaluation import comparison_bars

    return comparison_bars(result.table)
