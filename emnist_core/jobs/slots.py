"""Train slots across workers: which workers have one free now.

Dask places a task with a resource restriction by its estimate of each worker's backlog,
not by free resources: it sends the task to a worker that *has* a train slot, and the
worker holds it until its own slot frees. A training whose length Dask has not learned
looks short, so a job can be queued behind a busy worker while another worker's slot is
free. So a job handed to Dask is pointed (loosely: `allow_other_workers`) at the workers
with a free slot now.

A job that must wait (every slot taken) still waits on the worker Dask picks, even if
another worker's slot frees first. Moving it with the scheduler's work-stealing request
was tried: the move ran the job, but the submitting client's future never heard that it
finished (2 of 3 runs, Dask 2026.8), so it is not done.

`free_slots_on_scheduler` runs inside the scheduler (`Client.run_on_scheduler`), so it
reads live state. An external scheduler that cannot import this package cannot run it;
the job then gets Dask's own placement.
"""

from emnist_core.jobs.cluster import TRAIN_RESOURCE


def _taken(ws, resource: str) -> float:
    """Slots the tasks assigned to a worker ask for. Counted from its tasks, not read from
    `used_resources`, which a work-stealing move leaves on the old worker."""
    return sum((ts.resource_restrictions or {}).get(resource, 0) for ts in ws.processing)


def free_slots_on_scheduler(dask_scheduler, resource: str = TRAIN_RESOURCE) -> dict[str, int]:
    """worker address -> train slots not taken by a task assigned to it (running or waiting).

    A task counts from the moment the scheduler assigns it, so a worker with a task waiting
    for its slot shows none free. A work-stealing move in flight counts against its thief.
    """
    free = {
        ws.address: int(ws.resources.get(resource, 0) - _taken(ws, resource))
        for ws in dask_scheduler.running
        if ws.resources.get(resource, 0) > 0
    }
    steal = dask_scheduler.extensions.get("stealing")
    for info in getattr(steal, "in_flight", {}).values():
        thief = info["thief"].address
        if thief in free:
            free[thief] -= 1
    return {address: n for address, n in free.items() if n > 0}


def free_workers(client) -> list[str]:
    """Addresses of workers with a train slot free now; [] if the scheduler cannot tell."""
    try:
        return sorted(client.run_on_scheduler(free_slots_on_scheduler))
    except Exception:  # noqa: BLE001 - e.g. an external scheduler without this package
        return []
