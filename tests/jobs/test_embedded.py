"""The real private cluster: submit, progress, Stop, a failure inside the job, a killed worker."""

import os
import signal
import time

import psutil

from emnist_core.jobs.store import FAILED, FINISHED, STOPPED
from emnist_core.training.runs import RunRegistry
from tests.fixtures import tiny_job


def _submit(jobs, dataset, spec, owner="tester"):
    return jobs.submit(spec, dataset, owner, hints=(str(dataset.source),))


def _wait_for_event(jobs, job_id, wanted, timeout=180.0) -> list[dict]:
    """Poll progress until an event passes `wanted`; every event seen so far."""
    seen: list[dict] = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        seen += jobs.poll(job_id)
        if any(wanted(event) for event in seen):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"no wanted event within {timeout} s; saw {seen[-3:]}")


def test_a_job_streams_progress_and_its_run_lands_in_the_registry(jobs, synthetic_dataset):
    record = _submit(jobs, synthetic_dataset, tiny_job("landed", epochs=2))
    events: list[dict] = []
    ended = jobs.wait(record.job_id, on_event=events.append, timeout=300)
    assert ended.status == FINISHED, ended.error
    kinds = [event.get("kind") or event.get("event") for event in events]
    assert kinds[0] == "start" and "batch" in kinds
    assert [e["epoch"] for e in events if e.get("event") == "epoch"] == [1, 2]
    assert all(e["host"] == ended.host for e in events if e.get("event"))
    runs = RunRegistry(jobs.runs_dir).list()
    assert [run.run_id for run in runs] == ended.run_ids
    assert runs[0].name == "landed" and runs[0].status == "complete"
    assert not list(jobs.runs_dir.glob(".landing-*"))
    assert record.job_id not in jobs.published()  # collected, so no longer held by the cluster


def test_a_job_that_ended_while_nobody_looked_reads_as_done_at_once(
    jobs, cluster, synthetic_dataset
):
    """The client holds its jobs' Futures: one made afresh would read "pending" until a
    round trip to the scheduler, and under load a poller never saw its job end."""
    from emnist_core.jobs.tasks import Names

    record = jobs.submit(tiny_job("unwatched"), synthetic_dataset, "A")
    key = Names(record.job_id).key
    deadline = time.monotonic() + 120
    state = lambda dask_scheduler: getattr(dask_scheduler.tasks.get(key), "state", None)  # noqa: E731
    while cluster.client.run_on_scheduler(state) != "memory":
        assert time.monotonic() < deadline, "the job did not finish within 120 s"
        time.sleep(0.2)
    time.sleep(0.5)
    assert jobs.published()[record.job_id]["future"].done()
    assert jobs.wait(record.job_id, timeout=60).status == FINISHED


def test_stop_ends_the_job_within_a_batch_and_keeps_the_partial_run(jobs, synthetic_dataset):
    record = _submit(jobs, synthetic_dataset, tiny_job("stopped", epochs=500))
    seen = _wait_for_event(jobs, record.job_id, lambda e: e.get("event") == "batch")
    jobs.stop(record.job_id)
    ended = jobs.wait(record.job_id, on_event=seen.append, timeout=120)
    assert ended.status == STOPPED
    run = RunRegistry(jobs.runs_dir).get(ended.run_ids[0])
    assert run.status == "stopped" and run.info["stopped_at"]["epoch"] < 500
    seen_at = next(e for e in seen if e.get("kind") == "stop_seen")
    steps = seen_at["steps_per_epoch"]
    stopped = run.info["stopped_at"]
    seen_batch = (seen_at["epoch"] - 1) * steps + seen_at["step"]
    # training ended after the batch during which the worker learned of the Stop, or after
    # the next one when the Stop came between batches (during the epoch's validation)
    assert 0 <= (stopped["epoch"] - 1) * steps + stopped["step"] - seen_batch <= 1


def test_a_failure_inside_the_job_marks_it_failed_with_the_message(jobs, synthetic_dataset):
    record = _submit(jobs, synthetic_dataset, tiny_job("broken", dropout=1.5))
    ended = jobs.wait(record.job_id, timeout=120)
    assert ended.status == FAILED
    assert "dropout=1.5 is not allowed" in ended.error
    assert RunRegistry(jobs.runs_dir).list() == []


def test_a_worker_killed_mid_job_fails_the_job_and_the_cluster_recovers(
    jobs, cluster, synthetic_dataset
):
    record = _submit(jobs, synthetic_dataset, tiny_job("doomed", epochs=500))
    seen = _wait_for_event(jobs, record.job_id, lambda e: e.get("event") == "batch")
    worker = next(e["worker"] for e in seen if e.get("kind") == "start")
    pid = cluster.client.run(os.getpid, workers=[worker])[worker]
    os.kill(pid, signal.SIGKILL)
    ended = jobs.wait(record.job_id, timeout=120)
    assert ended.status == FAILED and "worker running this job died" in ended.error
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    again = _submit(jobs, synthetic_dataset, tiny_job("after"))
    assert jobs.wait(again.job_id, timeout=300).status == FINISHED  # the nanny restarted it


def _listeners(pids: list[int]) -> list[tuple[str, int]]:
    processes = []
    for pid in pids:
        parent = psutil.Process(pid)
        processes += [parent, *parent.children(recursive=True)]
    addresses = []
    for process in processes:
        for conn in process.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN:
                addresses.append((conn.laddr.ip, conn.laddr.port))
    return addresses


def test_every_listener_of_the_cluster_is_on_loopback(cluster):
    listeners = _listeners(cluster.pids())
    assert len(listeners) >= 4  # scheduler + its HTTP, nanny, worker (+ worker HTTP)
    assert {ip for ip, _ in listeners} == {"127.0.0.1"}, listeners


def test_training_workers_yield_the_cores_to_the_app(cluster):
    """The workers run at a lower priority than the app, so pages stay quick while jobs train."""
    from emnist_core.jobs.cluster import WORKER_NICENESS

    niceness = cluster.client.run(os.nice, 0)  # os.nice(0) reads the process's niceness
    assert niceness and set(niceness.values()) == {os.nice(0) + WORKER_NICENESS}


def test_a_training_worker_draws_in_its_own_process_and_leaves_the_app_a_core(cluster):
    """A pool on every core made page switches slow while a job drew its pen drawings, so
    the private cluster's workers stay daemons, which draw in their own process."""
    from emnist_core.training.drawn import drawing_processes

    assert set(cluster.client.run(drawing_processes).values()) == {1}


def test_a_restarted_app_reattaches_to_a_running_job(jobs, cluster, synthetic_dataset):
    from emnist_core.jobs.client import JobClient
    from emnist_core.jobs.cluster import connect
    from emnist_core.jobs.tracker import JobTracker

    record = _submit(jobs, synthetic_dataset, tiny_job("survivor", epochs=3))
    _wait_for_event(jobs, record.job_id, lambda e: e.get("kind") == "start")
    restarted = connect(cluster.address)  # a new process's own connection, same registry
    tracker = JobTracker(JobClient(restarted, jobs.runs_dir))
    try:
        job = tracker.get(record.job_id)
        assert job is not None and job.label == "survivor" and job.running
        assert job.wait(300) and job.status == "finished", job.error
        assert job.host and job.epochs  # progress reached the new tracker
        assert [run.name for run in RunRegistry(jobs.runs_dir).list()] == ["survivor"]
    finally:
        tracker.close()
        restarted.close()
