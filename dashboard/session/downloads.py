"""The sidebar's download as a job on the private cluster, visible to every session.

A worker process fetches and extracts the archive, so the 562 MB download outlives clicks,
page switches and reloads, and costs the server nothing. Each folder's latest download is
found by its label, so a second session sees the bar of a download the first one started.
"""

from pathlib import Path

from dashboard.session import class_limits, identity, train_jobs
from emnist_core.classroom import permissions
from emnist_core.errors import DataError
from emnist_core.jobs.downloads import DownloadSpec, download_label
from emnist_core.training.jobs import Job

# The archive's source: the official URLs (tests point it at a loopback server).
SOURCE: dict = {}


def start(folder: Path) -> Job:
    """Queue the download of folder; DataError with an external cluster (its workers' disks
    are not this machine's), QueueFullError if this session already has its jobs queued,
    PermissionDenied for a student in classroom mode."""
    if identity.classroom_mode():
        permissions.check_download(class_limits.signed_in())
    tracker = train_jobs.job_tracker()
    if not tracker.client.cluster.embedded:
        raise DataError(
            f"with an external cluster ({tracker.client.cluster.address}) the download would "
            f"land on a worker's disk, not this machine's. Download here with: emnist-lab data "
            f"download --data-dir {folder}"
        )
    spec = DownloadSpec(str(folder.resolve()), **SOURCE)
    return tracker.submit(spec, None, train_jobs.session_owner())


def allowed() -> bool:
    """Whether this session may start the download (anyone, except students in a class)."""
    who = identity.principal()
    return not identity.classroom_mode() or (who is not None and permissions.can_download_data(who))


def latest(folder: Path) -> Job | None:
    """The newest download job of folder on this server's cluster, if any."""
    if not train_jobs.cluster_started():
        return None
    label = download_label(folder.resolve())
    jobs = [job for job in train_jobs.job_tracker().jobs.values() if job.label == label]
    return max(jobs, key=lambda job: job.started, default=None)
