"""Draw page: draw (or upload) a character and watch the MLP and CNN guess it side by side."""

import time

import numpy as np
import streamlit as st

from dashboard.components import canvas, inside_model
from dashboard.components.drawing import MAX_UPLOAD_BYTES, to_pixels
from dashboard.components.images import image_grid
from dashboard.session import class_limits, saved_runs, train_jobs
from emnist_core.data.stats import drawn_look_alike
from emnist_core.errors import EmnistError

MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20  # server-wide: server.maxUploadSize
HINT = "Draw a character on the black square (one letter or digit, as large as the box)."
LOOK_ALIKE_NOTE = (
    "**{first}** or **{second}**? In EMNIST's scans these differ mostly in the grey of the "
    "stroke, which a pen drawing does not have, so either answer is a fair reading of it."
)
L_HOLDS_LOWER_L = " (In this split, L also holds the lower-case l.)"


def models_in_focus() -> list:
    """The first MLP and first CNN among the runs in focus (either may be missing)."""
    focus = saved_runs.focus_runs()
    chosen = [next((run for run in focus if run.family == fam), None) for fam in ("mlp", "cnn")]
    return [run for run in chosen if run is not None]


def input_ui():
    """Canvas or upload; returns the raw image (array or file) or None when there is nothing yet."""
    mode = st.radio("Input", ("Draw", "Upload an image"), horizontal=True, key="draw_mode")
    if mode == "Upload an image":
        upload = st.file_uploader(
            "Image file (PNG, JPG, ...), dark-on-light or light-on-dark",
            type=["png", "jpg", "jpeg", "bmp", "gif", "webp"],
            key="draw_upload",
            max_upload_size=MAX_UPLOAD_MB,
        )
        if upload is not None:
            try:
                class_limits.check_upload(upload.size)
            except EmnistError as error:
                st.error(str(error))
                return None
        return upload
    width = st.slider(
        "Stroke width",
        5,
        40,
        20,
        key="draw_stroke",
        help="EMNIST strokes are thick; around 20 on this 280-pixel canvas matches them.",
    )
    drawing = canvas.draw_canvas(width, key="draw_canvas")
    st.caption("The toolbar above the canvas undoes, redoes or clears (bin icon) your strokes.")
    return drawing


def top5_ui(column, run, pixels: np.ndarray) -> tuple[float, tuple[str, str] | None]:
    """One model's top-5 classes with probability bars; returns the prediction time in ms
    and the look-alike pair its first two guesses make, if any (drawn_look_alike)."""
    predictor = saved_runs.predictor(saved_runs.runs_dir_key(), run.run_id)
    started = time.perf_counter()
    top = predictor.predict_top(pixels, k=5)
    elapsed_ms = (time.perf_counter() - started) * 1000
    column.markdown(f"**{run.family.upper()}** · {run.name}")
    column.markdown(f"### {top[0][0]}  \n{top[0][1]:.0%} sure")
    for character, probability in top:  # plain progress bars render fast, unlike a data grid
        column.progress(probability, text=f"{character}: {probability:.1%}")
    return elapsed_ms, drawn_look_alike(top, predictor.classes)


def predictions_ui(runs: list, raw) -> None:
    """Preprocess once, then predict with every model in focus."""
    if raw is None:
        st.info(HINT)
        return
    from emnist_core.inference.preprocess import EmptyDrawingError

    try:
        pixels = to_pixels(raw)
    except EmptyDrawingError:
        st.info(HINT)
        return
    except EmnistError as error:
        st.error(str(error))
        return
    left, *columns = st.columns([1] + [2] * len(runs))
    image_grid([pixels], ["What the models see (28x28)"], side=112, where=left)
    answers = [top5_ui(column, run, pixels) for column, run in zip(columns, runs, strict=True)]
    st.caption("Model time: " + ", ".join(f"{ms:.1f} ms" for ms, _ in answers))
    for first, second in sorted({pair for _, pair in answers if pair is not None}):
        note = LOOK_ALIKE_NOTE.format(first=first, second=second)
        st.caption(note + (L_HOLDS_LOWER_L if "L" in (first, second) else ""))
    # The answer above is on screen before anything below runs; the panel costs several
    # model passes per stroke, so it is computed only when asked for, in its own fragment.
    if st.toggle("Look inside the models", key="draw_inside"):
        inside_panel(runs, pixels)


@st.fragment
def inside_panel(runs: list, pixels: np.ndarray) -> None:
    """The panel as a fragment of its own: its sliders rerun it, not the predictions."""
    inside_model.inside_model_ui(runs, pixels)


def main() -> None:
    st.title("Draw a character")
    runs = models_in_focus()
    if not runs:
        train_jobs.quick_offer_ui("draw")
        return
    if len(runs) == 1:
        st.caption(
            f"Only a {runs[0].family.upper()} is in focus; pick runs in the sidebar to compare."
        )
    runs = loadable(runs)
    if runs:
        drawing_area(runs)


def loadable(runs: list) -> list:
    """Load and warm up each model before the first stroke, so each stroke answers fast.

    A model that fails to load gets its own error box; the others keep working.
    """
    ready = []
    for run in runs:
        try:
            saved_runs.predictor(saved_runs.runs_dir_key(), run.run_id)
        except EmnistError as error:
            saved_runs.run_error(run, error)
            continue
        ready.append(run)
    return ready


@st.fragment
def drawing_area(runs: list) -> None:
    """Canvas and predictions as a fragment: a stroke reruns only this, not the sidebar or page."""
    drawing, results = st.columns([1, 2])
    with drawing:
        raw = input_ui()
    with results:
        predictions_ui(runs, raw)


main()
