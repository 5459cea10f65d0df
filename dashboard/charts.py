"""Plotly figures for pages, preferring emnist_core.figures where it has one.

Computing stays in emnist_core; these only draw data the library returned.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def history_frame(history) -> pd.DataFrame:
    """A run's per-epoch history (dict of lists or list of dicts) as a frame with 'epoch'."""
    if isinstance(history, dict) and "epochs" in history and isinstance(history["epochs"], list):
        history = history["epochs"]
    frame = pd.DataFrame(history)
    if "epoch" not in frame:
        frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    return frame


def curves(
    frames: dict[str, pd.DataFrame], metric: str, validation_only: bool = False
) -> go.Figure:
    """One metric per epoch for several runs: train solid, validation dashed."""
    figure = go.Figure()
    kinds = (("val_", "solid"),) if validation_only else (("", "solid"), ("val_", "dash"))
    for name, frame in frames.items():
        for prefix, dash in kinds:
            column = prefix + metric
            if column in frame:
                label = f"{name} {'validation' if prefix else 'train'}"
                figure.add_scatter(
                    x=frame["epoch"],
                    y=frame[column],
                    name=label,
                    mode="lines+markers",
                    line={"dash": dash},
                )
    title = f"validation {metric}" if validation_only else metric
    figure.update_layout(title=title, xaxis_title="epoch", height=320, margin={"t": 40, "b": 10})
    return figure


def confusion_heatmap(confusion: np.ndarray, classes: list[str], normalise: bool) -> go.Figure:
    """True class down, predicted across; row-normalised puts each recall on the diagonal.

    Plotly heatmaps send no selection events, so an almost invisible square marker sits
    on every cell: clicking a cell selects its marker, whose x/y name the cell.
    """
    values = confusion.astype(float)
    if normalise:
        values = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    hover = "true %{y} → predicted %{x}: %{customdata}<extra></extra>"
    figure = go.Figure(
        go.Heatmap(z=values, x=classes, y=classes, colorscale="Blues", hoverinfo="skip")
    )
    rows, cols = np.meshgrid(np.arange(len(classes)), np.arange(len(classes)), indexing="ij")
    figure.add_scatter(
        x=[classes[c] for c in cols.ravel()],
        y=[classes[r] for r in rows.ravel()],
        customdata=np.round(values.ravel(), 3),
        mode="markers",
        hovertemplate=hover,
        marker={"symbol": "square", "size": 11, "color": "#e76f51", "opacity": 0.01},
        selected={"marker": {"opacity": 0.6}},
        unselected={"marker": {"opacity": 0.01}},
        showlegend=False,
        name="cells",
    )
    figure.update_layout(
        # Fixed ranges: the marker layer must not pad the axes past the heatmap's cells.
        xaxis={
            "title": "predicted",
            "type": "category",
            "side": "top",
            "dtick": 1,
            "range": [-0.5, len(classes) - 0.5],
        },
        yaxis={
            "title": "true",
            "type": "category",
            "dtick": 1,
            "range": [len(classes) - 0.5, -0.5],
        },
        height=640,
        margin={"t": 60, "b": 10},
        clickmode="event+select",
    )
    return figure
