"""Compare page: two or more runs side by side, and whether the CNN's lead is real (McNemar)."""

import streamlit as st

from dashboard.components import handoff
from dashboard.components.images import image_grid
from dashboard.session import data_source, saved_runs, train_jobs
from emnist_core.errors import EmnistError
from emnist_core.plots import evaluation as evaluation_plots
from emnist_core.plots import training as training_plots

WHY_CNN = (
    "**Why the CNN usually wins.** An MLP sees 784 unrelated numbers: a stroke moved by two "
    "pixels is a new input to it. A CNN slides the same small filters over the whole image and "
    "pools their answers, so it recognises a stroke wherever it is, with far fewer weights per "
    "feature. The gains show up on shapes told apart by local detail (the classes with the "
    "tallest green bars below)."
)


@st.cache_data(show_spinner="Timing single-image prediction...", max_entries=16)
def latency_ms(runs_dir: str, run_id: str) -> float:
    """Median milliseconds for one image, as the Draw page calls the model."""
    from emnist_core.evaluation.compare import measure_latency_ms

    return measure_latency_ms(saved_runs.load_model(runs_dir, run_id), repeats=30, warmup=5)


def pick_runs_ui(runs: list) -> list:
    by_id = {run.run_id: run for run in runs}
    default = [run.run_id for run in saved_runs.focus_runs() if run.run_id in by_id]
    if len(default) < 2:
        default = (
            saved_runs.default_focus(runs)
            if len(saved_runs.default_focus(runs)) >= 2
            else list(by_id)[:2]
        )
    chosen = st.multiselect(
        "Runs to compare (the first is the reference)",
        list(by_id),
        default=default,
        format_func=lambda rid: saved_runs.label(by_id[rid]),
        key="compare_runs",
    )
    saved_runs.report_deleted("compare", list(by_id), showing=chosen)
    return [by_id[rid] for rid in chosen]


def contenders(runs: list, dataset) -> tuple[list, list]:
    """(Contenders, their runs) from cached evaluations; a run that fails shows its own error."""
    from emnist_core.evaluation.compare import Contender

    names = [run.name for run in runs]
    out, kept = [], []
    for run, name in zip(runs, names, strict=True):
        try:
            evaluation = saved_runs.evaluation(
                saved_runs.runs_dir_key(), run.run_id, data_source.current_data().key, dataset
            )
            # Saved at the end of training; older runs are timed here once.
            latency = run.latency_ms or latency_ms(saved_runs.runs_dir_key(), run.run_id)
        except EmnistError as error:
            saved_runs.run_error(run, error)
            continue
        out.append(
            Contender(
                name=name if names.count(name) == 1 else f"{name} ({run.run_id})",
                evaluation=evaluation,
                params=run.params,
                train_seconds=run.train_seconds,
                seconds_per_epoch=run.seconds_per_epoch,
                latency_ms=latency,
            )
        )
        kept.append(run)
    return out, kept


def pair_ui(pair, dataset, classes: list[str], evaluations: dict) -> None:
    st.subheader(f"{pair.name_b} against {pair.name_a}")
    verdict = st.success if pair.mcnemar.significant else st.info
    verdict(pair.sentence)
    st.caption(
        f"McNemar's test ({pair.mcnemar.method}): {pair.mcnemar.only_a} images only "
        f"{pair.name_a} gets right, {pair.mcnemar.only_b} only {pair.name_b} gets right; "
        f"p = {pair.mcnemar.p_value:.3g}."
    )
    st.plotly_chart(
        evaluation_plots.f1_difference_bars(pair.f1_differences, pair.name_a, pair.name_b),
        key=f"compare_f1_{pair.name_a}_{pair.name_b}",
    )
    for winner, loser, indices in (
        (pair.name_b, pair.name_a, pair.only_b_right),
        (pair.name_a, pair.name_b, pair.only_a_right),
    ):
        st.markdown(
            f"**{winner} right, {loser} wrong** ({len(indices)} images; first 24 shown, "
            f"caption: what {loser} said)"
        )
        shown = indices[:24]
        if len(shown):
            image_grid(
                [dataset.test.images[i] for i in shown],
                [
                    f"{classes[evaluations[winner].y_true[i]]} "
                    f"(≠ {classes[evaluations[loser].predicted[i]]})"
                    for i in shown
                ],
            )


def main() -> None:
    st.title("Compare runs")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    runs = saved_runs.usable(saved_runs.list_runs())
    saved_runs.report_deleted("compare", [run.run_id for run in runs])
    families = {run.family for run in runs}
    if len(runs) < 2:
        train_jobs.quick_offer_ui(
            "compare", tuple(f for f in ("mlp", "cnn") if f not in families) or ("mlp", "cnn")
        )
        return
    chosen = pick_runs_ui(runs)
    if len(chosen) < 2:
        st.info("Pick at least two runs to compare.")
        return
    from emnist_core.evaluation.compare import compare

    items, chosen = contenders(chosen, dataset)
    if len(items) < 2:
        st.info("Fewer than two of the chosen runs could be read; pick others to compare.")
        return
    try:
        result = compare(items)
    except EmnistError as error:
        data_source.show_error(error)
        return
    table = result.table.rename(columns={"loss": "test cross-entropy", "ece": "test ECE"})
    st.dataframe(table.style.format(precision=4, na_rep="?"), key="compare_table")
    histories = {item.name: run.history for item, run in zip(items, chosen, strict=True)}
    left, right = st.columns(2)
    left.plotly_chart(
        training_plots.overlaid_curves(histories, "val_accuracy"), key="compare_val_acc"
    )
    plain = all(history.get("val_ce") for history in histories.values())
    right.plotly_chart(
        training_plots.overlaid_curves(histories, "val_ce" if plain else "val_loss"),
        key="compare_val_loss",
    )
    if not plain:
        right.caption(
            "Some runs predate the plain cross-entropy record, so this shows each run's own "
            "training objective, which label smoothing or logit adjustment make incomparable."
        )
    st.markdown(WHY_CNN)
    evaluations = {item.name: item.evaluation for item in items}
    for pair in result.pairs:
        pair_ui(pair, dataset, dataset.classes, evaluations)
    handoff.report_ui(chosen, dataset, "compare")


main()
