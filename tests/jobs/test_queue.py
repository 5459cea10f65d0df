"""The fair queue: rounds across owners, per-owner limits, the order slots go in on a cluster."""

import time

import pytest

from emnist_core.jobs.queue import Limits, QueuedJob, QueueFullError, admit, position, waiting_order
from emnist_core.jobs.store import FINISHED, STOPPED
from tests.fixtures import tiny_job


def _job(job_id, owner, round_, submitted, started=False):
    return QueuedJob(job_id, owner, round_, submitted, started)


def test_a_newcomer_goes_before_an_owners_second_job():
    active = [_job("a1", "A", 0, 1, started=True), _job("a2", "A", 1, 2), _job("a3", "A", 2, 3)]
    assert admit("B", active, Limits()) == 0
    active.append(_job("b1", "B", 0, 4))
    assert [job.job_id for job in waiting_order(active)] == ["b1", "a2", "a3"]
    assert position("b1", active) == 1 and position("a3", active) == 3
    assert position("a1", active) is None  # running


def test_an_owner_over_the_limit_is_refused_with_the_reason():
    active = [_job("a1", "A", 0, 1, started=True), _job("a2", "A", 1, 2), _job("a3", "A", 2, 3)]
    with pytest.raises(QueueFullError, match="1 running, 2 waiting.*stop one"):
        admit("A", active, Limits())
    assert admit("A", active, Limits(running=1, queued=3)) == 3


def test_owner_a_three_jobs_then_b_one_on_one_slot_b_starts_second(jobs, synthetic_dataset):
    hints = (str(synthetic_dataset.source),)
    submitted = [jobs.submit(tiny_job(f"A{i}"), synthetic_dataset, "A", hints) for i in (1, 2, 3)]
    with pytest.raises(QueueFullError, match="'A' already has 3 jobs"):
        jobs.submit(tiny_job("A4"), synthetic_dataset, "A", hints)
    submitted.append(jobs.submit(tiny_job("B1"), synthetic_dataset, "B", hints))
    ended = [jobs.wait(record.job_id, timeout=300) for record in submitted]
    assert all(record.status == FINISHED for record in ended), [r.error for r in ended]
    order = [record.label for record in sorted(ended, key=lambda r: r.started)]
    assert order == ["A1", "B1", "A2", "A3"]


@pytest.fixture(scope="module")
def two_slots():
    """A real embedded cluster with two worker slots, closed after."""
    from emnist_core.jobs.cluster import start_embedded

    handle = start_embedded(slots=2)
    yield handle
    handle.close()


def _wait_started(jobs, job_id: str, timeout: float = 120, refresh: bool = False) -> dict:
    """The job's start note; refresh=True refreshes as the app does (which moves waiting
    jobs to free slots) while it waits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if refresh:
            jobs.refresh()
        note = jobs.started(job_id)
        if note is not None:
            return note
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not start within {timeout} s")


def test_a_free_slot_does_not_let_an_owner_run_two_jobs(two_slots, tmp_path, synthetic_dataset):
    from emnist_core.jobs.client import JobClient

    jobs = JobClient(two_slots, tmp_path / "runs")
    hints = (str(synthetic_dataset.source),)
    long_one = jobs.submit(
        tiny_job("A-long", epochs=1000, early_stopping=False, batch_size=16),
        synthetic_dataset,
        "A",
        hints,
    )
    _wait_started(jobs, long_one.job_id)
    second = jobs.submit(tiny_job("A-second"), synthetic_dataset, "A", hints)
    time.sleep(6)  # the second slot stays free all this time; A's second job must still wait
    assert jobs.started(second.job_id) is None
    assert jobs.position(second.job_id) == 1
    jobs.stop(long_one.job_id)
    ended = jobs.wait(second.job_id, timeout=120)
    first = jobs.wait(long_one.job_id, timeout=120)
    assert ended.status == FINISHED, ended.error
    assert first.status == STOPPED  # it ran until stopped: A's second waited for it


def _long(label: str):
    return tiny_job(label, epochs=1000, early_stopping=False, batch_size=16)


def test_another_owners_job_takes_the_free_slot_not_a_busy_worker(
    two_slots, tmp_path, synthetic_dataset
):
    """Dask would place it by backlog estimate; it is pointed at the free slot instead."""
    from emnist_core.jobs.client import JobClient

    jobs = JobClient(two_slots, tmp_path / "runs")
    hints = (str(synthetic_dataset.source),)
    a = jobs.submit(_long("A-long"), synthetic_dataset, "A", hints)
    on_a = _wait_started(jobs, a.job_id)["worker"]
    b = jobs.submit(tiny_job("B"), synthetic_dataset, "B", hints)
    on_b = _wait_started(jobs, b.job_id)["worker"]  # within the wait: A's job never ends alone
    assert on_a != on_b
    assert jobs.wait(b.job_id, timeout=120).status == FINISHED
    assert jobs.record(a.job_id).live  # B did not wait for A's job
    jobs.stop(a.job_id)
    assert jobs.wait(a.job_id, timeout=120).status == STOPPED


def test_a_waiting_job_takes_whichever_slot_frees_first(two_slots, tmp_path, synthetic_dataset):
    """Dask queues a job on one worker; the slot that frees first may be another's."""
    from emnist_core.jobs.client import JobClient
    from emnist_core.jobs.tasks import Names

    jobs = JobClient(two_slots, tmp_path / "runs")
    hints = (str(synthetic_dataset.source),)
    a = jobs.submit(_long("A-long"), synthetic_dataset, "A", hints)
    on_a = _wait_started(jobs, a.job_id)["worker"]
    b = jobs.submit(_long("B-long"), synthetic_dataset, "B", hints)
    on_b = _wait_started(jobs, b.job_id)["worker"]  # the free slot, not behind A's job
    assert on_a != on_b
    c = jobs.submit(tiny_job("C"), synthetic_dataset, "C", hints)
    key = Names(c.job_id).key

    def placed(dask_scheduler, key=key):
        ts = dask_scheduler.tasks.get(key)
        return None if ts is None or ts.processing_on is None else ts.processing_on.address

    deadline = time.monotonic() + 30
    while (queued_on := two_slots.client.run_on_scheduler(placed)) is None:
        assert time.monotonic() < deadline, "Dask did not place the waiting job"
        time.sleep(0.2)
    # Free the slot C is *not* queued behind: it must move there, not wait for its own.
    other, still_running = (b, a) if queued_on == on_a else (a, b)
    assert jobs.started(c.job_id) is None
    jobs.stop(other.job_id)
    note = _wait_started(jobs, c.job_id, refresh=True)
    assert note["worker"] != queued_on
    assert jobs.started(still_running.job_id) is not None
    assert jobs.record(still_running.job_id).live  # C did not wait for the job it sat behind
    ended = jobs.wait(c.job_id, timeout=120)
    assert ended.status == FINISHED, ended.error
    jobs.stop(still_running.job_id)
    assert jobs.wait(still_running.job_id, timeout=120).status == STOPPED
