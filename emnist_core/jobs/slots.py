"""Train slots across workers: where one is free, and moving waiting jobs onto free ones.

Dask places a task with a resource restriction by its estimate of each worker's backlog,
not by free resources: it sends the task to a worker that *has* a train slot, and the
worker holds it until its own slot frees. A training whose length Dask has not learned
looks short, so a job can be queued behind a busy worker while another worker's slot is
free. Two small steps close that gap, both on Dask's own machinery:

- a job handed to Dask is pointed (loosely) at the workers with a free slot now;
- a job already waiting on a busy worker is moved to a free slot with the scheduler's
  work-stealing request, which the worker refuses if the job has started meanwhile.

The functions named `*_on_scheduler` run inside the scheduler (`Client.run_on_scheduler`),
so they read its live state. An external scheduler that cannot import this package
cannot run them; the callers then fall back to Dask's own placement.
"""

from emnist_core.jobs.cluster import TRAIN_RESOURCE


def _taken(ws, resource: str) -> float:
    """Slots the tasks assigned to a worker ask for. Counted from its tasks, not read from
    `used_resources`, which a work-stealing move leaves on the old worker."""
    return sum((ts.resource_restrictions or {}).get(resource, 0) for ts in ws.processing)


def free_slots_on_scheduler(dask_scheduler, resource: str = TRAIN_RESOURCE) -> dict[str, int]:
    """worker address -> train slots not taken by a task assigned to it (running or waiting).

    A task counts from the moment the scheduler assigns it, so a worker with a task waiting
    for its slot shows none free. A move in flight counts against its thief.
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


def waiting_on_busy_workers(dask_scheduler, resource: str = TRAIN_RESOURCE) -> list:
    """Tasks assigned to a worker whose slots are all taken, not yet running, first first.

    "Not running" is the scheduler's view (heartbeats); the worker has the last word when a
    move is requested. A task pinned to its workers without leave to go elsewhere stays.
    """
    steal = dask_scheduler.extensions.get("stealing")
    in_flight = getattr(steal, "in_flight", {})
    waiting = []
    for ws in dask_scheduler.running:
        if _taken(ws, resource) <= ws.resources.get(resource, 0):
            continue  # nothing here waits for this worker's slot
        for ts in ws.processing:
            restricted = (ts.resource_restrictions or {}).get(resource)
            pinned = (ts.worker_restrictions or ts.host_restrictions) and not ts.loose_restrictions
            if restricted and not pinned and ts not in ws.executing and ts not in in_flight:
                waiting.append(ts)
    return sorted(waiting, key=lambda ts: ts.priority)


def move_waiting_on_scheduler(dask_scheduler, resource: str = TRAIN_RESOURCE) -> list[str]:
    """Ask to move each job waiting behind a busy worker to a free slot, in priority order.

    Returns the keys asked for. The worker confirms or refuses each move (it refuses a job
    that has started); a refused one stays where it was, so nothing runs twice.
    """
    steal = dask_scheduler.extensions.get("stealing")
    if steal is None:
        return []  # work stealing is switched off on this scheduler
    free = free_slots_on_scheduler(dask_scheduler, resource)
    asked = []
    for ts in waiting_on_busy_workers(dask_scheduler, resource):
        thief = next((address for address, n in free.items() if n > 0), None)
        if thief is None:
            break
        steal.move_task_request(ts, ts.processing_on, dask_scheduler.workers[thief])
        free[thief] -= 1
        asked.append(ts.key)
    return asked


def free_workers(client) -> list[str]:
    """Addresses of workers with a train slot free now; [] if the scheduler cannot tell."""
    try:
        return sorted(client.run_on_scheduler(free_slots_on_scheduler))
    except Exception:  # noqa: BLE001 - e.g. an external scheduler without this package
        return []


def move_waiting(client) -> list[str]:
    """Move jobs waiting behind busy workers onto free slots; the keys asked for."""
    try:
        return client.run_on_scheduler(move_waiting_on_scheduler)
    except Exception:  # noqa: BLE001 - placement stays Dask's own
        return []
