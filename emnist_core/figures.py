"""Plotly figures built from evaluation and comparison data; the only module that imports plotly.

Every function takes plain data (history dicts, arrays, data frames) and returns a
`plotly.graph_objects.Figure`, so the dashboard shows it with `st.plotly_chart` and a
notebook with `fig.show()`. Nothing here computes a metric.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from emnist_core.errors import DataError

TRAIN_COLOUR, VAL_COLOUR = "#1f77b4", "#ff7f0e"
GAIN_COLOUR, LOSS_COLOUR = "#2ca02c", "#d62728"
METRIC_LABELS = {
    "loss": "loss", "accuracy": "accuracy", "val_loss": "validation loss",
    "val_accuracy": "validation accuracy", "learning_rate": "learning rate",
}
CURVE_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
History = Mapping[str, Sequence[float]] | Sequence[Mapping[str, float]]


def per_epoch_series(history: History) -> dict[str, list]:
    """A history as per-epoch lists, whatever shape it came in.

    history : a dict of per-epoch lists (as runs save it), a list of per-epoch dicts (as
    training progress events arrive), or a dict holding such a list under "epochs".
    """
    if isinstance(history, Mapping) and isinstance(history.get("epochs"), list):
        history = history["epochs"]
    if isinstance(history, Mapping):
        return {key: list(values) for key, values in history.items() if np.ndim(values) == 1}
    keys = dict.fromkeys(key for row in history for key in row)  # first-seen order
    return {key: [row.get(key) for row in history] for key in keys}


def has_curves(history: History) -> bool:
    """Whether a history holds at least one epoch of loss or accuracy to draw."""
    series = per_epoch_series(history)
    return any(_drawable(series.get(metric)) for metric in CURVE_METRICS)


def _drawable(values: Sequence | None) -> bool:
    return any(v is not None for v in values or [])


def _epoch_axis(series: Mapping[str, list], values: Sequence) -> list:
    """Epoch numbers from the history's own 'epoch' list, else counted from 1."""
    epochs = series.get("epoch") or []
    return list(epochs) if len(epochs) == len(values) else list(range(1, len(values) + 1))


def batch_points(batches: Sequence[Mapping[str, float]], metric: str) -> tuple[list, list]:
    """(x, y) of one metric per batch, x the fractional epoch: epoch 2, half done -> 1.5.

    batches : progress events with epoch, step, steps_per_epoch and the metric; events
    missing any of them are left out.
    """
    xs, ys = [], []
    for event in batches:
        if any(event.get(key) is None for key in ("epoch", "step", "steps_per_epoch", metric)):
            continue
        steps = max(event["steps_per_epoch"], 1)
        xs.append(event["epoch"] - 1 + event["step"] / steps)
        ys.append(event[metric])
    return xs, ys


def _batch_trace(
    batches: Sequence[Mapping[str, float]], metric: str, first: bool
) -> go.Scatter | None:
    x, y = batch_points(batches, metric)
    if not x:
        return None
    return go.Scatter(x=x, y=y, mode="lines", name="train per batch", legendgroup="batch",
                      showlegend=first, opacity=0.5, line={"color": TRAIN_COLOUR, "width": 1})


def training_curves(
    history: History, title: str = "", batches: Sequence[Mapping[str, float]] | None = None
) -> go.Figure:
    """Loss and accuracy per epoch, train against validation, side by side.

    history : per-epoch loss, accuracy, val_loss, val_accuracy in any shape
    per_epoch_series reads (any missing series is simply not drawn, e.g. while the first
    epoch is still running).
    batches : optional per-batch progress events, drawn as thin "train per batch" lines
    at fractional epochs under the per-epoch curves (the live training panel).
    """
    series = per_epoch_series(history)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    for col, metric in enumerate(("loss", "accuracy"), start=1):
        live = _batch_trace(batches or [], metric, first=col == 1)
        if live is not None:
            fig.add_trace(live, row=1, col=col)
        for key, colour, label in ((metric, TRAIN_COLOUR, "train"),
                                   (f"val_{metric}", VAL_COLOUR, "validation")):
            values = series.get(key) or []
            if _drawable(values):
                fig.add_trace(
                    go.Scatter(x=_epoch_axis(series, values), y=values, mode="lines+markers",
                               name=label, legendgroup=label, showlegend=col == 1,
                               line={"color": colour}),
                    row=1, col=col,
                )
        fig.update_xaxes(title_text="epoch", row=1, col=col)
    fig.update_layout(title=title or None, hovermode="x unified")
    return fig


def overlaid_curves(histories: Mapping[str, History], metric: str = "val_accuracy") -> go.Figure:
    """One metric of several runs on one chart (the Compare page's validation curves).

    A run without that metric (e.g. trained without a validation split) is left out.
    """
    fig = go.Figure()
    for name, history in histories.items():
        series = per_epoch_series(history)
        values = series.get(metric) or []
        if _drawable(values):
            fig.add_trace(go.Scatter(x=_epoch_axis(series, values), y=values,
                                     mode="lines+markers", name=name))
    label = METRIC_LABELS.get(metric, metric)
    fig.update_layout(title=f"{label.capitalize()} per epoch", xaxis_title="epoch",
                      yaxis_title=label, hovermode="x unified")
    return fig


def confusion_heatmap(
    confusion: np.ndarray, classes: Sequence[str], normalize: bool = False
) -> go.Figure:
    """The confusion matrix, true class down, predicted across; counts or row shares.

    Row-normalised cells show recall on the diagonal and where each class's mistakes go;
    the diagonal is kept so a reader sees the scale, hover gives count and share.
    """
    counts = np.asarray(confusion, dtype=np.int64)
    if counts.shape != (len(classes), len(classes)):
        raise DataError(f"confusion matrix {counts.shape} does not match {len(classes)} classes")
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    labels = [str(c) for c in classes]
    hover = [
        [f"true {labels[i]} -> predicted {labels[j]}<br>{counts[i, j]} images "
         f"({shares[i, j]:.1%} of {labels[i]})" for j in range(len(labels))]
        for i in range(len(labels))
    ]
    fig = go.Figure(
        go.Heatmap(z=shares if normalize else counts, x=labels, y=labels, text=hover,
                   hoverinfo="text", colorscale="Blues",
                   colorbar={"title": "share of row" if normalize else "images"})
    )
    fig.update_layout(
        title="Confusion matrix" + (" (row-normalised)" if normalize else " (counts)"),
        xaxis={"title": "predicted", "type": "category", "tickmode": "linear"},
        yaxis={"title": "true", "type": "category", "autorange": "reversed",
               "tickmode": "linear"},
    )
    return fig


def per_class_bars(
    frame: pd.DataFrame, metrics: Sequence[str] = ("precision", "recall", "f1")
) -> go.Figure:
    """Grouped bars per class (frame from evaluation.per_class_frame)."""
    fig = go.Figure()
    for metric in metrics:
        fig.add_trace(go.Bar(x=frame["class"].astype(str), y=frame[metric], name=metric))
    fig.update_layout(barmode="group", title="Per-class scores", yaxis={"range": [0, 1]},
                      xaxis={"type": "category", "title": "class"})
    return fig


def f1_difference_bars(frame: pd.DataFrame, name_a: str, name_b: str) -> go.Figure:
    """Per-class F1 of B minus A (frame from comparison.f1_differences): green where B wins."""
    diff = frame["difference"].to_numpy()
    fig = go.Figure(
        go.Bar(x=frame["class"].astype(str), y=diff,
               marker_color=[GAIN_COLOUR if d >= 0 else LOSS_COLOUR for d in diff],
               hovertemplate="class %{x}: %{y:+.3f}<extra></extra>")
    )
    fig.update_layout(title=f"Per-class F1: {name_b} minus {name_a}",
                      xaxis={"type": "category", "title": "class"},
                      yaxis={"title": f"F1 gain of {name_b}"})
    return fig


def comparison_bars(
    table: pd.DataFrame, metrics: Sequence[str] = ("accuracy", "macro_f1", "top3_accuracy")
) -> go.Figure:
    """Headline metrics of each contender side by side (table from comparison.compare)."""
    fig = go.Figure()
    for metric in metrics:
        fig.add_trace(go.Bar(x=[str(n) for n in table.index], y=table[metric], name=metric,
                             text=[f"{v:.3f}" for v in table[metric]], textposition="auto"))
    fig.update_layout(barmode="group", title="Test metrics", yaxis={"range": [0, 1]})
    return fig


def image_grid(
    images: np.ndarray, captions: Sequence[str] | None = None, columns: int = 8
) -> go.Figure:
    """A few 28x28 images in a grid with captions (ink white on black, as EMNIST stores it)."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise DataError(f"expected a stack of images (N, H, W); got shape {images.shape}")
    captions = list(captions) if captions is not None else [""] * len(images)
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=captions,
                        horizontal_spacing=0.01, vertical_spacing=0.08 / max(rows, 1))
    for index, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(z=image, colorscale="gray", zmin=0, zmax=255, showscale=False,
                       hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>"),
            row=index // columns + 1, col=index % columns + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=max(160, 130 * rows), margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return fig


def probability_bars(top: Sequence[tuple[str, float]], title: str = "") -> go.Figure:
    """Horizontal bars of top-k (class, probability), most probable at the top."""
    classes = [str(c) for c, _ in top]
    probs = [float(p) for _, p in top]
    fig = go.Figure(
        go.Bar(x=probs, y=classes, orientation="h", text=[f"{p:.1%}" for p in probs],
               textposition="auto", hovertemplate="%{y}: %{x:.1%}<extra></extra>")
    )
    fig.update_layout(title=title or None, xaxis={"range": [0, 1], "title": "probability"},
                      yaxis={"autorange": "reversed", "type": "category"},
                      height=60 + 40 * max(1, len(top)), margin={"l": 10, "r": 10, "t": 40})
    return fig
