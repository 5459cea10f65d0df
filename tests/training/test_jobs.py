"""JobManager: background work, progress, stop, failure and the one-job-per-key rule."""

import threading
import time

import pytest

from emnist_core.errors import DataError
from emnist_core.training.jobs import FAILED, FINISHED, RUNNING, STOPPED, JobBusyError, JobManager


def _counting_work(steps: int, gate: threading.Event | None = None):
    """Work that reports one batch event per step and an epoch event at the end."""

    def work(job):
        for step in range(steps):
            if gate is not None:
                gate.wait(5)
            if job.stop_event.is_set():
                return "partial"
            job.report({"event": "batch", "step": step, "loss": 1.0 / (step + 1)})
            time.sleep(0.001)
        job.report({"event": "epoch", "epoch": 1, "val_accuracy": 0.5})
        return "done"

    return work


def test_job_runs_to_finish_and_records_progress():
    manager = JobManager()
    job = manager.start("data-a", "MLP quick", _counting_work(5))
    assert job.wait(5)
    snap = job.snapshot()
    assert snap["status"] == FINISHED
    assert job.result == "done"
    assert [event["step"] for event in snap["batches"]] == [0, 1, 2, 3, 4]
    assert snap["epochs"] == [{"event": "epoch", "epoch": 1, "val_accuracy": 0.5}]
    assert snap["progress"]["event"] == "epoch"
    assert snap["finished"] >= snap["started"]


def test_stop_marks_job_stopped():
    manager = JobManager()
    gate = threading.Event()
    job = manager.start("data-a", "CNN", _counting_work(1000, gate))
    assert job.status == RUNNING
    job.stop()
    gate.set()
    assert job.wait(5)
    assert job.status == STOPPED
    assert job.result == "partial"
    assert job.snapshot()["stop_requested"]


def test_second_job_on_same_key_is_refused_with_what_runs():
    manager = JobManager(max_running=2)
    gate = threading.Event()
    first = manager.start("data-a", "CNN quick on synthetic", _counting_work(3, gate))
    with pytest.raises(JobBusyError, match="CNN quick on synthetic"):
        manager.start("data-a", "MLP", _counting_work(1))
    other = manager.start("data-b", "MLP on other data", _counting_work(1))
    assert other.wait(5) and other.status == FINISHED
    gate.set()
    assert first.wait(5)
    again = manager.start("data-a", "MLP", _counting_work(1))
    assert again.wait(5) and manager.get("data-a") is again


def test_machine_limit_refuses_job_on_other_key():
    manager = JobManager(max_running=1)
    gate = threading.Event()
    manager.start("data-a", "CNN tuned", _counting_work(2, gate))
    with pytest.raises(JobBusyError, match="busy with 'CNN tuned'"):
        manager.start("data-b", "MLP", _counting_work(1))
    gate.set()


def test_failures_are_recorded_with_readable_messages():
    manager = JobManager(max_running=2)

    def known(job):
        raise DataError("no data in /nowhere; run the download")

    def unknown(job):
        raise ZeroDivisionError("division by zero")

    first = manager.start("a", "known", known)
    second = manager.start("b", "unknown", unknown)
    assert first.wait(5) and second.wait(5)
    assert first.status == FAILED and first.error == "no data in /nowhere; run the download"
    assert second.status == FAILED and "ZeroDivisionError" in second.error


def test_batch_history_is_bounded(monkeypatch):
    monkeypatch.setattr("emnist_core.training.jobs.MAX_BATCH_EVENTS", 10)
    manager = JobManager()
    job = manager.start("a", "many", _counting_work(50))
    assert job.wait(5)
    steps = [event["step"] for event in job.snapshot()["batches"]]
    assert steps == list(range(40, 50))


def test_forget_keeps_running_jobs():
    manager = JobManager()
    gate = threading.Event()
    job = manager.start("a", "long", _counting_work(2, gate))
    manager.forget("a")
    assert manager.get("a") is job
    gate.set()
    job.wait(5)
    manager.forget("a")
    assert manager.get("a") is None


def test_max_running_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        JobManager(max_running=0)


def test_report_accepts_dataclass_events():
    from dataclasses import dataclass

    @dataclass
    class Event:
        event: str
        epoch: int

    manager = JobManager()
    job = manager.start("a", "dc", lambda job: job.report(Event("epoch", 3)))
    assert job.wait(5)
    assert job.snapshot()["epochs"] == [{"event": "epoch", "epoch": 3}]
