"""Why CNNs win: robustness, parameter efficiency and learned representations, for a classroom.

Each section shows one measurement for the chosen MLP and CNN and two sentences the
library writes from the measured numbers, so what is read out matches what is shown.
"""

import streamlit as st

from dashboard.session import data_source, saved_runs, train_jobs
from emnist_core.errors import EmnistError

SAMPLE_SIZES = {
    "1,000 test images (fast)": 1000,
    "2,350 test images": 2350,
    "every test image": None,
}


def same_classes(runs: list, dataset) -> list:
    """Runs trained on this data's classes: only those can be measured on its test images."""
    return [run for run in runs if run.classes in (None, list(dataset.classes))]


def pick_pair_ui(runs: list) -> tuple:
    """Select boxes for the MLP and the CNN; default: the ones in focus, else the best of each."""
    focus = saved_runs.focus_runs()
    left, right = st.columns(2)
    chosen = []
    for column, family in ((left, "mlp"), (right, "cnn")):
        options = [run for run in runs if run.family == family]
        ids = [run.run_id for run in options]
        by_id = {run.run_id: run for run in options}
        in_focus = [run.run_id for run in focus if run.run_id in by_id]  # focus may be other data
        preferred = in_focus[0] if in_focus else saved_runs.best_of(options, family).run_id
        picked = column.selectbox(
            f"{family.upper()} run",
            ids,
            index=ids.index(preferred),
            format_func=lambda rid, by_id=by_id: saved_runs.label(by_id[rid]),
            key=f"why_{family}",
        )
        chosen.append(by_id[picked])
    return tuple(chosen)


@st.cache_data(show_spinner="Embedding test images in the last hidden layer...", max_entries=16)
def representation(
    runs_dir: str, run_id: str, name: str, data_key: str, per_class: int, method: str, _dataset
):
    """One run's projected penultimate-layer embedding of a balanced test sample."""
    from emnist_core.analysis.representations import class_sample
    from emnist_core.analysis.representations import representation as embed_and_score

    sample = class_sample(_dataset.test, per_class)
    return embed_and_score(name, saved_runs.load_model(runs_dir, run_id), sample, method)


def say(text: str) -> None:
    """The two measured sentences, large enough to read from the back of a classroom."""
    st.markdown(
        f"<div style='font-size:1.35rem;line-height:1.5'>{text}</div>", unsafe_allow_html=True
    )


ROBUSTNESS_JOB = "why_robustness_job"


def robustness_ui(mlp, cnn, dataset) -> None:
    """The saved sweep of this pair, else a button that measures it as a cluster job."""
    from emnist_core.analysis.narrative import explain_robustness
    from emnist_core.jobs.analyses import cached_robustness
    from emnist_core.plots.analysis import robustness_figure

    st.header("1 · Move it, turn it, smudge it: who still reads it?")
    size = st.radio("Measured on", list(SAMPLE_SIZES), horizontal=True, key="why_sample")
    names = (f"MLP · {mlp.name}", f"CNN · {cnn.name}")
    data_key, limit = data_source.current_data().key, SAMPLE_SIZES[size]
    frame = cached_robustness(saved_runs.runs_dir_key(), (mlp.run_id, cnn.run_id), data_key, limit)
    if frame is None:
        measure_robustness_ui(dict(zip(names, (mlp, cnn), strict=True)), data_key, limit)
        return
    families = dict(zip(names, ("mlp", "cnn"), strict=True))
    st.plotly_chart(robustness_figure(frame, families), key="why_robustness")
    say(explain_robustness(frame, names[0], names[1]))


def measure_robustness_ui(runs: dict, data_key: str, limit: int | None) -> None:
    """Not measured yet: the sweep runs as a background job; its progress shows here."""
    from emnist_core.jobs.analyses import robustness_spec

    job = train_jobs.session_job(ROBUSTNESS_JOB)
    if job is not None and job.running:
        sweep_progress(job)
        return
    if job is not None and job.status == "failed":
        st.error(f"The last sweep failed: {job.error}")
    st.info(
        "Not measured yet for this pair and sample. The sweep perturbs every sampled test "
        "image at many levels and runs both models on each; it runs as a background job, "
        "and its result is kept for this pair."
    )
    if st.button("Measure robustness", key="why_measure", type="primary"):
        if train_jobs.submit(robustness_spec(runs, data_key, limit), ROBUSTNESS_JOB):
            st.rerun()


@st.fragment(run_every=train_jobs.REFRESH_SECONDS)
def sweep_progress(job) -> None:
    snap = job.snapshot()
    if snap["status"] != "running":
        st.rerun(scope="app")  # the result is saved: show it
    event, place = snap["progress"], snap.get("position")
    done, total = event.get("done", 0), event.get("total", 0)
    text = (
        f"Waiting for a slot: number {place} in the queue"
        if place
        else f"Measuring robustness: {done} of {total or '?'} points measured"
    )
    st.progress(min(done / total, 1.0) if total else 0.0, text=text)


def efficiency_ui(mlp, cnn, runs: list) -> None:
    from emnist_core.analysis.efficiency import efficiency_table
    from emnist_core.analysis.narrative import explain_efficiency
    from emnist_core.plots.analysis import efficiency_figure

    st.header("2 · Accuracy for the weights and the time it costs")
    table = efficiency_table(runs)
    data = table.loc[table["run_id"] == cnn.run_id, "data"].iloc[0]
    table = table[table["data"] == data]  # runs on other data are not comparable
    by_params, by_time = st.tabs(["against parameters", "against training time"])
    by_params.plotly_chart(efficiency_figure(table, "params"), key="why_eff_params")
    by_time.plotly_chart(efficiency_figure(table, "train_seconds"), key="why_eff_time")
    st.caption(
        f"Every saved run trained on {data}. Ringed runs form the Pareto front: no other run "
        "is at least as accurate for less cost."
    )
    if mlp.run_id not in set(table["run_id"]):
        st.info(
            "The chosen MLP was trained on other data than the CNN, so their costs are not "
            "comparable; pick an MLP trained on the same data to read the comparison."
        )
        return
    say(explain_efficiency(table, mlp.run_id, cnn.run_id))


def representations_ui(mlp, cnn, dataset) -> None:
    from emnist_core.analysis.narrative import explain_representations
    from emnist_core.plots.analysis import embeddings_figure

    st.header("3 · What the last hidden layer has learned")
    method = st.radio(
        "Projection",
        ("pca", "tsne"),
        horizontal=True,
        key="why_method",
        format_func=lambda m: {"pca": "PCA (instant)", "tsne": "t-SNE (clearer, slower)"}[m],
    )
    per_class = st.select_slider(
        "Test images per class", (5, 10, 20, 40), value=20, key="why_per_class"
    )
    reps = [
        representation(
            saved_runs.runs_dir_key(),
            run.run_id,
            f"{run.family.upper()} · {run.name}",
            data_source.current_data().key,
            per_class,
            method,
            dataset,
        )
        for run in (mlp, cnn)
    ]
    st.plotly_chart(embeddings_figure(reps, dataset.classes), key="why_embeddings")
    st.caption(
        "Each dot is a test image in the layer before the answer, squeezed to 2-D; colour and "
        "letter show its true class. kNN: share of images whose 5 nearest neighbours vote for "
        "their own class. Silhouette: -1 (mixed) to 1 (cleanly separated)."
    )
    say(explain_representations(*reps))


def main() -> None:
    st.title("Why CNNs win")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    runs = same_classes(saved_runs.usable(saved_runs.list_runs()), dataset)
    missing = tuple(f for f in ("mlp", "cnn") if saved_runs.best_of(runs, f) is None)
    if missing:
        train_jobs.quick_offer_ui("why", missing)
        return
    mlp, cnn = pick_pair_ui(runs)
    # Each section alone: a model that fails to load costs its sections, not the page.
    for section, args in (
        (robustness_ui, (mlp, cnn, dataset)),
        (efficiency_ui, (mlp, cnn, runs)),
        (representations_ui, (mlp, cnn, dataset)),
    ):
        try:
            section(*args)
        except EmnistError as error:
            data_source.show_error(error)


main()
