"""Tune page: build a search space, run an Optuna study in the background, watch it, use the best.

The study runs as a cluster job in a Dask worker, in the same fair queue as training; its
trial runs land in the registry when the job ends. Every view reads the study storage, so
trials from other workers and machines that share it (a PostgreSQL URL) show up here too.
"""

import streamlit as st

from dashboard.components.space_form import space_form
from dashboard.session import class_limits, data_source, train_jobs
from emnist_core import settings
from emnist_core.errors import EmnistError
from emnist_core.training.jobs import RUNNING, Job

REFRESH_SECONDS = 2.0
JOB_PREFIX = "study "
JOB_KEY = "tune_job_id"  # this session's study job on the cluster


def storage_ui() -> str:

    url = st.text_input(
        "Study storage",
        value=settings.study_storage(),
        key="tune_storage",
        help="Where studies live: a journal file on this machine by default. A PostgreSQL URL "
        "(postgresql://user:password@host/db) shared with other machines shows their trials too.",
    )
    return url.strip() or settings.study_storage()


def settings_ui():
    """Budget, sampler and pruning: validated TuneSettings, or None with the message shown."""
    from emnist_core.tuning.worker import SAMPLERS, TuneSettings

    cols = st.columns(4)
    trials = cols[0].number_input(
        "Trials (study total)",
        1,
        1000,
        10,
        key="tune_trials",
        help="Shared by every worker that joins the study.",
    )
    minutes = cols[1].number_input(
        "Time budget, minutes (0: none)",
        0.0,
        10000.0,
        0.0,
        step=5.0,
        key="tune_minutes",
        help="No new trial starts after it.",
    )
    sampler = cols[2].selectbox(
        "Sampler",
        SAMPLERS,
        key="tune_sampler",
        help="tpe learns from earlier trials; random is the baseline.",
    )
    prune = cols[3].checkbox(
        "Prune hopeless trials",
        value=True,
        key="tune_prune",
        help="Stop a trial whose validation accuracy after an epoch is below "
        "the median of earlier trials at that epoch.",
    )
    try:
        return TuneSettings(
            sampler=sampler, trials=int(trials), timeout=minutes * 60 or None, prune=prune
        )
    except EmnistError as error:
        st.error(str(error))
        return None


def start_ui(space, storage: str) -> None:
    """Study name, budget and the Start button; a refused start says why (name clash, busy, ...)."""
    from emnist_core.tuning.worker import open_study

    family = st.session_state.get("tune_family", "mlp")
    name = st.text_input(
        "Study name",
        value=f"emnist-{family}",
        key="tune_name",
        help="A name that exists with the same space joins that study.",
    )
    settings = settings_ui()
    if not st.button(
        "Start study", type="primary", key="tune_start", disabled=space is None or settings is None
    ):
        return
    from emnist_core.jobs.studies import StudySpec
    from emnist_core.tuning.storage import absolute_url

    try:  # opened here first, so a name clash or a bad storage is told before queueing
        study = open_study(space, name=name.strip(), storage=storage, settings=settings)
    except EmnistError as error:
        st.error(str(error))
        return
    label = JOB_PREFIX + study.study_name
    spec = StudySpec(study.study_name, absolute_url(storage), space, settings, label)
    if train_jobs.submit(spec, JOB_KEY) is not None:
        st.session_state["tune_pick"] = study.study_name
        st.rerun()


def job_ui(job: Job) -> None:
    """Progress of this session's study job: queue place, trial k of N, best so far, Stop."""
    snap = job.snapshot()
    if snap["status"] != RUNNING:
        took = train_jobs.format_seconds(snap["elapsed"])
        message = f"'{snap['label']}' {snap['status']} after {took}"
        (st.error if snap["status"] == "failed" else st.info)(
            message + (f": {snap['error']}" if snap["error"] else ".")
        )
        return
    if snap.get("position"):
        st.progress(0.0, text=f"'{snap['label']}' waits for a slot: number {snap['position']}")
    event = snap["progress"]
    position, total = event.get("position") or 1, event.get("of") or 0
    within = train_jobs.progress_fraction(event) if event.get("epoch") else 0.0
    fraction = min(1.0, (position - 1 + within) / total) if total else within
    best = event.get("best_value")
    text = (
        f"Trial {position} of {total or '?'} · "
        + train_jobs.progress_text(snap)
        + (f" · best so far {best:.2%}" if best is not None else "")
    )
    st.progress(fraction, text=text)
    if snap["stop_requested"]:
        st.info("Stopping after the current batch...")
    elif st.button("Stop study", key="tune_stop"):
        try:
            class_limits.stop(job, train_jobs.job_tracker())
            st.info("Stopping after the current batch...")
        except EmnistError as error:
            st.error(str(error))


@st.cache_data(max_entries=8, show_spinner=False)
def study_figures_for(storage: str, name: str, finished: int) -> dict:
    """Optuna's figures, recomputed only when a trial finishes (importances cost a model fit)."""
    from emnist_core.tuning.reports import load_study, study_figures

    return study_figures(load_study(name, storage))


def view_ui(view: dict, storage: str) -> None:
    """Counts, the trials table and Optuna's figures for one study."""
    counts = view["states"]
    cols = st.columns(4)
    for col, state_name in zip(cols, ("COMPLETE", "PRUNED", "RUNNING", "FAIL"), strict=True):
        col.metric(state_name.lower(), counts.get(state_name, 0))
    if view["data"] and view["data"].get("synthetic"):
        st.warning("This study ran on SYNTHETIC demo data.")
    st.dataframe(view["trials"], hide_index=True, key="tune_trials_table")
    finished = sum(counts.get(name, 0) for name in ("COMPLETE", "PRUNED", "FAIL"))
    figures = study_figures_for(storage, view["name"], finished)
    if not figures:
        st.caption("Figures appear once trials complete.")
        return
    for tab, (title, figure) in zip(st.tabs(list(figures)), figures.items(), strict=True):
        tab.plotly_chart(figure, key=f"tune_fig_{title}")


def watch_ui(storage: str, job: Job | None) -> dict | None:
    """Pick a study from the storage and show it live; the view, or None if nothing to show."""
    from emnist_core.tuning.reports import list_studies, study_view

    try:
        studies = list_studies(storage)
    except EmnistError as error:
        st.error(str(error))
        return None
    if studies.empty:
        st.info(
            "No study in this storage yet: start one above, or run "
            "`python -m emnist_core tune --model mlp` on any machine that shares it."
        )
        return None
    names = list(studies["study"])
    if st.session_state.get("tune_pick") not in names:
        st.session_state["tune_pick"] = names[0]
    families = dict(zip(studies["study"], studies["family"], strict=True))
    name = st.selectbox(
        "Study",
        names,
        key="tune_pick",
        format_func=lambda n: f"{n} ({str(families[n] or '?').upper()})",
    )
    live = job is not None and job.running and job.label == JOB_PREFIX + name

    @st.fragment(run_every=REFRESH_SECONDS if live else None)
    def panel() -> None:
        if job is not None and job.label == JOB_PREFIX + name:
            job_ui(job)
        view_ui(study_view(name, storage), storage)

    panel()
    if not live:
        st.button(
            "Refresh", key="tune_refresh", help="Trials from other workers appear on refresh."
        )
    return study_view(name, storage)


def best_ui(view: dict) -> None:
    """The best trial (chosen on validation), its test metrics, and what to do with its config."""
    from emnist_core.models.presets import get_preset
    from emnist_core.tuning.reports import best_config, save_preset

    best = view["best"]
    if best is None:
        st.info("No completed trial yet.")
        return
    test = best["test_metrics"].get("accuracy")
    st.metric(
        f"Best trial #{best['number']}: validation accuracy",
        f"{best['val_accuracy']:.2%}",
        help="Trials are compared on the validation hold-out only.",
    )
    if test is not None:
        st.caption(f"Test accuracy of that run: {test:.2%} (reported, never used to choose).")
    config = best_config(view["study"])
    with st.expander("Its config"):
        st.json(config.to_dict())
    left, right = st.columns(2)
    preset = left.text_input("Preset name", value=f"{view['name']}-best", key="tune_preset_name")
    if left.button("Save as preset", key="tune_save_preset"):
        try:
            path = save_preset(
                config,
                preset,
                settings.presets_dir(),
                source={
                    "study": view["name"],
                    "trial": best["number"],
                    "val_accuracy": best["val_accuracy"],
                },
            )
        except EmnistError as error:
            st.error(str(error))
        else:
            st.success(f"Saved {path}.")
    epochs = right.number_input(
        "Epochs for the full run",
        1,
        1000,
        get_preset(config.family, "tuned").epochs,
        key="tune_full_epochs",
    )
    if right.button("Train a full run", key="tune_train_full"):
        run_name = f"{view['name']}-best"
        if (
            train_jobs.start_training(
                [(config.replace(epochs=int(epochs)), run_name, None)], run_name
            )
            is not None
        ):
            st.success(f"Training '{run_name}' started; watch it on the Train page.")


def main() -> None:
    st.title("Tune hyperparameters")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    storage = storage_ui()
    with st.expander("New study", expanded=True):
        family = st.radio(
            "Model family",
            ("mlp", "cnn"),
            horizontal=True,
            key="tune_family",
            format_func=str.upper,
        )
        space, problem = space_form(family, key="tune_space")
        if problem:
            st.error(problem)
        else:
            st.caption(f"Searching {', '.join(space.searched) or 'nothing (every field fixed)'}.")
        start_ui(space, storage)
    st.subheader("Studies")
    job = train_jobs.session_job(JOB_KEY)
    view = watch_ui(storage, job if job is not None and job.label.startswith(JOB_PREFIX) else None)
    if view is not None:
        st.subheader("Best trial")
        best_ui(view)


main()
