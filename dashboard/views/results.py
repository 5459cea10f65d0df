"""Results page: how good one saved run is, and where it goes wrong."""

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.components import charts, handoff
from dashboard.components.images import image_grid
from dashboard.session import data_source, saved_runs, train_jobs
from emnist_core.errors import EmnistError
from emnist_core.models.objective import objective_label
from emnist_core.plots import evaluation as evaluation_plots
from emnist_core.plots import training as training_plots


def pick_run_ui(runs: list):
    """Run picker; the default is the first run in focus."""
    focus = saved_runs.focus_runs()
    ids = [run.run_id for run in runs]
    default = ids.index(focus[0].run_id) if focus and focus[0].run_id in ids else 0
    by_id = {run.run_id: run for run in runs}
    chosen = st.selectbox(
        "Run",
        ids,
        index=default,
        format_func=lambda rid: saved_runs.label(by_id[rid]),
        key="results_run",
    )
    saved_runs.report_deleted("results", ids, showing=[chosen])
    return by_id[chosen]


def headline_ui(run, evaluation) -> None:
    if run.status == "stopped":
        st.warning("This run was stopped before it finished: a partial model.")
    cols = st.columns(6)
    cols[0].metric("Test accuracy", f"{evaluation.accuracy:.2%}")
    cols[1].metric("Top-3 accuracy", f"{evaluation.top3_accuracy:.2%}")
    cols[2].metric("Macro F1", f"{evaluation.macro_f1:.3f}")
    cols[3].metric("Test loss", f"{evaluation.loss:.3f}")
    cols[4].metric("Parameters", f"{run.params or 0:,}")
    seconds = run.train_seconds
    cols[5].metric(
        "Training time",
        train_jobs.format_seconds(seconds, compact=True) if seconds is not None else "?",
        help=None
        if seconds is None
        else f"{seconds:,.1f} s: any pen drawings, then every epoch (loading the data not counted)",
    )


def curves_ui(run) -> None:
    if not training_plots.has_curves(run.history):
        st.info("This run has no per-epoch history (stopped in its first epoch).")
        return
    st.plotly_chart(
        training_plots.training_curves(
            run.history, title=run.name, objective=objective_label(run.config)
        ),
        key="results_curves",
    )


def calibration_ui(run, evaluation) -> None:
    """How far the model's confidence can be trusted: the reliability diagram and its ECE."""
    from emnist_core.evaluation.calibration import reliability_bins

    st.subheader("Can its confidence be trusted?")
    table = reliability_bins(evaluation.confidence, evaluation.correct)
    st.plotly_chart(
        evaluation_plots.reliability_diagram(table, evaluation.ece), key="results_reliability"
    )
    report = run.calibration
    if report is not None:
        st.caption(
            f"Temperature T = {report.temperature:.2f} (fitted on the {report.fitted_on} split) "
            f"took the test ECE from {report.ece_before:.3f} to {report.ece:.3f} "
            f"and the test cross-entropy from {report.nll_before:.3f} to {report.nll:.3f}."
        )
    else:
        st.caption("This run has no fitted temperature (no validation split, or an older run).")


def selected_cell(event, classes: list[str]) -> tuple[int, int] | None:
    """(true, predicted) label indices of the heatmap cell the user clicked, if any."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return None
    point = points[0]
    return classes.index(str(point["y"])), classes.index(str(point["x"]))


def confusion_ui(evaluation, dataset) -> None:
    """Heatmap; clicking a cell (or choosing it below) shows the test images behind it."""
    st.subheader("Confusion matrix")
    normalise = (
        st.radio("Show", ("counts", "row-normalised"), horizontal=True, key="results_norm")
        != "counts"
    )
    figure = charts.clickable_cells(
        evaluation_plots.confusion_heatmap(
            evaluation.confusion, evaluation.classes, normalize=normalise
        )
    )
    figure.update_layout(title=None, margin={"t": 30})  # the subheader and radio say it
    event = st.plotly_chart(
        figure, on_select="rerun", selection_mode="points", key="results_confusion"
    )
    cell = selected_cell(event, evaluation.classes)
    pairs = evaluation.confused_pairs(top=10)
    st.caption("Click a cell, or pick a true/predicted pair here:")
    left, right = st.columns(2)
    default_true, default_pred = cell or (
        (
            evaluation.classes.index(pairs["true"][0]),
            evaluation.classes.index(pairs["predicted"][0]),
        )
        if len(pairs)
        else (0, 0)
    )
    true_label, pred_label = (
        column.selectbox(
            f"{role} class",
            range(evaluation.num_classes),
            index=default,
            format_func=lambda i: evaluation.classes[i],
            key=f"results_{prefix}_{cell}",
        )
        for column, role, prefix, default in (
            (left, "True", "true", default_true),
            (right, "Predicted", "pred", default_pred),
        )
    )
    cell_images_ui(evaluation, dataset, true_label, pred_label)


def cell_images_ui(evaluation, dataset, true_label: int, pred_label: int) -> None:
    indices = evaluation.cell_indices(true_label, pred_label)
    classes = evaluation.classes
    st.markdown(
        f"**{len(indices)} test image(s)** of **{classes[true_label]}** predicted as "
        f"**{classes[pred_label]}**" + (" (first 40)" if len(indices) > 40 else "")
    )
    shown = indices[:40]
    if len(shown):
        image_grid(
            [dataset.test.images[i] for i in shown],
            [f"{evaluation.confidence[i]:.0%}" for i in shown],
        )


def tables_ui(evaluation) -> pd.DataFrame:
    from emnist_core.evaluation.metrics import per_class_frame

    left, right = st.columns([3, 2])
    frame = per_class_frame(evaluation)
    left.subheader("Per class (click a header to sort)")
    left.dataframe(frame.round(3), hide_index=True, key="results_per_class", height=400)
    right.subheader("Most confused pairs")
    right.dataframe(evaluation.confused_pairs(top=15), hide_index=True, key="results_pairs")
    return frame


def gallery_ui(evaluation, dataset) -> None:
    st.subheader("Sample predictions")
    rng = np.random.default_rng(st.session_state.get("results_gallery_seed", 0))
    if st.button("Show other samples", key="results_gallery_redraw"):
        st.session_state["results_gallery_seed"] = (
            st.session_state.get("results_gallery_seed", 0) + 1
        )
    classes = evaluation.classes
    for title, pool in (
        ("Right", np.flatnonzero(evaluation.correct)),
        ("Wrong", evaluation.misclassified_indices),
    ):
        shown = rng.choice(pool, size=min(16, len(pool)), replace=False) if len(pool) else []
        st.markdown(f"**{title}** ({len(pool)} of {len(evaluation.y_true)})")
        if len(shown):
            image_grid(
                [dataset.test.images[i] for i in shown],
                [
                    f"{classes[evaluation.predicted[i]]} {evaluation.confidence[i]:.0%}"
                    + ("" if evaluation.correct[i] else f" (is {classes[evaluation.y_true[i]]})")
                    for i in shown
                ],
            )


def downloads_ui(run, evaluation, per_class: pd.DataFrame) -> None:
    st.subheader("Downloads")
    left, right = st.columns(2)
    summary = pd.DataFrame(
        [{"class": "ALL (macro)", **{k: v for k, v in evaluation.summary().items()}}]
    )
    csv = pd.concat([summary, per_class], ignore_index=True).to_csv(index=False)
    left.download_button(
        "Metrics (CSV)",
        csv,
        file_name=f"{run.run_id}-metrics.csv",
        mime="text/csv",
        key="results_dl_metrics",
    )
    model_file = run.model_path
    if model_file.exists():
        right.download_button(
            "Model file (.keras)",
            model_file.read_bytes(),
            file_name=f"{run.run_id}.keras",
            key="results_dl_model",
        )


def main() -> None:
    st.title("Results")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    runs = saved_runs.usable(saved_runs.list_runs())
    saved_runs.report_deleted("results", [run.run_id for run in runs])
    if not runs:
        train_jobs.quick_offer_ui("results")
        return
    run = pick_run_ui(runs)
    try:
        evaluation = saved_runs.evaluation(
            saved_runs.runs_dir_key(), run.run_id, data_source.current_data().key, dataset
        )
    except EmnistError as error:
        data_source.show_error(error)
        return
    st.caption("All numbers below are on the test split of the data source in the sidebar.")
    headline_ui(run, evaluation)
    curves_ui(run)
    calibration_ui(run, evaluation)
    per_class = tables_ui(evaluation)
    confusion_ui(evaluation, dataset)
    gallery_ui(evaluation, dataset)
    downloads_ui(run, evaluation, per_class)
    handoff.export_ui(run, "results")
    handoff.report_ui([run], dataset, "results")


main()
