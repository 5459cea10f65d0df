"""The fair queue: per-owner limits at submission, and slots round-robin across owners.

Dask runs the queue. Every job gets a round when submitted (an owner's first waiting job
is in the current round, their next one in the round after) and the Dask priority -round;
workers start waiting tasks by priority, then by submission order, so slots go to each
owner in turn and one student cannot fill the queue ahead of the others.
"""

from dataclasses import dataclass

from emnist_core.errors import EmnistError


class QueueFullError(EmnistError):
    """A submission was refused; the message says why and what to do."""


@dataclass(frozen=True)
class Limits:
    """Jobs one owner may have at once: running, plus waiting for a slot."""

    running: int = 1
    queued: int = 2

    @property
    def total(self) -> int:
        return self.running + self.queued


@dataclass(frozen=True)
class QueuedJob:
    """A job still on the cluster (waiting or running), as the queue sees it."""

    job_id: str
    owner: str
    round: int
    submitted: float
    started: bool


def next_round(owner: str, active: list[QueuedJob]) -> int:
    """The round of an owner's new job: after their own jobs, never before the current round."""
    current = min((job.round for job in active), default=0)  # the round being served
    own = [job.round + 1 for job in active if job.owner == owner]
    return max([current, *own])


def admit(owner: str, active: list[QueuedJob], limits: Limits) -> int:
    """The new job's round; QueueFullError when the owner already has all the jobs they may."""
    mine = [job for job in active if job.owner == owner]
    if len(mine) >= limits.total:
        running = sum(job.started for job in mine)
        waiting = len(mine) - running
        # The limit a new job would break: it waits unless a running place is free.
        which = "waiting jobs" if waiting >= limits.queued else "running jobs"
        raise QueueFullError(
            f"{owner!r} already has {len(mine)} jobs on the cluster ({running} running, "
            f"{waiting} waiting): over the limit of {which}; each person may have "
            f"{limits.running} running and {limits.queued} waiting. Wait for one to finish, "
            "or stop one (jobs stop ID)."
        )
    return next_round(owner, active)


def priority(round_: int) -> int:
    """Dask runs higher priorities first: earlier rounds first."""
    return -round_


def waiting_order(active: list[QueuedJob]) -> list[QueuedJob]:
    """The waiting jobs in the order slots will go to them."""
    return sorted((job for job in active if not job.started), key=lambda j: (j.round, j.submitted))


def position(job_id: str, active: list[QueuedJob]) -> int | None:
    """1 for the next job to get a slot; None for a running or unknown job."""
    for place, job in enumerate(waiting_order(active), start=1):
        if job.job_id == job_id:
            return place
    return None
