"""Mirror cluster jobs into local Job objects a UI reads, from one background thread.

The app keeps one tracker per runs folder. Every half second (an eighth of a second
while a Stop is pending) it drains each live job's progress queue, notes queue positions
and hosts, and collects what has finished, so pages read snapshots exactly as they did
when training ran in a thread here. On start it re-attaches to the registry's live jobs
(an app restarted against an external scheduler picks up where it was).
"""

import threading
from dataclasses import dataclass

from emnist_core.data import Dataset
from emnist_core.jobs.client import JobClient
from emnist_core.jobs.queue import Limits
from emnist_core.jobs.store import FAILED, RUNNING, JobRecord
from emnist_core.jobs.tasks import JobSpec
from emnist_core.training.jobs import FINISHED, STOPPED, Job

POLL_SECONDS = 0.5
# While a Stop is on its way the student watches for "stopped": look four times as often
# (a round is one queue read per live job, so the usual pace stays light for a class).
STOPPING_POLL_SECONDS = 0.125
_ENDINGS = {"finished": FINISHED, "stopped": STOPPED, "failed": FAILED}


@dataclass(eq=False)
class RemoteJob(Job):
    """A Job whose work runs on the cluster: Stop goes to the worker, the tracker updates it."""

    job_id: str = ""
    owner: str = ""
    host: str | None = None
    position: int | None = None
    tracker: "JobTracker | None" = None

    def stop(self) -> None:
        super().stop()
        if self.tracker is not None:
            self.tracker.client.stop(self.job_id)

    def snapshot(self) -> dict:
        snap = super().snapshot()
        waiting = self.running and self.host is None
        snap.update(
            job_id=self.job_id,
            owner=self.owner,
            host=self.host,
            position=self.position if waiting else None,
        )
        return snap


class JobTracker:
    """Keeps RemoteJob mirrors of a registry's jobs up to date from a daemon thread."""

    def __init__(self, client: JobClient):
        self.client = client
        self.jobs: dict[str, RemoteJob] = {}
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        for record in client.store.live():
            self._mirror(record)
        self._thread = threading.Thread(target=self._loop, name="emnist-job-tracker", daemon=True)
        self._thread.start()

    def _mirror(self, record: JobRecord) -> RemoteJob:
        with self._lock:
            job = self.jobs.get(record.job_id)
            if job is None:
                job = RemoteJob(key=record.job_id, label=record.label, started=record.submitted)
                job.job_id, job.owner, job.tracker = record.job_id, record.owner, self
                self.jobs[record.job_id] = job
            return job

    def submit(
        self,
        spec: JobSpec,
        dataset: Dataset,
        owner: str,
        hints: tuple[str, ...] = (),
        limits: Limits | None = None,
    ) -> RemoteJob:
        """Queue a job (QueueFullError says why not) and return its mirror."""
        job = self._mirror(self.client.submit(spec, dataset, owner, hints, limits))
        self.update()
        return job

    def get(self, job_id: str | None) -> RemoteJob | None:
        return None if job_id is None else self.jobs.get(job_id)

    def records(self) -> list[JobRecord]:
        return self.client.store.all()

    def update(self) -> None:
        """One round: drain progress, note positions and hosts, collect and finish ended jobs."""
        live = [job for job in list(self.jobs.values()) if job.running]
        for job in live:
            for event in self.client.poll(job.job_id):
                if event.get("kind") == "start":
                    job.host = event.get("host")
                job.report(event)
        published = self.client.published()
        active = self.client.active(published)
        for record in self.client.refresh(published):
            job = self.jobs.get(record.job_id)
            if job is None or not job.running:
                continue
            if record.status == RUNNING and job.host is None:
                job.host = record.host
            if not record.live:
                job.host = job.host or record.host
                job._finish(_ENDINGS[record.status], result=record.run_ids, error=record.error)
        from emnist_core.jobs.queue import position

        for job in live:
            job.position = position(job.job_id, active)

    def stopping(self) -> bool:
        """Whether any job still runs after its Stop was asked for."""
        return any(job.running and job.stop_event.is_set() for job in list(self.jobs.values()))

    def _loop(self) -> None:
        while not self._closed.wait(STOPPING_POLL_SECONDS if self.stopping() else POLL_SECONDS):
            try:
                self.update()
                self.last_error = None
            except Exception as error:  # noqa: BLE001 - a hiccup must not end the tracking
                self.last_error = f"{type(error).__name__}: {error}"

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
