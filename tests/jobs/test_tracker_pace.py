"""The job tracker looks more often while a Stop is on its way, and only then."""

import threading
from types import SimpleNamespace

from emnist_core.jobs import tracker as tracker_module
from emnist_core.jobs.tracker import JobTracker, RemoteJob


class CountingClient:
    """Just enough of a JobClient for the tracker's loop: no jobs on the cluster."""

    def __init__(self):
        self.store = SimpleNamespace(live=lambda: [])
        self.rounds = 0
        self.round_done = threading.Event()

    def poll(self, job_id):
        return []

    def published(self):
        self.rounds += 1
        self.round_done.set()
        return {}

    def active(self, published):
        return []

    def refresh(self, published):
        return []


def rounds_in(tracker: JobTracker, client: CountingClient, seconds: float) -> int:
    client.round_done.clear()
    client.round_done.wait(2)  # start counting at a round boundary
    before = client.rounds
    threading.Event().wait(seconds)
    return client.rounds - before


def test_the_tracker_polls_faster_only_while_a_stop_is_pending(monkeypatch):
    monkeypatch.setattr(tracker_module, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(tracker_module, "STOPPING_POLL_SECONDS", 0.02)
    client = CountingClient()
    tracker = JobTracker(client)
    job = RemoteJob(key="j", label="j", started=0.0)
    job.job_id = "j"  # no tracker link: its Stop stays local
    tracker.jobs["j"] = job
    try:
        assert not tracker.stopping()
        calm = rounds_in(tracker, client, 0.6)
        job.stop()
        assert tracker.stopping()
        hurried = rounds_in(tracker, client, 0.6)
        job._finish("stopped")
        assert not tracker.stopping()  # back to the usual pace once it ended
    finally:
        tracker.close()
    assert calm <= 4 and hurried >= 3 * calm, (calm, hurried)
