"""Background jobs: run a long task (training) in a daemon thread and watch it from a UI.

The dashboard keeps one JobManager for the whole server, so a training job outlives
page switches and browser reloads; each rerun of a page only reads the job's latest
progress. Nothing here imports streamlit, so the manager is tested in plain Python.
"""

import dataclasses
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emnist_core.errors import EmnistError
from emnist_core.training.progress import is_epoch

RUNNING = "running"
FINISHED = "finished"
STOPPED = "stopped"
FAILED = "failed"

# A job's work receives these and reports through them; it returns its result.
JobWork = Callable[["Job"], Any]

# Keep at most this many per-batch events; per-epoch events are all kept.
MAX_BATCH_EVENTS = 2000


class JobBusyError(EmnistError):
    """A job for the same key is already running; the message says which one and what to do."""


@dataclass
class Job:
    """One background task and everything a page needs to show it.

    progress is the latest event (a Progress as a dict, plus the job's context keys); epochs
    holds every end-of-epoch event so curves can be drawn; batches holds recent per-batch
    events, bounded so a long run cannot grow memory without limit.
    """

    key: str
    label: str
    started: float = field(default_factory=time.time)
    finished: float | None = None
    status: str = RUNNING
    error: str | None = None
    result: Any = None
    progress: dict = field(default_factory=dict)
    epochs: list[dict] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, event: Any) -> None:
        """Record one progress event (a dict or a dataclass); this is the work's callback."""
        event = as_event(event)
        with self._lock:
            self.progress = event
            if is_epoch(event):
                self.epochs.append(event)
            else:
                self.batches.append(event)
                if len(self.batches) > MAX_BATCH_EVENTS:
                    del self.batches[: len(self.batches) - MAX_BATCH_EVENTS]

    def snapshot(self) -> dict:
        """A consistent copy of the state, safe to read while the worker writes."""
        with self._lock:
            return {
                "key": self.key,
                "label": self.label,
                "status": self.status,
                "error": self.error,
                "started": self.started,
                "finished": self.finished,
                "elapsed": (self.finished or time.time()) - self.started,
                "progress": dict(self.progress),
                "epochs": list(self.epochs),
                "batches": list(self.batches),
                "stop_requested": self.stop_event.is_set(),
            }

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    def stop(self) -> None:
        """Ask the work to stop; it checks stop_event between batches."""
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (for tests and scripts); True when it has ended."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.running

    def _finish(self, status: str, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self.status, self.result, self.error = status, result, error
            self.finished = time.time()


class JobManager:
    """Starts jobs in daemon threads, one running job per key, and remembers the last per key.

    The key is what jobs must not share (the data source, so two trainings do not fight
    for the same two CPU cores on the same data); max_running caps jobs across all keys.
    """

    def __init__(self, max_running: int = 1) -> None:
        if max_running < 1:
            raise ValueError(f"max_running must be at least 1, got {max_running}")
        self.max_running = max_running
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, key: str, label: str, work: JobWork) -> Job:
        """Run work(job) in a daemon thread; raise JobBusyError if the key or machine is busy."""
        with self._lock:
            self._refuse_if_busy(key)
            job = Job(key=key, label=label)
            job.thread = threading.Thread(
                target=_run_job, args=(job, work), name=f"job:{key}", daemon=True
            )
            self._jobs[key] = job
            job.thread.start()
        return job

    def _refuse_if_busy(self, key: str) -> None:
        current = self._jobs.get(key)
        if current is not None and current.running:
            raise JobBusyError(
                f"'{current.label}' is still running on this data source "
                f"(started {_ago(current.started)}). Stop it or wait for it to finish "
                "before starting another."
            )
        running = self.running()
        if len(running) >= self.max_running:
            names = ", ".join(f"'{job.label}'" for job in running)
            raise JobBusyError(
                f"The machine is busy with {names}; only {self.max_running} job(s) run at "
                "a time here. Stop it or wait for it to finish."
            )

    def get(self, key: str) -> Job | None:
        """The running or most recent job for key, or None."""
        return self._jobs.get(key)

    def running(self) -> list[Job]:
        """Every job still running, across all keys."""
        return [job for job in self._jobs.values() if job.running]

    def forget(self, key: str) -> None:
        """Drop a finished job so its page stops showing it; a running job is kept."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not job.running:
                del self._jobs[key]


def as_event(event: Any) -> dict:
    """A progress event as a plain dict, whether it came as a mapping, a dataclass or an object."""
    if isinstance(event, dict):
        return dict(event)
    if dataclasses.is_dataclass(event) and not isinstance(event, type):
        return dataclasses.asdict(event)
    return dict(vars(event))


def _run_job(job: Job, work: JobWork) -> None:
    """Thread body: run the work and record how it ended, never letting an error escape."""
    try:
        result = work(job)
    except EmnistError as error:
        job._finish(FAILED, error=str(error))
    except Exception as error:  # noqa: BLE001 - a worker must report, not die silently
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        job._finish(FAILED, error=f"Training failed unexpectedly: {detail}")
    else:
        job._finish(STOPPED if job.stop_event.is_set() else FINISHED, result=result)


def _ago(started: float) -> str:
    seconds = int(time.time() - started)
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
