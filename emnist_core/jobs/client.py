"""Submit, list, watch, stop and collect training jobs: the one API the pages and the CLI call.

A job is a Dask task published under its name `emnist-job-<id>` with its record, so its
result waits in the cluster until a client of the same registry collects it, even after
the submitter has gone. Records live in the registry's JobStore.

An owner's running limit holds even while slots are free: a job beyond it is published
without a task ("held") and handed to Dask by whichever client of its registry refreshes
next after one of the owner's jobs ends. Dask alone cannot do this: its resources are
per worker, and a task that finds its owner busy can only give its slot back by
rescheduling, which left other owners' jobs stuck behind a busy worker when tried.
"""

import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from emnist_core import settings
from emnist_core.data import Dataset
from emnist_core.errors import EmnistError
from emnist_core.jobs import queue as fair
from emnist_core.jobs import slots
from emnist_core.jobs.cluster import TRAIN_RESOURCE, ClusterHandle
from emnist_core.jobs.data import DataRef, data_ref, has_local
from emnist_core.jobs.landing import land_run, save_files
from emnist_core.jobs.store import (
    FAILED,
    FINISHED,
    QUEUED,
    RUNNING,
    STOPPED,
    JobRecord,
    JobStore,
)
from emnist_core.jobs.tasks import JobSpec, Names, run_job


class JobError(EmnistError):
    """A job id is unknown or a job cannot be reached; the message says which and what to do."""


def new_job_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


def _reachable(address: str) -> bool:
    """Whether something listens at tcp://HOST:PORT (a private cluster of another process)."""
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except (OSError, ValueError):
        return False
    return True


def failure_message(error: BaseException) -> str:
    """A job's error as one line a student can act on."""
    name = type(error).__name__
    if name == "KilledWorker":
        return (
            "the worker running this job died (killed, or out of memory). Try a smaller "
            "model or batch size, or ask whoever runs the cluster to give workers more memory."
        )
    if isinstance(error, EmnistError):
        return str(error)
    detail = traceback.format_exception_only(type(error), error)[-1].strip()
    return f"training failed inside the worker: {detail}"


class JobClient:
    """Jobs of one runs registry on one cluster."""

    def __init__(self, cluster: ClusterHandle, runs_dir=None, limits: fair.Limits | None = None):
        self.cluster, self.client = cluster, cluster.client
        self.runs_dir = settings.runs_dir(runs_dir).resolve()
        self.registry = f"{socket.gethostname()}:{self.runs_dir}"
        self.store = JobStore(self.runs_dir)
        self.limits = limits or fair.Limits()
        self._started: set[str] = set()
        self._futures: dict[str, object] = {}  # job id -> the Future this client holds
        self._futures_lock = threading.Lock()  # the app's tracker thread and pages share a client
        self._scattered: dict[str, object] = {}
        self._stops: set[str] = set()

    @property
    def scheduler_label(self) -> str:
        return f"{'embedded:' if self.cluster.embedded else ''}{self.cluster.address}"

    # --- what the cluster holds -------------------------------------------------------

    def published(self) -> dict[str, dict]:
        """job id -> {'meta': ..., 'future': ...} for every job published on the cluster.

        The Futures of this registry's jobs are held until collected. A Future made afresh
        on each call would be released between calls, and Dask forgets a released Future's
        state: a job that finished while none was held would be reported to a Future that
        is dropped a moment later, and the next one would read "pending" again, under load
        for ever (seen on 2 busy cores).
        """
        jobs = {}
        for name in self.client.list_datasets():
            if isinstance(name, str) and name.startswith("emnist-job-"):
                try:
                    entry = self.client.get_dataset(name)
                except KeyError:
                    continue  # collected meanwhile
                job_id = entry["meta"]["job_id"]
                if entry["future"] is not None and entry["meta"].get("registry") == self.registry:
                    entry["future"] = self._hold(job_id, entry["future"], keep=True)
                jobs[job_id] = entry
        with self._futures_lock:
            for job_id in set(self._futures) - set(jobs):
                del self._futures[job_id]  # collected, here or by another client
        return jobs

    def _hold(self, job_id: str, future, keep: bool = False):
        """Hold a job's Future (keep=True: the one already held wins); the one held."""
        with self._futures_lock:
            if keep:
                return self._futures.setdefault(job_id, future)
            self._futures[job_id] = future
            return future

    def started(self, job_id: str) -> dict | None:
        """The worker's start note (host, worker, started), or None while it waits."""
        from distributed import Variable

        try:
            note = Variable(Names(job_id).state, client=self.client).get(timeout=0)
        except TimeoutError:
            return None
        self._started.add(job_id)
        return note

    def active(self, published: dict | None = None) -> list[fair.QueuedJob]:
        """Jobs on the cluster that have not ended, as the fair queue sees them."""
        published = self.published() if published is None else published
        active = []
        for job_id, entry in published.items():
            if entry["future"] is not None and entry["future"].done():
                continue
            meta = entry["meta"]
            started = job_id in self._started or self.started(job_id) is not None
            active.append(
                fair.QueuedJob(job_id, meta["owner"], meta["round"], meta["submitted"], started)
            )
        return active

    # --- submit -----------------------------------------------------------------------

    def _arrays(self, ref: DataRef, dataset: Dataset):
        """None when every train worker has the data itself; else the arrays, scattered once."""
        workers = [
            address
            for address, info in self.client.scheduler_info(n_workers=-1)["workers"].items()
            if info.get("resources", {}).get(TRAIN_RESOURCE)
        ]
        if workers and all(self.client.run(has_local, ref, workers=workers).values()):
            return None
        if ref.fingerprint not in self._scattered:
            self._scattered[ref.fingerprint] = self.client.scatter(dataset, hash=False)
        return self._scattered[ref.fingerprint]

    def submit(
        self,
        spec: JobSpec,
        dataset: Dataset | None,
        owner: str,
        hints: tuple[str, ...] = (),
        limits: fair.Limits | None = None,
    ) -> JobRecord:
        """Queue a job fairly; QueueFullError (with the reason) if the owner has too many.

        limits overrides this client's for this owner (a student's class limits). dataset is
        None for a job that needs no data (the download).
        """
        limits = limits or self.limits
        round_ = fair.admit(owner, self.active(), limits)
        if not self.cluster.embedded:
            hints = ()  # a remote worker's folders are its own; the app's paths mean nothing there
        ref = None if dataset is None else data_ref(dataset, hints)
        job_id, submitted = new_job_id(), time.time()
        record = JobRecord(
            job_id, owner, spec.label, QUEUED, submitted, round_, self.scheduler_label
        )
        try:
            self._publish(record, spec, ref, dataset, limits.running)
        except Exception as error:
            record.status, record.error = FAILED, failure_message(error)
            self.store.add(record)
            raise
        self.store.add(record)  # after publishing: a live record is always on the cluster
        return record

    def _publish(
        self,
        record: JobRecord,
        spec: JobSpec,
        ref: DataRef | None,
        dataset: Dataset | None,
        running: int,
    ) -> None:
        """Publish the job with its record under the job's name: as a task at the record's
        priority, or held (task arguments kept) while its owner runs all they may."""
        arrays = None if ref is None else self._arrays(ref, dataset)
        meta = {**asdict(record), "registry": self.registry, "running": running}
        entry = {"meta": meta, "future": None, "task": (record.job_id, spec, ref, arrays)}
        # Read afresh, not what submit read for the queue: the scatter above can take
        # seconds, and a job of this owner's published meanwhile must count against the limit.
        if self._in_dask(record.owner, self.published()) < running:
            entry["future"] = self._hold(record.job_id, self._task(entry))
        self.client.publish_dataset(**{Names(record.job_id).key: entry})

    def _task(self, entry: dict):
        """Hand a job to Dask: one train slot (unless the spec needs none), its round's
        priority, keyed by its name."""
        meta, spec = entry["meta"], entry["task"][1]
        slot = getattr(spec, "uses_train_slot", True)  # a download needs no train slot
        free = slots.free_workers(self.client) if slot else []
        return self.client.submit(
            run_job,
            *entry["task"],
            key=Names(meta["job_id"]).key,
            resources={TRAIN_RESOURCE: 1} if slot else None,
            priority=fair.priority(meta["round"]),
            pure=False,
            workers=free or None,  # a free slot now, if any (see jobs/slots.py) ...
            allow_other_workers=bool(free),  # ... but never held to it
        )

    @staticmethod
    def _in_dask(owner: str, published: dict) -> int:
        """An owner's jobs handed to Dask that have not ended (running or waiting for a slot)."""
        return sum(
            entry["meta"]["owner"] == owner and not entry["future"].done()
            for entry in published.values()
            if entry["future"] is not None
        )

    def _release(self, published: dict) -> None:
        """Hand held jobs of this registry to Dask, oldest first, where their owner has room.

        Two clients releasing the same job at once submit the same key: Dask runs it once.
        """
        held = [e for e in published.values() if e["future"] is None]
        for entry in sorted(held, key=lambda e: e["meta"]["submitted"]):
            meta = entry["meta"]
            if meta.get("registry") != self.registry:
                continue
            if self._in_dask(meta["owner"], published) < meta.get("running", 1):
                entry["future"] = self._hold(meta["job_id"], self._task(entry))
                key = Names(meta["job_id"]).key
                try:
                    self.client.unpublish_dataset(key)
                except KeyError:
                    continue  # stopped meanwhile
                self.client.publish_dataset(**{key: entry})

    # --- watch, stop ------------------------------------------------------------------

    def poll(self, job_id: str) -> list[dict]:
        """Progress events sent since the last poll (each client sees the events it drains)."""
        from distributed import Queue

        return list(Queue(Names(job_id).progress, client=self.client).get(batch=True))

    def record(self, job_id: str) -> JobRecord:
        record = self.store.get(job_id)
        if record is None:
            raise JobError(
                f"no job {job_id!r} in {self.store.path}; list jobs with `emnist-lab jobs list`."
            )
        return record

    def stop(self, job_id: str) -> None:
        """Stop after the current batch (the partial run lands as 'stopped'); a waiting job is
        cancelled at once."""
        from distributed import Event

        record = self.record(job_id)
        if not record.live:
            return
        Event(Names(job_id).stop, client=self.client).set()
        entry = self.published().get(job_id)
        if entry is not None and self.started(job_id) is None:
            if entry["future"] is not None:
                self.client.cancel(entry["future"])
            self._end(job_id, STOPPED, error=None, run_ids=[])

    # --- collect ----------------------------------------------------------------------

    def refresh(self, published: dict | None = None) -> list[JobRecord]:
        """Collect finished jobs of this registry, note started ones; the records, newest first."""
        published = self.published() if published is None else published
        for job_id, entry in published.items():
            meta = entry["meta"]
            if meta.get("registry") != self.registry:
                continue
            if self.store.get(job_id) is None:  # submitted by another client of this registry
                record = {k: v for k, v in meta.items() if k not in ("registry", "running")}
                self.store.add(JobRecord(**record))
            if entry["future"] is None:
                continue  # held: released below once its owner has room
            if entry["future"].done():
                self._collect(job_id, entry["future"])
            elif self.store.get(job_id).status == QUEUED:
                note = self.started(job_id)
                if note is not None:
                    self.store.update(
                        job_id, status=RUNNING, host=note["host"], started=note["started"]
                    )
        self._mark_lost(published)
        self._release(self.published())
        slots.move_waiting(self.client)  # a job queued behind a busy worker takes a free slot
        return self.store.all()

    collect = refresh

    def _collect(self, job_id: str, future) -> None:
        if future.status == "finished":
            result = future.result()
            runs = [land_run(self.runs_dir, run["run_id"], run["tar"]) for run in result["runs"]]
            save_files(self.runs_dir, result.get("files") or {})
            status = STOPPED if result["stopped"] else FINISHED
            self.store.update(job_id, host=result["host"], started=result["started"])
            self._end(job_id, status, None, [run.run_id for run in runs])
        elif future.status == "cancelled":
            self._end(job_id, STOPPED, None, [])
        else:
            self._end(job_id, FAILED, failure_message(future.exception()), [])

    def _end(self, job_id: str, status: str, error: str | None, run_ids: list[str]) -> None:
        from distributed import Variable

        self.store.update(job_id, status=status, error=error, run_ids=run_ids, finished=time.time())
        with self._futures_lock:
            self._futures.pop(job_id, None)
        try:
            self.client.unpublish_dataset(Names(job_id).key)
        except KeyError:
            pass
        Variable(Names(job_id).state, client=self.client).delete()

    def _mark_lost(self, published: dict) -> None:
        """Live records of this cluster (or of a private cluster now gone) it no longer holds."""
        for record in self.store.live():
            if record.job_id in published or not self._gone(record):
                continue
            if self.store.get(record.job_id).live:  # not collected by another client meanwhile
                self._end(
                    record.job_id,
                    FAILED,
                    "the cluster that ran this job has gone (the app or command that started "
                    "its private cluster ended); submit it again.",
                    [],
                )

    def _gone(self, record: JobRecord) -> bool:
        """Whether the cluster that ran a job no longer has it (or no longer exists)."""
        scheduler = record.scheduler or ""
        if scheduler == self.scheduler_label:
            return Names(record.job_id).key not in self.client.list_datasets()
        return scheduler.startswith("embedded:") and not _reachable(scheduler.split(":", 1)[1])

    def wait(
        self,
        job_id: str,
        on_event: Callable[[dict], None] | None = None,
        timeout: float | None = None,
    ) -> JobRecord:
        """Block until the job has ended and landed, passing each progress event to on_event."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            for event in self.poll(job_id):
                if on_event is not None:
                    on_event(event)
            self.refresh()
            record = self.record(job_id)
            if not record.live:
                return record
            if deadline is not None and time.time() > deadline:
                raise JobError(f"job {job_id} did not end within {timeout} s.")
            time.sleep(0.3)

    def position(self, job_id: str) -> int | None:
        return fair.position(job_id, self.active())

    def runs_path(self) -> Path:
        return self.runs_dir
