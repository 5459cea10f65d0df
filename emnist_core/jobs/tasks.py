"""What runs inside a Dask worker: train in a private temp folder and return the runs as bytes.

A job's spec says what to do (JobSpec: train models; jobs.studies.StudySpec: run tuning
trials); run_job is the one task around either. It is a plain function of its arguments
and reads no disk of the submitter: the data comes from the worker's own folder (matched
by fingerprint) or as scattered arrays.
Progress leaves through a distributed.Queue and Stop arrives through a distributed.Event.
"""

import io
import socket
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emnist_core.data import Dataset
from emnist_core.jobs.data import DataRef, require_local

BATCH_EVERY = 0.25  # seconds between per-batch events sent; epoch events always go


@dataclass(frozen=True)
class ModelSpec:
    """One model of a job: its config as a dict (TrainingConfig.to_dict), name and preset."""

    config: dict
    name: str
    preset: str | None = None


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to train: the models in order, and how the run is recorded."""

    models: tuple[ModelSpec, ...]
    label: str
    command: str = "emnist-lab jobs submit"
    val_fraction: float = 0.1
    tensorboard: bool = False  # TensorBoard logs into each run folder
    meta: dict = field(default_factory=dict)
    owner: str | None = None  # classroom mode: the signed-in user, recorded in each run.json

    def run(self, dataset: Dataset, report, stop: threading.Event, tmp: Path) -> None:
        """Train the models into tmp (run_job sends back what lands there)."""
        _train_models(self, dataset, report, stop, tmp)


@dataclass(frozen=True)
class Names:
    """The cluster-side objects of one job, all named after its id."""

    job_id: str

    @property
    def key(self) -> str:
        return f"emnist-job-{self.job_id}"

    @property
    def progress(self) -> str:
        return f"emnist-progress-{self.job_id}"

    @property
    def stop(self) -> str:
        return f"emnist-stop-{self.job_id}"

    @property
    def state(self) -> str:
        return f"emnist-state-{self.job_id}"


def pack_run(run_dir: Path) -> bytes:
    """A run folder as an uncompressed tar (model.keras is already a zip)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(run_dir, arcname=run_dir.name)
    return buffer.getvalue()


class Reporter:
    """Sends a job's events to its progress queue: every event except per-batch ones, which
    go at most every BATCH_EVERY seconds (and the last of each epoch), plus one 'stop_seen'
    for the batch during which the Stop arrived (training ends after it)."""

    def __init__(self, queue, host: str, stop: threading.Event):
        self.queue, self.host, self.stop = queue, host, stop
        self.last, self.stop_noted = 0.0, False

    def __call__(self, event: dict) -> None:
        now, event = time.monotonic(), {**event, "host": self.host}
        if self.stop.is_set() and not self.stop_noted:
            self.stop_noted = True
            self.queue.put({**event, "kind": "stop_seen", "event": "stop_seen"})
        last_step = event.get("step") == event.get("steps_per_epoch")
        if event.get("event") == "batch" and not last_step and now - self.last < BATCH_EVERY:
            return
        self.last = now
        self.queue.put(event)


def pack_runs(runs_dir: Path, owner: str | None = None) -> list[dict]:
    """Every complete run under runs_dir, as the task's result rows (id, status, tar bytes).

    owner (classroom mode: the spec's signed-in user) is written into each run.json first,
    so a study's trial runs belong to the student who started it, like trained ones.
    """
    from emnist_core.atomic import write_json
    from emnist_core.training.runs import RunRegistry

    runs = RunRegistry(runs_dir).list()
    for run in runs:
        if owner is not None and run.owner != owner:
            write_json(run.run_dir / "run.json", {**run.info, "owner": owner})
    return [
        {"run_id": run.run_id, "status": run.status, "tar": pack_run(run.run_dir)} for run in runs
    ]


def _bridge_stop(dask_event, local: threading.Event, done: threading.Event) -> None:
    """Copy the cluster's Stop into a local flag that training reads after every batch."""
    while not done.is_set():
        try:
            if dask_event.wait(timeout=0.5):
                local.set()
                return
        except Exception:  # noqa: BLE001 - scheduler briefly unreachable: keep training
            time.sleep(0.5)


def _train_models(spec: "JobSpec", dataset: Dataset, report, stop: threading.Event, tmp: Path):
    """Train each model of the job in turn into tmp; a Stop ends the current one early."""
    from emnist_core.models.config import config_from_dict
    from emnist_core.training.loop import train
    from emnist_core.training.tensorboard import tensorboard_logs

    for position, model in enumerate(spec.models, start=1):
        if stop.is_set():
            break
        report({"kind": "model", "model": model.name, "position": position})

        def progress(event, name: str = model.name) -> None:
            report({**event.to_dict(), "model": name})

        with tensorboard_logs(tmp) as logs:
            run = train(
                config_from_dict(model.config),
                dataset,
                progress=progress,
                stop_event=stop,
                runs_dir=tmp,
                val_fraction=spec.val_fraction,
                name=model.name,
                command=spec.command,
                preset=model.preset,
                owner=spec.owner,
                extra_callbacks=[logs.callback()] if spec.tensorboard else None,
            )
            if spec.tensorboard:
                logs.attach(run)


def run_job(job_id: str, spec, ref: DataRef | None, arrays: Dataset | None) -> dict[str, Any]:
    """The task: announce the start, do the spec's work (spec.run) in a private temp folder,
    and return every run it saved there as tar bytes, plus any files spec.run returned."""
    from distributed import Event, Queue, Variable, get_worker

    names, host = Names(job_id), socket.gethostname()
    worker, started = get_worker().address, time.time()
    Variable(names.state).set({"host": host, "worker": worker, "started": started})
    queue = Queue(names.progress)
    queue.put({"kind": "start", "host": host, "worker": worker})
    dataset = arrays if arrays is not None or ref is None else require_local(ref)
    stop, done = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=_bridge_stop, args=(Event(names.stop), stop, done), daemon=True
    )
    watcher.start()
    try:
        with tempfile.TemporaryDirectory(prefix="emnist-job-") as tmp:
            files = spec.run(dataset, Reporter(queue, host, stop), stop, Path(tmp)) or {}
            runs = pack_runs(Path(tmp), getattr(spec, "owner", None))
    finally:
        done.set()
    return {
        "host": host,
        "worker": worker,
        "started": started,
        "runs": runs,
        "files": files,  # results that are not runs (an analysis), saved by the submitter
        "stopped": stop.is_set(),
    }
