"""Jobs as one principal may see and stop them; works on anything with .owner and .stop().

Written against the thread JobManager's Job today; a Dask-backed job plugs in by offering
the same two members.
"""

from collections.abc import Iterable
from typing import Protocol, TypeVar

from emnist_core.classroom import permissions
from emnist_core.classroom.errors import PermissionDenied
from emnist_core.classroom.principal import Principal, verified


class OwnedJob(Protocol):
    owner: str | None

    def stop(self) -> None: ...


J = TypeVar("J", bound=OwnedJob)


def visible_jobs(principal: Principal, jobs: Iterable[J]) -> list[J]:
    who = verified(principal)
    return [job for job in jobs if permissions.can_see_job(who, job.owner)]


def stop_job(principal: Principal, job: OwnedJob) -> None:
    """Stop a job if this principal may; PermissionDenied otherwise (the job keeps running)."""
    if not permissions.can_stop_job(verified(principal), job.owner):
        raise PermissionDenied("you can stop only your own jobs.")
    job.stop()


def owned_by(jobs: Iterable[OwnedJob], user_id: str) -> list[OwnedJob]:
    return [job for job in jobs if job.owner == user_id]
