"""Per-student limits: each check raises a LimitError that names the limit and its value."""

from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import LimitError

ASK = "Ask your instructor if you need more."


def check_epochs(limits: Limits, epochs: int) -> None:
    if epochs > limits.max_epochs:
        raise LimitError(
            f"Over the class limit 'maximum epochs': {epochs} epochs asked, at most "
            f"{limits.max_epochs} allowed. Lower the epochs. {ASK}"
        )


def check_params(limits: Limits, params: int) -> None:
    if params > limits.max_params:
        raise LimitError(
            f"Over the class limit 'maximum parameters': this model has {params:,} parameters, "
            f"at most {limits.max_params:,} allowed. Choose a smaller model. {ASK}"
        )


def check_jobs(limits: Limits, running: int, queued: int = 0) -> None:
    """Refuse one more job once the student has jobs_running + jobs_queued on the cluster.

    The limit named is the one the new job would break: it would wait in the queue, unless
    the student's waiting jobs are fewer than allowed (then the running ones are too many).
    """
    if running + queued < limits.jobs_running + limits.jobs_queued:
        return
    which, value = (
        ("jobs queued", limits.jobs_queued)
        if queued >= limits.jobs_queued
        else ("jobs running", limits.jobs_running)
    )
    raise LimitError(
        f"Over the class limit '{which}': you have {running} job(s) running and {queued} "
        f"queued, at most {value} allowed. Wait for one to finish or stop it. {ASK}"
    )


def check_upload(limits: Limits, size_bytes: int) -> None:
    if size_bytes > limits.upload_mb * 1024 * 1024:
        raise LimitError(
            f"Over the class limit 'upload size': the file has {size_bytes / 1e6:.1f} MB, at "
            f"most {limits.upload_mb} MB allowed. Use a smaller image. {ASK}"
        )


def count_params(config, num_classes: int) -> int:
    """Parameters of the model a config builds (imports Keras; call it off the page thread)."""
    from emnist_core.models.build import build_model

    return int(build_model(config, num_classes).count_params())


def check_training(limits: Limits, config, num_classes: int) -> None:
    """Epochs first (free to check), then parameters (builds the model once)."""
    check_epochs(limits, config.epochs)
    check_params(limits, count_params(config, num_classes))
