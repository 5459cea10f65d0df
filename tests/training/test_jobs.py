"""Job: the progress record pages read for any long task (RemoteJob mirrors cluster jobs)."""

import threading
from dataclasses import dataclass

from emnist_core.training.jobs import FAILED, FINISHED, RUNNING, STOPPED, Job


def _report_steps(job: Job, steps: int) -> None:
    for step in range(steps):
        job.report({"event": "batch", "step": step, "loss": 1.0 / (step + 1)})
    job.report({"event": "epoch", "epoch": 1, "val_accuracy": 0.5})


def test_progress_is_recorded_and_the_ending_kept():
    job = Job(key="data-a", label="MLP quick")
    _report_steps(job, 5)
    assert job.status == RUNNING and not job.wait(0.1)
    job._finish(FINISHED, result="done")
    snap = job.snapshot()
    assert job.wait(0) and snap["status"] == FINISHED and job.result == "done"
    assert [event["step"] for event in snap["batches"]] == [0, 1, 2, 3, 4]
    assert snap["epochs"] == [{"event": "epoch", "epoch": 1, "val_accuracy": 0.5}]
    assert snap["progress"]["event"] == "epoch"
    assert snap["finished"] >= snap["started"]


def test_stop_is_a_request_the_work_reads():
    job = Job(key="data-a", label="CNN")
    job.stop()
    assert job.stop_event.is_set() and job.snapshot()["stop_requested"]
    assert job.status == RUNNING  # stopped only once the work says so
    assert not job.snapshot()["training_stopped"]
    job.report({"kind": "stop_seen", "event": "stop_seen", "epoch": 2})  # the loop has ended
    assert job.snapshot()["training_stopped"] and job.status == RUNNING  # saving is left
    job._finish(STOPPED)
    assert job.snapshot()["status"] == STOPPED


def test_wait_returns_when_another_thread_ends_the_job():
    job = Job(key="a", label="failing")
    threading.Timer(0.2, job._finish, args=(FAILED,), kwargs={"error": "no data"}).start()
    assert job.wait(5) and job.error == "no data"


def test_batch_history_is_bounded(monkeypatch):
    monkeypatch.setattr("emnist_core.training.jobs.MAX_BATCH_EVENTS", 10)
    job = Job(key="a", label="many")
    _report_steps(job, 50)
    steps = [event["step"] for event in job.snapshot()["batches"]]
    assert steps == list(range(40, 50))


def test_report_accepts_dataclass_events():
    @dataclass
    class Event:
        event: str
        epoch: int

    job = Job(key="a", label="dc")
    job.report(Event("epoch", 3))
    assert job.snapshot()["epochs"] == [{"event": "epoch", "epoch": 3}]
