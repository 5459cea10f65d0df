"""Evaluation figures: confusion heatmap, per-class and comparison bars, image grids.

Every function takes data the evaluation package returned (arrays, data frames) and
returns a `plotly.graph_objects.Figure`. Nothing here computes a metric.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from emnist_core.errors import DataError

GAIN_COLOUR, LOSS_COLOUR = "#2ca02c", "#d62728"


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
        [
            f"true {labels[i]} -> predicted {labels[j]}<br>{counts[i, j]} images "
            f"({shares[i, j]:.1%} of {labels[i]})"
            for j in range(len(labels))
        ]
        for i in range(len(labels))
    ]
    fig = go.Figure(
        go.Heatmap(
            z=shares if normalize else counts,
            x=labels,
            y=labels,
            text=hover,
            hoverinfo="text",
            colorscale="Blues",
            colorbar={"title": "share of row" if normalize else "images"},
        )
    )
    fig.update_layout(
        title="Confusion matrix" + (" (row-normalised)" if normalize else " (counts)"),
        xaxis={"title": "predicted", "type": "category", "tickmode": "linear"},
        yaxis={"title": "true", "type": "category", "autorange": "reversed", "tickmode": "linear"},
    )
    return fig


def per_class_bars(
    frame: pd.DataFrame, metrics: Sequence[str] = ("precision", "recall", "f1")
) -> go.Figure:
    """Grouped bars per class (frame from evaluation.per_class_frame)."""
    fig = go.Figure()
    for metric in metrics:
        fig.add_trace(go.Bar(x=frame["class"].astype(str), y=frame[metric], name=metric))
    fig.update_layout(
        barmode="group",
        title="Per-class scores",
        yaxis={"range": [0, 1]},
        xaxis={"type": "category", "title": "class"},
    )
    return fig


def f1_difference_bars(frame: pd.DataFrame, name_a: str, name_b: str) -> go.Figure:
    """Per-class F1 of B minus A (frame from comparison.f1_differences): green where B wins."""
    diff = frame["difference"].to_numpy()
    fig = go.Figure(
        go.Bar(
            x=frame["class"].astype(str),
            y=diff,
            marker_color=[GAIN_COLOUR if d >= 0 else LOSS_COLOUR for d in diff],
            hovertemplate="class %{x}: %{y:+.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Per-class F1: {name_b} minus {name_a}",
        xaxis={"type": "category", "title": "class"},
        yaxis={"title": f"F1 gain of {name_b}"},
    )
    return fig


def comparison_bars(
    table: pd.DataFrame, metrics: Sequence[str] = ("accuracy", "macro_f1", "top3_accuracy")
) -> go.Figure:
    """Headline metrics of each contender side by side (table from comparison.compare)."""
    fig = go.Figure()
    for metric in metrics:
        fig.add_trace(
            go.Bar(
                x=[str(n) for n in table.index],
                y=table[metric],
                name=metric,
                text=[f"{v:.3f}" for v in table[metric]],
                textposition="auto",
            )
        )
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
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=captions,
        horizontal_spacing=0.01,
        vertical_spacing=0.08 / max(rows, 1),
    )
    for index, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(
                z=image,
                colorscale="gray",
                zmin=0,
                zmax=255,
                showscale=False,
                hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
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
        go.Bar(
            x=probs,
            y=classes,
            orientation="h",
            text=[f"{p:.1%}" for p in probs],
            textposition="auto",
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or None,
        xaxis={"range": [0, 1], "title": "probability"},
        yaxis={"autorange": "reversed", "type": "category"},
        height=60 + 40 * max(1, len(top)),
        margin={"l": 10, "r": 10, "t": 40},
    )
    return fig


def reliability_diagram(table: pd.DataFrame, ece: float | None = None) -> go.Figure:
    """Accuracy against confidence per bin (calibration.reliability_table), with the diagonal a
    calibrated model would follow; bar width is the bin, hover gives the image count."""
    filled = table[table["count"] > 0]
    centres = (filled["lower"] + filled["upper"]) / 2
    width = float((table["upper"] - table["lower"]).iloc[0]) if len(table) else 0.1
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=centres,
            y=filled["accuracy"],
            width=width * 0.95,
            name="accuracy in bin",
            marker_color=GAIN_COLOUR,
            customdata=np.stack([filled["count"], filled["confidence"]], axis=-1),
            hovertemplate="accuracy %{y:.1%}<br>mean confidence %{customdata[1]:.1%}"
            "<br>%{customdata[0]} images<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="calibrated",
            line={"dash": "dash", "color": "grey"},
        )
    )
    title = "Reliability: how often the model is right when it is this sure"
    if ece is not None:
        title += f" (ECE {ece:.3f})"
    fig.update_layout(
        title=title,
        xaxis={"title": "confidence", "range": [0, 1], "tickformat": ".0%"},
        yaxis={"title": "accuracy", "range": [0, 1], "tickformat": ".0%"},
        bargap=0,
    )
    return fig
