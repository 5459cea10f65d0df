"""The class's per-student limits and job permissions, applied where pages start or stop work.

Personal mode and instructors have no limits. Each refusal is a LimitError whose message
names the limit, shown by the page instead of starting the job.
"""

import json

from dashboard.session import identity
from emnist_core.classroom import jobs as class_jobs
from emnist_core.classroom import limits as rules
from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import PermissionDenied


def student_limits() -> Limits | None:
    """The limits that apply to this session: None in personal mode and for instructors."""
    config, who = identity.classroom(), identity.principal()
    if config is None:
        return None
    if who is None:
        raise PermissionDenied("classroom mode: sign in first.")
    return None if who.is_instructor else config.limits


def check_new_training(manager, configs: list, dataset) -> None:
    """Epochs, parameters (the cached model summary) and the student's jobs, before a start."""
    limits = student_limits()
    if limits is None:
        return
    from dashboard.session.model_cache import model_summary

    for config, _name, _preset in configs:
        rules.check_epochs(limits, config.epochs)
        _text, params = model_summary(json.dumps(config.to_dict()), dataset.num_classes)
        rules.check_params(limits, params)
    mine = [job for job in manager.running() if job.owner == identity.user_id()]
    # The thread JobManager has no queue: a job that cannot run now is refused.
    rules.check_jobs(limits, running=len(mine), queued=0, can_queue=False)


def check_upload(size_bytes: int) -> None:
    limits = student_limits()
    if limits is not None:
        rules.check_upload(limits, size_bytes)


def stop(job) -> None:
    """Stop a job: anyone in personal mode; in classroom mode only its owner or an instructor."""
    if not identity.classroom_mode():
        job.stop()
        return
    who = identity.principal()
    if who is None:
        raise PermissionDenied("classroom mode: sign in first.")
    class_jobs.stop_job(who, job)
