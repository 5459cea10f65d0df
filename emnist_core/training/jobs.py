"""A long task's progress as a page reads it: status, latest event, epochs, recent batches.

Every long task runs on the Dask cluster (emnist_core.jobs); the tracker mirrors each
into a Job (jobs.tracker.RemoteJob), so pages read one shape whatever ran the work.
Nothing here imports streamlit, so it is tested in plain Python.
"""

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from emnist_core.training.progress import is_epoch

RUNNING = "running"
FINISHED = "finished"
STOPPED = "stopped"
FAILED = "failed"

# Keep at most this many per-batch events; per-epoch events are all kept.
MAX_BATCH_EVENTS = 2000


@dataclass
class Job:
    """One long task and everything a page needs to show it.

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
    stopped_training: float | None = None  # when the work said its training loop ended on Stop
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, event: Any) -> None:
        """Record one progress event (a dict or a dataclass); this is the work's callback."""
        event = as_event(event)
        with self._lock:
            if event.get("kind") == "stop_seen" and self.stopped_training is None:
                self.stopped_training = time.time()  # only saving the partial run is left
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
                "training_stopped": self.stopped_training is not None,
            }

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    def stop(self) -> None:
        """Ask the work to stop; it checks stop_event between batches."""
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (for tests and scripts); True when it has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.running and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)
        return not self.running

    def _finish(self, status: str, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self.status, self.result, self.error = status, result, error
            self.finished = time.time()


def as_event(event: Any) -> dict:
    """A progress event as a plain dict, whether it came as a mapping, a dataclass or an object."""
    if isinstance(event, dict):
        return dict(event)
    if dataclasses.is_dataclass(event) and not isinstance(event, type):
        return dataclasses.asdict(event)
    return dict(vars(event))
