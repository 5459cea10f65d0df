"""The permission rules, as pure functions of a Principal and a run's or job's owner.

A student sees their own runs and the published ones, and may stop, rename and delete
only their own; the instructor sees everything, stops any job and publishes runs. A run
without an owner (trained before classroom mode) belongs to nobody: only instructors
see it unless it is published.
"""

from emnist_core.classroom.errors import PermissionDenied
from emnist_core.classroom.principal import Principal


def owns(principal: Principal, owner: str | None) -> bool:
    return owner is not None and owner == principal.user_id


def can_see_run(principal: Principal, owner: str | None, published: bool) -> bool:
    return principal.is_instructor or published or owns(principal, owner)


def can_change_run(principal: Principal, owner: str | None) -> bool:
    """Rename or delete: the owner, or the local administrator (CLI)."""
    return principal.is_admin or owns(principal, owner)


def can_publish(principal: Principal) -> bool:
    return principal.is_instructor


def can_see_job(principal: Principal, owner: str | None) -> bool:
    return principal.is_instructor or owns(principal, owner)


def can_stop_job(principal: Principal, owner: str | None) -> bool:
    return principal.is_instructor or owns(principal, owner)


def can_edit_class(principal: Principal) -> bool:
    """The Instructor page: limits, publishing, the class's jobs and leaderboard."""
    return principal.is_instructor


def can_download_data(principal: Principal) -> bool:
    """The data folder is the whole class's: only the instructor fills it."""
    return principal.is_instructor


def check_download(principal: Principal) -> None:
    """PermissionDenied, with what to do, unless this principal may download the data."""
    if not can_download_data(principal):
        raise PermissionDenied(
            "only the instructor downloads EMNIST into the class's data folder; ask them to."
        )
