"""Training jobs on the Dask cluster as one principal may submit, see and stop them.

A job's owner is the one the registry's job table recorded at submission (JobRecord.owner),
taken from the sealed principal that submitted it; nothing a browser sends sets it. Stop
looks the job id up in that table and checks the principal against the recorded owner,
here where the stop happens, so a job id from another session is refused.
"""

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import TypeVar

from emnist_core.classroom import limits as rules
from emnist_core.classroom import permissions
from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import PermissionDenied
from emnist_core.classroom.principal import Principal, verified
from emnist_core.data import Dataset
from emnist_core.jobs import queue as fair
from emnist_core.jobs.client import JobError
from emnist_core.jobs.tasks import JobSpec
from emnist_core.jobs.tracker import JobTracker, RemoteJob

NOT_YOURS = "no job {job_id!r} of yours to stop; you can stop only your own jobs."


J = TypeVar("J")


def visible_jobs(principal: Principal, jobs: Iterable[J]) -> list[J]:
    """The jobs (RemoteJob, JobRecord or in-server Job) whose owner this principal may see."""
    who = verified(principal)
    return [job for job in jobs if permissions.can_see_job(who, job.owner)]


def queue_limits(limits: Limits) -> fair.Limits:
    """A student's class limits as the fair queue's per-owner limits."""
    return fair.Limits(running=limits.jobs_running, queued=limits.jobs_queued)


def check_spec(
    limits: Limits, spec: JobSpec, num_classes: int, params_of: Callable | None = None
) -> None:
    """Epochs, then parameters, of every model of a training job; LimitError names the limit.

    params_of(config, num_classes) counts parameters (default: builds the model once). A
    study's epochs are checked here (the most its space allows); its parameters depend on
    each trial's sampled config, so the worker checks them per trial (StudySpec.check).
    Specs without models or a space (an analysis) train nothing the student configured.
    """
    from emnist_core.models.config import config_from_dict

    count = params_of or rules.count_params
    if getattr(spec, "space", None) is not None:
        rules.check_epochs(limits, most_epochs(spec.space))
    for model in getattr(spec, "models", ()):
        config = config_from_dict(model.config)
        rules.check_epochs(limits, config.epochs)
        rules.check_params(limits, count(config, num_classes))


def most_epochs(space) -> int:
    """The most epochs a search space lets a trial train."""
    from emnist_core.tuning.space import Choice, Range

    param = space.params.get("epochs")
    if param is None:
        return int(space.base_config.epochs)
    if isinstance(param, Range):
        return int(param.high)
    return int(max(param.values) if isinstance(param, Choice) else param.value)


def check_jobs(limits: Limits, tracker: JobTracker, owner: str) -> None:
    """The owner's jobs on the cluster against 'jobs running' and 'jobs queued'."""
    mine = [job for job in tracker.client.active() if job.owner == owner]
    running = sum(job.started for job in mine)
    rules.check_jobs(limits, running=running, queued=len(mine) - running)


def submit_job(
    principal: Principal,
    tracker: JobTracker,
    spec: JobSpec,
    dataset: Dataset,
    limits: Limits | None,
    hints: tuple[str, ...] = (),
    params_of: Callable | None = None,
) -> RemoteJob:
    """Queue a job (JobSpec, StudySpec, ...) owned by principal; a student first passes their
    class limits.

    limits None (instructors) means the queue's defaults. The job's owner, and the owner of
    the runs it saves (specs with an owner field), is the principal's id, whatever the spec
    says.
    """
    who = verified(principal)
    if "owner" in {spec_field.name for spec_field in dataclasses.fields(spec)}:
        spec = dataclasses.replace(spec, owner=who.user_id)
    if limits is None or who.is_instructor:
        return tracker.submit(spec, dataset, who.user_id, hints)
    check_spec(limits, spec, dataset.num_classes, params_of)
    if "check" in {spec_field.name for spec_field in dataclasses.fields(spec)}:
        spec = dataclasses.replace(spec, check=functools.partial(rules.check_training, limits))
    check_jobs(limits, tracker, who.user_id)
    return tracker.submit(spec, dataset, who.user_id, hints, limits=queue_limits(limits))


def stop_job(principal: Principal, tracker: JobTracker, job_id: str) -> None:
    """Stop a cluster job if the job table says this principal may; PermissionDenied otherwise.

    An unknown id reads like someone else's to a student, so ids cannot be probed.
    """
    who = verified(principal)
    try:
        record = tracker.client.record(job_id)
    except JobError:
        if who.is_instructor:
            raise
        raise PermissionDenied(NOT_YOURS.format(job_id=job_id)) from None
    if not permissions.can_stop_job(who, record.owner):
        raise PermissionDenied(NOT_YOURS.format(job_id=job_id))
    mirror = tracker.get(job_id)
    if mirror is not None:
        mirror.stop()
    else:
        tracker.client.stop(job_id)
