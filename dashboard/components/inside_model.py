"""The Draw page's "inside the models" panel: what each network computes on the current drawing.

Sliders shift and rotate the drawing; both models predict the moved drawing live, and
the feature maps, Grad-CAM and saliency follow it, so a class can watch the MLP lose
its answer while the CNN keeps it. Everything is computed by emnist_core.analysis.inspection.
"""

import numpy as np
import streamlit as st

from dashboard.components.images import enlarge
from dashboard.session import saved_runs

CNN_VIEWS = ("Feature maps", "First-layer filters")
# Small image grids need no zoom/pan toolbar, which would cover their titles and captions.
STILL = {"displayModeBar": False}


@st.cache_resource(show_spinner="Opening up the model...", max_entries=8)
def inspector(runs_dir: str, run_id: str):
    """A warmed-up Inspector (graphs traced once) for a run's model."""
    from emnist_core.analysis.inspection import Inspector

    look = Inspector(saved_runs.load_model(runs_dir, run_id))
    blank = np.zeros((28, 28), dtype=np.uint8)  # trace the graphs now, not on the first stroke
    look.feature_maps(blank)
    look.saliency(blank)
    return look


def transform_ui() -> tuple[int, int, int]:
    """Sliders for the shift (pixels right and down) and the rotation (degrees anticlockwise)."""
    right, down, turn = st.columns(3)
    dx = right.slider("Shift right (pixels)", -6, 6, 0, key="inside_shift_x")
    dy = down.slider("Shift down (pixels)", -6, 6, 0, key="inside_shift_y")
    degrees = turn.slider(
        "Rotate (degrees, + = anticlockwise)", -30, 30, 0, step=5, key="inside_rotate"
    )
    return dx, dy, degrees


def moved(pixels: np.ndarray, dx: int, dy: int, degrees: int) -> np.ndarray:
    """The 28x28 drawing turned about its centre, then shifted (the same functions as the sweep)."""
    from emnist_core.analysis import perturbations

    return perturbations.translate(perturbations.rotate(pixels, degrees), dy, dx)[0]


def describe_move(dx: int, dy: int, degrees: int) -> str:
    parts = [
        f"{abs(dx)} px {'right' if dx >= 0 else 'left'}",
        f"{abs(dy)} px {'down' if dy >= 0 else 'up'}",
    ]
    turn = (
        "not turned"
        if degrees == 0
        else f"turned {abs(degrees)}° {'anticlockwise' if degrees > 0 else 'clockwise'}"
    )
    return f"Moved {', '.join(parts)}, {turn}"


def predictions_ui(runs: list, original: np.ndarray, image: np.ndarray, move: str) -> None:
    """Each model's answer on the drawing as drawn, and on the moved drawing."""
    lines = []
    for run in runs:
        predictor = saved_runs.predictor(saved_runs.runs_dir_key(), run.run_id)
        ((before, p_before),) = predictor.predict_top(original, k=1)
        ((after, p_after),) = predictor.predict_top(image, k=1)
        verdict = "keeps its answer" if after == before else "changes its answer"
        lines.append(
            f"**{run.family.upper()}**: {before} ({p_before:.0%}) → "
            f"**{after}** ({p_after:.0%}), {verdict}"
        )
    st.markdown(f"{move}:  \n" + "  \n".join(lines))


def _columns(maps: np.ndarray) -> int:
    """4 maps a row for a few (readable in half the page), 8 for many (so the grid stays short)."""
    return 4 if len(maps) <= 16 else 8


def heat_ui(column, run, image: np.ndarray, method: str, title: str):
    """The run's heat map (grad_cam or saliency) over the image; returns the run's Inspector.

    title is a format string given the chosen class, e.g. "where '{}' was found".
    """
    from emnist_core.plots.analysis import overlay_figure

    look = inspector(saved_runs.runs_dir_key(), run.run_id)
    classes = saved_runs.predictor(saved_runs.runs_dir_key(), run.run_id).classes
    heat, chosen = getattr(look, method)(image)
    column.plotly_chart(
        overlay_figure(image, heat, title.format(classes[chosen])),
        key=f"inside_{method}_{run.run_id}",
        config=STILL,
    )
    return look


def cnn_ui(column, run, image: np.ndarray) -> None:
    from emnist_core.plots.analysis import grid_figure

    look = heat_ui(column, run, image, "grad_cam", "CNN Grad-CAM: where '{}' was found")
    view = column.radio("Show", CNN_VIEWS, horizontal=True, key="inside_cnn_view")
    if view == "First-layer filters":
        filters = look.first_filters()
        column.plotly_chart(
            grid_figure(
                filters,
                "First-layer filters (red +, blue -)",
                columns=_columns(filters),
                diverging=True,
            ),
            key=f"inside_filters_{run.run_id}",
            config=STILL,
        )
        column.caption(
            "Each filter is slid over the whole image: the same small detector at every position."
        )
        return
    maps = look.feature_maps(image)
    layer = column.selectbox("Conv layer", [m.layer for m in maps], key="inside_layer")
    chosen_maps = next(m for m in maps if m.layer == layer)
    column.plotly_chart(
        grid_figure(
            chosen_maps.maps,
            f"{layer}: {len(chosen_maps.maps)} feature maps",
            columns=_columns(chosen_maps.maps),
        ),
        key=f"inside_maps_{run.run_id}",
        config=STILL,
    )
    column.caption(
        "Bright where a filter found its pattern; move the drawing and the maps move with it."
    )


def mlp_ui(column, run, image: np.ndarray) -> None:
    from emnist_core.analysis.inspection import mlp_templates
    from emnist_core.plots.analysis import grid_figure

    look = heat_ui(column, run, image, "saliency", "MLP saliency: pixels that drove '{}'")
    column.plotly_chart(
        grid_figure(
            mlp_templates(look.model, 16),
            "First-layer weights as 28x28 templates",
            columns=4,
            diverging=True,
        ),
        key=f"inside_templates_{run.run_id}",
        config=STILL,
    )
    column.caption(
        "Each hidden unit weighs every pixel at a fixed place; a moved stroke meets other weights."
    )


def inside_model_ui(runs: list, pixels: np.ndarray) -> None:
    """The whole panel for the current 28x28 drawing and the runs in focus (MLP, CNN or both)."""
    st.subheader("Inside the models")
    dx, dy, degrees = transform_ui()
    image = moved(pixels, dx, dy, degrees)
    left, right = st.columns([1, 3])
    left.image(enlarge(image, 4), caption="The moved drawing")
    with right:
        predictions_ui(runs, pixels, image, describe_move(dx, dy, degrees))
    columns = st.columns(len(runs))
    for column, run in zip(columns, runs, strict=True):
        (cnn_ui if run.family == "cnn" else mlp_ui)(column, run, image)
