"""Train page: choose a family and preset, adjust every hyperparameter, train on the cluster."""

import json

import streamlit as st

from dashboard.components.config_form import config_form
from dashboard.session import data_source, job_queue, train_jobs
from emnist_core.errors import EmnistError

PRESETS = ("quick", "baseline", "tuned")


def choose_ui() -> tuple[str, str]:
    """Family and preset pickers; the preset fills the form below."""
    left, right = st.columns(2)
    family = left.radio(
        "Model family",
        ("mlp", "cnn"),
        horizontal=True,
        key="train_family",
        format_func=lambda f: {"mlp": "MLP (dense layers)", "cnn": "CNN (convolutions)"}[f],
    )
    from emnist_core.models.presets import saved_presets

    preset = right.radio(
        "Start from preset",
        (*PRESETS, *saved_presets(family)),
        horizontal=True,
        key=f"train_preset_{family}",
        help="quick: the fastest, for a live demo. baseline: a plain textbook model. tuned: our "
        "best, several times slower (the CNN is much slower on a processor without bfloat16 "
        "arithmetic). Times measured per processor are in BENCHMARKS.md; the time of each "
        "saved run is on the Runs page. Further names are presets saved from the Tune page.",
    )
    return family, preset


def summary_ui(config, num_classes: int) -> None:
    """Layer summary and parameter count of the model this config builds, before any training."""
    from dashboard.session.model_cache import model_summary

    try:
        text, params = model_summary(json.dumps(config.to_dict()), num_classes)
    except EmnistError as error:
        st.error(str(error))
        return
    st.metric("Trainable + non-trainable parameters", f"{params:,}")
    with st.expander("Model summary (Keras)"):
        st.code(text, language=None)


def start_ui(config, family: str, preset: str) -> None:
    """Run name and the Start button; a refused start says what is running."""
    from emnist_core.models.presets import get_preset

    default_name = f"{family}-{preset}"
    name = st.text_input("Run name", value=default_name, key=f"train_name_{family}_{preset}")
    tensorboard = st.checkbox(
        "Write TensorBoard logs",
        key="train_tensorboard",
        help="Into the run folder; see them with `tensorboard --logdir artifacts/runs`.",
    )
    # The cluster's fair queue decides when it runs; a refusal (too many jobs) says why.
    if st.button("Start training", type="primary", key="train_start", disabled=config is None):
        run_name = name.strip() or default_name
        changed = config != get_preset(family, preset)
        started = train_jobs.start_training(
            [(config, run_name, None if changed else preset)], run_name, tensorboard
        )
        if started is not None:
            st.rerun()


def main() -> None:
    st.title("Train a model")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    from emnist_core.models.presets import get_preset

    family, preset = choose_ui()
    try:
        base = get_preset(family, preset)
    except EmnistError as error:
        data_source.show_error(error)
        st.stop()
    st.subheader("Hyperparameters")
    st.caption(
        "Hover the ? beside a field for what it does. Impossible values are refused up front."
    )
    config, problem = config_form(base, key_prefix=f"train_{family}_{preset}")
    if problem:
        st.error(problem)
    else:
        from emnist_core.models.numerics import precision_note

        note = precision_note(config.precision, config.ensemble)
        if note:
            st.warning(note)
        summary_ui(config, dataset.num_classes)
    start_ui(config, family, preset)
    job = train_jobs.current_job()
    if job is not None:
        st.subheader("Training")
        train_jobs.job_panel(job, key="train_job")
    job_queue.queue_ui()


main()
