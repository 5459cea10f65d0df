"""Train on the Dask cluster and show a job's live progress, queue place and host in any page.

Training runs in a Dask worker process, never in this server: the page submits a job
through the library's job API, whose tracker mirrors it into a Job that pages read, so
switching pages or reloading the browser never stops or blocks a run. The owner of a
job, for the fair queue, is the browser session (the signed-in user in classroom mode).
"""

import threading
import time
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard.session import class_limits, data_source, identity, saved_runs
from emnist_core import settings
from emnist_core.errors import EmnistError
from emnist_core.plots import training as training_plots
from emnist_core.training.jobs import RUNNING, Job
from emnist_core.training.progress import is_epoch, is_preparing, preparing_text

LIVE_BATCH_POINTS = 300
REFRESH_SECONDS = 1.0  # live panel refresh; Stop is read by the worker between batches
STOPPING_REFRESH_SECONDS = 0.25  # after Stop, so "stopped" shows within moments of it
JOB_KEY = "train_job_id"
# Set once this server has a cluster: pages show the queue without starting one to do so.
_CLUSTER_STARTED = threading.Event()


@st.cache_resource(show_spinner="Starting the training cluster...")
def _cluster():
    """One cluster per server: EMNIST_SCHEDULER's, else a private one on 127.0.0.1."""
    from emnist_core.jobs.cluster import open_cluster

    handle = open_cluster()
    _CLUSTER_STARTED.set()
    return handle


@st.cache_resource(show_spinner=False)
def _tracker(runs_dir: str):
    from emnist_core.jobs.client import JobClient
    from emnist_core.jobs.tracker import JobTracker

    return JobTracker(JobClient(_cluster(), runs_dir))


def job_tracker():
    """The tracker of the current runs folder's jobs (started on first need)."""
    return _tracker(str(settings.runs_dir().resolve()))


def session_owner() -> str:
    """The owner of this session's jobs in the fair queue: the signed-in user in classroom
    mode, else the browser session's id."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if identity.classroom_mode():
        return class_limits.signed_in().user_id
    ctx = get_script_run_ctx()
    return f"session-{ctx.session_id[:8]}" if ctx is not None else "dashboard"


def _spec(configs: list[tuple[Any, str, str | None]], label: str, tensorboard: bool):
    from emnist_core.jobs.tasks import JobSpec, ModelSpec

    models = tuple(ModelSpec(config.to_dict(), name, preset) for config, name, preset in configs)
    return JobSpec(models, label, command="dashboard Train page", tensorboard=tensorboard)


def start_training(
    configs: list[tuple[Any, str, str | None]], label: str, tensorboard: bool = False
) -> Job | None:
    """Queue a training job on the cluster for the current data; shows the reason and returns
    None if refused."""
    return submit(_spec(configs, label, tensorboard), JOB_KEY)


def submit(spec, state_key: str) -> Job | None:
    """Queue any job spec (training, a study) for the current data under this session's owner;
    remembers its id under state_key. Shows the reason and returns None if refused."""
    choice = data_source.current_data()
    if choice is None or choice.dataset is None:
        st.error("Choose a data source with data in the sidebar first.")
        return None
    try:
        job = class_limits.submit(
            job_tracker,
            spec,
            choice.dataset,
            session_owner(),
            hints=(str(choice.folder.resolve()),),
        )
    except EmnistError as error:
        st.warning(str(error))
        return None
    st.session_state[state_key] = job.job_id
    return job


def session_job(state_key: str) -> Job | None:
    """The job this session submitted under state_key, without starting a cluster to ask.

    In classroom mode only a job this session's user owns: a job id left by another sign-in
    in the same browser session is not theirs.
    """
    job_id = st.session_state.get(state_key)
    job = job_tracker().get(job_id) if job_id and _CLUSTER_STARTED.is_set() else None
    if job is not None and identity.classroom_mode() and job.owner != session_owner():
        return None
    return job


def current_job() -> Job | None:
    """This session's latest training job on the cluster, if any."""
    return session_job(JOB_KEY)


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


def format_seconds(seconds: float | None, compact: bool = False) -> str:
    """'1 min 03 s' (or '1m 03s' where compact: a headline metric's narrow column cut the
    long form to '1 min 0...'); seconds alone under a minute, 'estimating...' for None."""
    if seconds is None:
        return "estimating..."
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m {rest:02d}s" if compact else f"{minutes} min {rest:02d} s"


def progress_text(snap: dict) -> str:
    """'Epoch 2/5 · step 30/74 · loss 0.91 · acc 72.1% · ETA 1 min 03 s'."""
    event = snap["progress"]
    parts = []
    if event.get("model"):
        parts.append(str(event["model"]))
    if is_preparing(event):
        parts.append(preparing_text(event))
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
    if snap.get("host"):
        parts.append(f"on {snap['host']}")
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
    refresh = STOPPING_REFRESH_SECONDS if job.stop_event.is_set() else REFRESH_SECONDS

    @st.fragment(run_every=refresh if was_running else None)
    def panel() -> None:
        snap = job.snapshot()
        if snap["status"] != RUNNING:
            if was_running:
                st.rerun(scope="app")  # refresh run lists everywhere once it ends
            _finished_ui(snap)
        elif snap.get("position"):
            st.progress(
                0.0,
                text=f"'{snap['label']}' waits for a training slot: number {snap['position']} "
                f"in the queue ({format_seconds(snap['elapsed'])} so far)",
            )
        else:
            st.progress(
                progress_fraction(snap["progress"]),
                text=f"Training '{snap['label']}': {progress_text(snap)}",
            )
        if snap["status"] == RUNNING:
            if snap["training_stopped"]:
                st.info(
                    "Training stopped. Saving what it learned as a partial run "
                    "(one last test-set evaluation)..."
                )
            elif snap["stop_requested"]:
                st.info("Stopping at the end of the current batch...")
            elif st.button("Stop", key=f"{key}_stop", type="primary"):
                try:
                    class_limits.stop(job, job_tracker())
                except EmnistError as error:
                    st.error(str(error))
                else:  # a fragment keeps the pace it was made with: remake it at the faster one
                    st.rerun(scope="app")
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


def cluster_started() -> bool:
    """Whether this server has started (or joined) its cluster yet."""
    return _CLUSTER_STARTED.is_set()
