"""Training curves as plotly figures: per-epoch and per-batch loss and accuracy, overlaid runs.

Every function takes plain data (history dicts or lists) and returns a
`plotly.graph_objects.Figure`, so the dashboard shows it with `st.plotly_chart` and a
notebook with `fig.show()`. Nothing here computes a metric.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TRAIN_COLOUR, VAL_COLOUR = "#1f77b4", "#ff7f0e"
GAIN_COLOUR, LOSS_COLOUR = "#2ca02c", "#d62728"
METRIC_LABELS = {
    "loss": "loss",
    "accuracy": "accuracy",
    "val_loss": "validation loss",
    "ce": "cross-entropy",
    "val_ce": "validation cross-entropy",
    "val_accuracy": "validation accuracy",
    "learning_rate": "learning rate",
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
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        name="train per batch",
        legendgroup="batch",
        showlegend=first,
        opacity=0.5,
        line={"color": TRAIN_COLOUR, "width": 1},
    )


def loss_keys(series: Mapping[str, list]) -> tuple[str, str]:
    """(train, validation) keys of the loss panel: plain cross-entropy where recorded (the same
    for every run), else the older runs' training objective."""
    return (
        ("ce", "val_ce")
        if _drawable(series.get("val_ce") or series.get("ce"))
        else (
            "loss",
            "val_loss",
        )
    )


def training_curves(
    history: History,
    title: str = "",
    batches: Sequence[Mapping[str, float]] | None = None,
    objective: str = "training objective",
) -> go.Figure:
    """Loss and accuracy per epoch, train against validation, side by side.

    history : per-epoch loss, accuracy, val_loss, val_accuracy in any shape
    per_epoch_series reads (any missing series is simply not drawn, e.g. while the first
    epoch is still running).
    batches : optional per-batch progress events, drawn as thin "train per batch" lines
    at fractional epochs under the per-epoch curves (the live training panel).
    objective : what the training loss is (models.build.objective_label); where the history
    records plain cross-entropy the loss panel shows that, and the objective dotted.
    """
    series = per_epoch_series(history)
    train_key, val_key = loss_keys(series)
    plain = train_key == "ce"
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Cross-entropy" if plain else objective, "Accuracy")
    )
    for col, (metric, pair) in enumerate(
        (("loss", (train_key, val_key)), ("accuracy", ("accuracy", "val_accuracy"))), start=1
    ):
        live = _batch_trace(batches or [], metric, first=col == 1)
        if live is not None:
            fig.add_trace(live, row=1, col=col)
        for key, colour, label in (
            (pair[0], TRAIN_COLOUR, "train"),
            (pair[1], VAL_COLOUR, "validation"),
        ):
            values = series.get(key) or []
            if _drawable(values):
                fig.add_trace(
                    go.Scatter(
                        x=_epoch_axis(series, values),
                        y=values,
                        mode="lines+markers",
                        name=label,
                        legendgroup=label,
                        showlegend=col == 1,
                        line={"color": colour},
                    ),
                    row=1,
                    col=col,
                )
        fig.update_xaxes(title_text="epoch", row=1, col=col)
    if plain and _drawable(series.get("loss")):
        fig.add_trace(_objective_trace(series, objective), row=1, col=1)
    fig.update_layout(title=title or None, hovermode="x unified")
    return fig


def _objective_trace(series: Mapping[str, list], objective: str) -> go.Scatter:
    values = series["loss"]
    return go.Scatter(
        x=_epoch_axis(series, values),
        y=values,
        mode="lines",
        name=objective,
        line={"color": TRAIN_COLOUR, "dash": "dot"},
    )


def overlaid_curves(histories: Mapping[str, History], metric: str = "val_accuracy") -> go.Figure:
    """One metric of several runs on one chart (the Compare page's validation curves).

    A run without that metric (e.g. trained without a validation split) is left out.
    """
    fig = go.Figure()
    for name, history in histories.items():
        series = per_epoch_series(history)
        values = series.get(metric) or []
        if _drawable(values):
            fig.add_trace(
                go.Scatter(x=_epoch_axis(series, values), y=values, mode="lines+markers", name=name)
            )
    label = METRIC_LABELS.get(metric, metric)
    fig.update_layout(
        title=f"{label.capitalize()} per epoch",
        xaxis_title="epoch",
        yaxis_title=label,
        hovermode="x unified",
    )
    return fig
