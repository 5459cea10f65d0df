"""Trials of killed workers on a journal file: failed and run again once, as a heartbeat would.

Optuna's JournalStorage has no heartbeat (only RDBStorage has), so a trial whose worker
was killed would stay RUNNING forever and hold a place in the trial budget. Each trial
records the host and process id of its worker; a worker starting on a journal marks the
RUNNING trials of dead processes on its own host as FAILED and enqueues their parameters
once, which is what RetryHeartbeatStaleTrialCallback does on a database. Trials of other
hosts are left alone: their processes cannot be seen from here.
"""

import fcntl
import os
import socket
import warnings
from dataclasses import dataclass
from pathlib import Path

import optuna
from optuna.trial import TrialState

from emnist_core.tuning.storage import JOURNAL_PREFIX, storage_url_of

MAX_RETRY = 1  # a trial that kills its worker twice is not a bad accident but a bad trial


@dataclass(frozen=True)
class Recovery:
    """What one worker found: trials of dead workers it failed, and those it enqueued again."""

    failed: tuple[int, ...] = ()
    retried: tuple[int, ...] = ()

    def message(self, study_name: str) -> str:
        numbers = ", ".join(f"#{n}" for n in self.failed)
        again = ", ".join(f"#{n}" for n in self.retried) or "none (each was already a retry)"
        return (
            f"recovered {len(self.failed)} trial(s) of study {study_name!r} whose worker on "
            f"{socket.gethostname()} is gone: {numbers} marked failed; run again: {again}"
        )


def record_worker(trial: optuna.Trial) -> None:
    """Tag a trial with the host and process that run it, so a later worker can tell it died."""
    trial.set_user_attr("host", socket.gethostname())
    trial.set_user_attr("pid", os.getpid())


def _process_lives(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _orphaned(trial: optuna.trial.FrozenTrial, host: str) -> bool:
    pid = trial.user_attrs.get("pid")
    mine = trial.user_attrs.get("host") == host and isinstance(pid, int)
    return trial.state == TrialState.RUNNING and mine and not _process_lives(pid)


def _fail_and_retry(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool | None:
    """Mark the trial failed and enqueue its parameters unless it already was a retry.

    Returns whether it was enqueued, or None when another process finished it meanwhile.
    """
    try:
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
    except optuna.exceptions.UpdateFinishedTrialError:
        return None
    failed = study._storage.get_trial(trial._trial_id)
    already = len(failed.system_attrs.get("retry_history", []))
    with warnings.catch_warnings():  # "experimental" since Optuna 2.8
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
    retry(study, failed)
    return already < MAX_RETRY


def recover_dead_trials(study: optuna.Study) -> Recovery:
    """On a journal storage, fail and re-enqueue (once) the RUNNING trials of dead local workers.

    A lock file next to the journal lets one worker at a time decide, so two workers starting
    together never enqueue the same trial twice. Other storages are left to their heartbeat.
    """
    url = storage_url_of(study)
    if not url.startswith(JOURNAL_PREFIX):
        return Recovery()
    lock_path = Path(url.removeprefix(JOURNAL_PREFIX)).expanduser().with_suffix(".recovery.lock")
    host, failed, retried = socket.gethostname(), [], []
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            outcome = _fail_and_retry(study, trial) if _orphaned(trial, host) else None
            if outcome is not None:
                failed.append(trial.number)
            if outcome:
                retried.append(trial.number)
    return Recovery(tuple(failed), tuple(retried))
