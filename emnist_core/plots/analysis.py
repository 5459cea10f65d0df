"""Plotly figures for the "why CNNs win" analyses: robustness, efficiency, embeddings, insides.

Like figures.py, every function takes data the analysis modules returned and gives back
a `plotly.graph_objects.Figure`; nothing here measures anything. Sizes and fonts are
set for projection in a classroom (large text, few lines per plot).
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from emnist_core.analysis.inspection import heat_overlay
from emnist_core.analysis.robustness import PERTURBATIONS, UNITS
from emnist_core.errors import DataError

FAMILY_COLOURS = {"mlp": "#d62728", "cnn": "#1f77b4"}
RUN_COLOURS = qualitative.D3
CLASS_COLOURS = qualitative.Alphabet + qualitative.Dark24  # 50 distinct colours for 47 classes
FONT = {"size": 16}
TITLES = {
    "shift": "Shift (pixels)",
    "rotation": "Rotation (degrees)",
    "scale": "Scale (factor)",
    "stroke": "Stroke width (steps)",
    "noise": "Pixel noise (std)",
}


def _run_colour(name: str, index: int, families: dict[str, str] | None) -> str:
    family = (families or {}).get(name)
    return FAMILY_COLOURS.get(family, RUN_COLOURS[index % len(RUN_COLOURS)])


def _curve(rows: pd.DataFrame, run: str, colour: str, legend: bool) -> go.Scatter:
    """One run's accuracy (percent) against the levels of one perturbation."""
    return go.Scatter(
        x=rows["level"],
        y=rows["accuracy"] * 100,
        mode="lines+markers",
        name=run,
        legendgroup=run,
        showlegend=legend,
        line={"color": colour, "width": 3},
        marker={"size": 8},
        hovertemplate=f"{run}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
    )


def robustness_figure(
    frame: pd.DataFrame,
    families: dict[str, str] | None = None,
    perturbations: Sequence[str] | None = None,
) -> go.Figure:
    """One panel per perturbation, accuracy against level, one line per run on shared axes.

    families maps run name to 'mlp'/'cnn' so the MLP is always red and the CNN blue.
    """
    shown = [p for p in (perturbations or PERTURBATIONS) if p in set(frame["perturbation"])]
    if not shown:
        raise DataError("the robustness frame has none of the requested perturbations")
    fig = make_subplots(
        rows=1,
        cols=len(shown),
        shared_yaxes=True,
        subplot_titles=[TITLES.get(p, p) for p in shown],
        horizontal_spacing=0.03,
    )
    for index, run in enumerate(dict.fromkeys(frame["run"])):
        colour = _run_colour(run, index, families)
        for col, perturbation in enumerate(shown, start=1):
            rows = frame[(frame["run"] == run) & (frame["perturbation"] == perturbation)]
            fig.add_trace(_curve(rows.sort_values("level"), run, colour, col == 1), row=1, col=col)
    fig.update_yaxes(title_text="test accuracy (%)", range=[0, 100], row=1, col=1)
    for col, perturbation in enumerate(shown, start=1):
        fig.update_xaxes(title_text=UNITS[perturbation], row=1, col=col)
    fig.update_layout(
        height=420,
        font=FONT,
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 50, "b": 10, "l": 10, "r": 10},
    )
    return fig


def _front_lines(rows: pd.DataFrame, cost: str) -> list[go.Scatter]:
    """Rings on each data source's Pareto-front runs, joined cheapest first by a dotted line."""
    fronts = rows[rows[f"pareto_{cost}"]].groupby("data", sort=False)
    lines = []
    for data, group in fronts:
        front = group.sort_values(cost)
        lines.append(
            go.Scatter(
                x=front[cost],
                y=front["accuracy"] * 100,
                mode="lines+markers",  # rings, so a one-run front still shows
                name="Pareto front" if fronts.ngroups == 1 else f"Pareto front ({data})",
                line={"color": "#444", "dash": "dot", "width": 2, "shape": "hv"},
                marker={"symbol": "circle-open", "size": 26, "color": "#444", "line": {"width": 2}},
                hoverinfo="skip",
            )
        )
    return lines


def efficiency_figure(table: pd.DataFrame, cost: str = "params") -> go.Figure:
    """Accuracy against parameters (log scale) or training seconds; the Pareto front joined up."""
    if cost not in ("params", "train_seconds"):
        raise DataError(f"cost must be params or train_seconds; got {cost!r}")
    rows = table[table["accuracy"].notna() & table[cost].notna()]
    fig = go.Figure()
    for family, group in rows.groupby("family", sort=True):
        fig.add_scatter(
            x=group[cost],
            y=group["accuracy"] * 100,
            mode="markers",
            name=family.upper(),
            marker={
                "size": 14,
                "color": FAMILY_COLOURS.get(family, "#7f7f7f"),
                "line": {"width": 1, "color": "white"},
            },
            text=group["name"] + " · " + group["data"],
            hovertemplate="%{text}<br>%{x:,.0f}: %{y:.1f}%<extra></extra>",
        )
    for trace in _front_lines(rows, cost):
        fig.add_trace(trace)
    label = "parameters (log scale)" if cost == "params" else "training time (seconds)"
    fig.update_layout(
        height=420,
        font=FONT,
        xaxis_title=label,
        yaxis_title="test accuracy (%)",
        margin={"t": 30, "b": 10, "l": 10, "r": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    if cost == "params":
        fig.update_xaxes(type="log")
    return fig


def embeddings_figure(representations: Sequence, classes: Sequence[str]) -> go.Figure:
    """The 2-D embeddings side by side, each point coloured (and hover-labelled) by its class."""
    if not representations:
        raise DataError("no embeddings to draw")
    titles = [
        f"{rep.name}: kNN {rep.knn_accuracy:.0%}, silhouette {rep.silhouette:.2f}"
        for rep in representations
    ]
    fig = make_subplots(
        rows=1, cols=len(representations), subplot_titles=titles, horizontal_spacing=0.04
    )
    for col, rep in enumerate(representations, start=1):
        chars = np.array([classes[label] for label in rep.labels])
        colours = [CLASS_COLOURS[label % len(CLASS_COLOURS)] for label in rep.labels]
        fig.add_scatter(
            x=rep.points[:, 0],
            y=rep.points[:, 1],
            mode="markers+text",
            text=chars,
            textfont={"size": 9, "color": colours},
            marker={"size": 5, "color": colours, "opacity": 0.5},
            hovertemplate="class %{text}<extra></extra>",
            showlegend=False,
            row=1,
            col=col,
        )
        fig.update_xaxes(showticklabels=False, row=1, col=col)
        fig.update_yaxes(showticklabels=False, row=1, col=col)
    fig.update_layout(height=520, font=FONT, margin={"t": 50, "b": 10, "l": 10, "r": 10})
    return fig


def tile(images: np.ndarray, columns: int = 8, pad: int = 1) -> np.ndarray:
    """Arrange (N, h, w) maps in a grid, `pad` NaN pixels apart (NaN shows as background)."""
    images = np.asarray(images, dtype=np.float32)
    count, height, width = images.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    out = np.full((rows * (height + pad) - pad, columns * (width + pad) - pad), np.nan, np.float32)
    for index, image in enumerate(images):
        r, c = divmod(index, columns)
        out[
            r * (height + pad) : r * (height + pad) + height,
            c * (width + pad) : c * (width + pad) + width,
        ] = image
    return out


def _per_map_scaled(maps: np.ndarray) -> np.ndarray:
    """Each map scaled to [0, 1] on its own, so a weak but shaped response stays visible."""
    maps = np.asarray(maps, dtype=np.float32)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.0)


def grid_figure(
    images: np.ndarray,
    title: str,
    columns: int = 8,
    diverging: bool = False,
    height: int | None = None,
) -> go.Figure:
    """A grid of small maps as one heatmap: feature maps (grey), or weights (red-blue, 0 white)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or len(images) == 0:
        raise DataError(f"expected maps of shape (N, h, w); got {images.shape}")
    if diverging:
        bound = float(np.abs(images).max()) or 1.0
        z, scale, zmin, zmax = tile(images, columns), "RdBu", -bound, bound
    else:
        z, scale, zmin, zmax = tile(_per_map_scaled(images), columns), "gray", 0.0, 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=scale,
            zmin=zmin,
            zmax=zmax,
            showscale=False,
            hovertemplate="%{z:.3f}<extra></extra>",
        )
    )
    ratio = z.shape[0] / z.shape[1]  # the grid keeps square pixels, so height follows the width
    fig.update_layout(
        title=title,
        font=FONT,
        height=height or int(60 + 340 * min(ratio, 2.0)),
        margin={"t": 40, "b": 5, "l": 5, "r": 5},
    )
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    return fig


def overlay_figure(image: np.ndarray, heat: np.ndarray, title: str) -> go.Figure:
    """The 28x28 input with a [0, 1] heatmap painted over it (red-yellow where it mattered)."""
    fig = go.Figure(go.Image(z=heat_overlay(image, heat), hoverinfo="skip"))
    fig.update_layout(title=title, font=FONT, height=340, margin={"t": 40, "b": 5, "l": 5, "r": 5})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
