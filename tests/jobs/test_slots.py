"""Which workers have a free train slot, and which waiting jobs move to one (scheduler side).

The functions read the scheduler's state; these tests give them that state as plain
objects, to pin down the rules. test_queue.py checks the same on a real cluster.
"""

from types import SimpleNamespace

from emnist_core.jobs.slots import (
    free_slots_on_scheduler,
    move_waiting_on_scheduler,
    waiting_on_busy_workers,
)


class Node(SimpleNamespace):
    """A task or a worker: kept in sets by identity, as the scheduler's are."""

    __hash__ = object.__hash__
    __eq__ = object.__eq__


def _task(key, priority, train=1, workers=None, loose=False):
    return Node(
        key=key,
        priority=(priority,),
        resource_restrictions={"train": train} if train else None,
        worker_restrictions=workers,
        host_restrictions=None,
        loose_restrictions=loose,
        processing_on=None,
    )


def _worker(address, tasks, executing=(), slots=1, used=None):
    ws = Node(
        address=address,
        resources={"train": slots},
        used_resources={"train": used if used is not None else len(tasks)},
        processing=set(tasks),
        executing=dict.fromkeys(executing, 1.0),
    )
    for ts in tasks:
        ts.processing_on = ws
    return ws


class Stealing:
    def __init__(self):
        self.in_flight, self.asked = {}, []

    def move_task_request(self, ts, victim, thief):
        self.asked.append((ts.key, victim.address, thief.address))
        self.in_flight[ts] = {"victim": victim, "thief": thief}


def _scheduler(*workers, stealing=True):
    steal = Stealing() if stealing else None
    return SimpleNamespace(
        running=set(workers),
        workers={ws.address: ws for ws in workers},
        extensions={"stealing": steal} if steal else {},
    )


def test_a_slot_is_taken_by_any_assigned_task_not_by_the_stale_used_count():
    run, wait = _task("run", 0), _task("wait", 1)
    busy = _worker("w1", [run, wait], executing=[run])
    idle = _worker("w2", [], used=1)  # a steal left used_resources wrong: the tasks decide
    download = _worker("w3", [_task("download", 0, train=0)])
    assert free_slots_on_scheduler(_scheduler(busy, idle, download)) == {"w2": 1, "w3": 1}


def test_waiting_jobs_move_to_free_slots_first_priority_first():
    run, late, early = _task("run", 0), _task("late", 5), _task("early", 2)
    busy = _worker("w1", [run, late, early], executing=[run])
    idle = _worker("w2", [])
    scheduler = _scheduler(busy, idle)
    assert [ts.key for ts in waiting_on_busy_workers(scheduler)] == ["early", "late"]
    assert move_waiting_on_scheduler(scheduler) == ["early"]  # one free slot, one move
    assert scheduler.extensions["stealing"].asked == [("early", "w1", "w2")]
    # The move in flight takes the slot: asking again moves nothing more.
    assert move_waiting_on_scheduler(scheduler) == []


def test_a_running_job_or_one_pinned_without_leave_never_moves():
    run = _task("run", 0)
    pinned = _task("pinned", 1, workers={"w1"})
    loose = _task("loose", 2, workers={"w1"}, loose=True)
    busy = _worker("w1", [run, pinned, loose], executing=[run])
    scheduler = _scheduler(busy, _worker("w2", [], slots=2))
    assert move_waiting_on_scheduler(scheduler) == ["loose"]


def test_nothing_moves_without_work_stealing_or_a_free_slot():
    run, wait = _task("run", 0), _task("wait", 1)
    assert (
        move_waiting_on_scheduler(_scheduler(_worker("w1", [run, wait], [run]), stealing=False))
        == []
    )
    other = _task("other", 0)
    full = _scheduler(_worker("w1", [run, wait], [run]), _worker("w2", [other], [other]))
    assert move_waiting_on_scheduler(full) == []
