"""Start training in the server-wide JobManager and show its live progress in any page.

The work runs in a daemon thread; pages only read snapshots, so switching pages or
reloading the browser never stops or blocks a training run.
"""

import time
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard.session import class_limits, data_source, identity, saved_runs
from emnist_core.data import Dataset
from emnist_core.errors import EmnistError
from emnist_core.plots import training as training_plots
from emnist_core.training.jobs import RUNNING, Job, as_event
from emnist_core.training.progress import is_epoch

LIVE_BATCH_POINTS = 300
REFRESH_SECONDS = 1.0  # live panel refresh; Stop is read by the worker between batches


def _train_work(
    configs: list[tuple[Any, str, str | None]], dataset: Dataset, owner: str | None = None
):
    """A job body that trains each (config, name, preset) in turn with the library's train()."""

    def work(job: Job) -> list:
        from emnist_core.training.loop import train

        runs = []
        for position, (config, name, preset) in enumerate(configs, start=1):
            if job.stop_event.is_set():
                break
            job.report({"kind": "model", "model": name, "position": position, "of": len(configs)})

            def progress(event: Any, name: str = name) -> None:
                job.report({**as_event(event), "model": name})

            runs.append(
                train(
                    config,
                    dataset,
                    progress=progress,
                    stop_event=job.stop_event,
                    name=name,
                    preset=preset,
                    command="dashboard Train page",
                    owner=owner,
                )
            )
        return runs

    return work


def start_training(configs: list[tuple[Any, str, str | None]], label: str) -> Job | None:
    """Start a job on the current data source; shows the reason and returns None if refused."""
    choice = data_source.current_data()
    if choice is None or choice.dataset is None:
        st.error("Choose a data source with data in the sidebar first.")
        return None
    owner = identity.user_id()
    try:
        class_limits.check_new_training(data_source.job_manager(), configs, choice.dataset)
        return data_source.job_manager().start(
            job_key(choice), label, _train_work(configs, choice.dataset, owner), owner=owner
        )
    except EmnistError as error:
        st.warning(str(error))
        return None


def job_key(choice: data_source.DataChoice) -> str:
    """One job slot per data source, and in classroom mode per signed-in user too."""
    owner = identity.user_id()
    return choice.key if owner is None else f"{owner}|{choice.key}"


def current_job() -> Job | None:
    """This session's running or last job on the current data source."""
    choice = data_source.current_data()
    return data_source.job_manager().get(job_key(choice)) if choice is not None else None


def _num(event: dict, *names: str, default: float | None = None) -> float | None:
    for name in names:
        if event.get(name) is not None:
            return float(event[name])
    return default


def progress_fraction(event: dict) -> float:
    """Fraction of the whole run done, from epoch/step counts in a progress event."""
    epochs = _num(event, "epochs", default=1.0) or 1.0
    epoch = _num(event, "epoch", default=1.0) or 1.0
    steps = _num(event, "steps_per_epoch", default=0.0) or 0.0
    step = _num(event, "step", default=0.0) or 0.0
    within = step / steps if steps else (1.0 if is_epoch(event) else 0.0)
    return max(0.0, min(1.0, (epoch - 1 + within) / epochs))


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating..."
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def progress_text(snap: dict) -> str:
    """'Epoch 2/5 · step 30/74 · loss 0.91 · acc 72.1% · ETA 1 min 03 s'."""
    event = snap["progress"]
    parts = []
    if event.get("model"):
        parts.append(str(event["model"]))
    if event.get("epoch") is not None:
        epochs = event.get("epochs")
        parts.append(f"epoch {event['epoch']}/{epochs}" if epochs else f"epoch {event['epoch']}")
    if event.get("step") is not None:
        steps = event.get("steps_per_epoch")
        parts.append(f"step {event['step']}/{steps}" if steps else f"step {event['step']}")
    if event.get("loss") is not None:
        parts.append(f"loss {float(event['loss']):.3f}")
    if event.get("accuracy") is not None:
        parts.append(f"accuracy {float(event['accuracy']):.1%}")
    parts.append(f"elapsed {format_seconds(snap['elapsed'])}")
    parts.append(f"ETA {format_seconds(_num(event, 'eta'))}")
    return " · ".join(parts)


def curves_figure(epochs: list[dict], batches: list[dict] | None = None) -> go.Figure:
    """Live loss and accuracy: thin per-batch lines under the per-epoch train/validation ones.

    The panel redraws every second while a job runs, so the per-batch line keeps at most
    LIVE_BATCH_POINTS evenly spaced events (and the latest): a few hundred points look the
    same as thousands and keep each redraw light for the server and the browser.
    """
    if batches and len(batches) > LIVE_BATCH_POINTS:
        every = -(-len(batches) // LIVE_BATCH_POINTS)
        batches = batches[::every] + ([batches[-1]] if (len(batches) - 1) % every else [])
    figure = training_plots.training_curves(epochs, batches=batches)
    return figure.update_layout(height=320, margin={"t": 40, "b": 10})


def _finished_ui(snap: dict) -> None:
    status, error = snap["status"], snap["error"]
    if status == "failed":
        st.error(f"'{snap['label']}' failed: {error}")
    elif status == "stopped":
        st.warning(
            f"'{snap['label']}' was stopped after {format_seconds(snap['elapsed'])}; "
            "what it learned so far is saved as a partial run marked 'stopped'."
        )
    else:
        st.success(
            f"'{snap['label']}' finished in {format_seconds(snap['elapsed'])}. "
            "See it on the Results page."
        )


def job_panel(job: Job, key: str) -> None:
    """A job's live status: progress bar with ETA, curves and Stop; refreshes while running."""
    was_running = job.running

    @st.fragment(run_every=REFRESH_SECONDS if was_running else None)
    def panel() -> None:
        snap = job.snapshot()
        if snap["status"] != RUNNING:
            if was_running:
                st.rerun(scope="app")  # refresh run lists everywhere once it ends
            _finished_ui(snap)
        else:
            st.progress(
                progress_fraction(snap["progress"]),
                text=f"Training '{snap['label']}': {progress_text(snap)}",
            )
            if snap["stop_requested"]:
                st.info("Stopping at the end of the current batch...")
            elif st.button("Stop", key=f"{key}_stop", type="primary"):
                class_limits.stop(job)
                st.info("Stopping at the end of the current batch...")
        model = snap["progress"].get("model")
        epochs = [
            e for e in snap["epochs"] if e.get("epoch") is not None and e.get("model") == model
        ]
        batches = [e for e in snap["batches"] if e.get("model") == model]
        if epochs or batches:
            st.plotly_chart(curves_figure(epochs, batches), key=f"{key}_curves")

    panel()


def wait_for(job: Job, timeout: float) -> bool:
    """Block until the job ends or timeout passes (used by tests)."""
    deadline = time.time() + timeout
    while job.running and time.time() < deadline:
        time.sleep(0.05)
    return not job.running


def quick_time_text(families: tuple[str, ...]) -> str:
    """How long the quick presets took on this server's saved runs, else where times are."""
    from emnist_core.training.runs import typical_train_seconds

    runs = saved_runs.list_runs()
    times = {f: typical_train_seconds(runs, f, "quick") for f in families}
    if any(seconds is None for seconds in times.values()):
        return "the fastest presets; measured times per processor are in BENCHMARKS.md"
    took = ", ".join(f"{f.upper()} {format_seconds(s)}" for f, s in times.items())
    return f"on this server they took {took}"


def quick_offer_ui(key: str, families: tuple[str, ...] = ("mlp", "cnn")) -> None:
    """Instead of an empty page: one click trains the quick presets (timed from saved runs)."""
    job = current_job()
    if job is not None and (job.running or job.status != "finished"):
        job_panel(job, key=f"{key}_job")
    if job is not None and job.running:
        return
    names = " and ".join(family.upper() for family in families)
    st.info(
        f"No saved {names} run for this yet. Train the `quick` "
        f"preset{'s' if len(families) > 1 else ''} ({quick_time_text(families)}) with one "
        "click, then come back here."
    )
    if st.button(
        f"Train quick {' + '.join(f.upper() for f in families)}", key=f"{key}_quick", type="primary"
    ):
        from emnist_core.models.presets import get_preset

        configs = [(get_preset(family, "quick"), f"{family}-quick", "quick") for family in families]
        if start_training(configs, f"quick {' + '.join(f.upper() for f in families)}") is not None:
            st.rerun()
