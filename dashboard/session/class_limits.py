"""Who owns this session's jobs, and the class's limits and job permissions where pages act.

Personal mode: the browser session owns its jobs, with the queue's default limits, and any
session may stop any job (today's behaviour). Classroom mode: the signed-in principal owns
them; submitting and stopping go through emnist_core.classroom.jobs, which checks the
principal, the job table's owner and the student's limits on the server.
"""

import json

from dashboard.session import identity
from emnist_core.classroom import jobs as class_jobs
from emnist_core.classroom import limits as rules
from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import PermissionDenied


def signed_in():
    """The principal of this session in classroom mode; PermissionDenied if nobody signed in."""
    who = identity.principal()
    if who is None:
        raise PermissionDenied("classroom mode: sign in first.")
    return who


def student_limits() -> Limits | None:
    """The limits that apply to this session: None in personal mode and for instructors."""
    config = identity.classroom()
    if config is None:
        return None
    return None if signed_in().is_instructor else config.limits


def _params_of(config, num_classes: int) -> int:
    from dashboard.session.model_cache import model_summary  # cached per config

    return model_summary(json.dumps(config.to_dict()), num_classes)[1]


def submit(job_tracker, spec, dataset, personal_owner: str, hints: tuple[str, ...]):
    """Queue a training job as this session; LimitError/QueueFullError say which limit.

    job_tracker() is called only once the model limits passed: a refused model starts no
    cluster. submit_job checks them again, beside the job limits, where the job is queued.
    """
    if not identity.classroom_mode():
        return job_tracker().submit(spec, dataset, personal_owner, hints=hints)
    limits = student_limits()
    if limits is not None:
        class_jobs.check_spec(limits, spec, dataset.num_classes, _params_of)
    return class_jobs.submit_job(
        signed_in(), job_tracker(), spec, dataset, limits, hints, params_of=_params_of
    )


def stop(job, tracker) -> None:
    """Stop a cluster job (a RemoteJob): anyone in personal mode; in classroom mode only its
    owner or an instructor, checked against the job table's owner, never the mirror's."""
    if not identity.classroom_mode():
        job.stop()
        return
    class_jobs.stop_job(signed_in(), tracker, job.job_id)


def stop_id(tracker, job_id: str) -> None:
    """Stop a cluster job by id (the instructor page): checked against the job table."""
    if not identity.classroom_mode():
        tracker.client.stop(job_id)
        return
    class_jobs.stop_job(signed_in(), tracker, job_id)


def check_upload(size_bytes: int) -> None:
    limits = student_limits()
    if limits is not None:
        rules.check_upload(limits, size_bytes)
