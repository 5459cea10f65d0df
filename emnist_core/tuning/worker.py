"""Hyperparameter search with Optuna: every trial is an ordinary saved run made by `train()`.

Trials are selected on validation accuracy only; the test split is read by train()'s
evaluation and reported for the best trial, never used to choose. A study lives in an
Optuna storage: a journal file under artifacts/ by default, or any database URL Optuna
accepts (PostgreSQL lets workers on several machines join one study by running the same
command). The trial budget is the study's total, shared by every worker.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from emnist_core.atomic import write_json
from emnist_core.errors import ConfigError, EmnistError
from emnist_core.tuning.recovery import record_worker, recover_dead_trials
from emnist_core.tuning.reports import best_trial_info, state_counts
from emnist_core.tuning.space import SearchSpace
from emnist_core.tuning.space_files import space_from_dict
from emnist_core.tuning.storage import (
    StudyError,
    fail_stale_trials,
    open_storage,
    redact,
    storage_url_of,
)

SAMPLERS = ("tpe", "random")
# States that use up the trial budget. Failed trials (a killed worker, an impossible
# combination) do not, so a resumed study still reaches its number of useful trials;
# nor do waiting (enqueued) ones, which the next trials run first.
BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
MAX_FAILURES_IN_A_ROW = 3  # a worker gives up after this many, instead of looping forever

EventFn = Callable[[dict], None]


@dataclass(frozen=True)
class TuneSettings:
    """How to search (not what): sampler, budgets, pruning and worker liveness."""

    sampler: str = "tpe"
    trials: int | None = 20  # the study's total, shared by every worker
    timeout: float | None = None  # seconds for this worker; no new trial starts after it
    seed: int | None = None  # None: each worker samples differently (needed for several workers)
    prune: bool = True
    pruner_startup_trials: int = 3  # never prune until this many trials have completed
    prune_from_epoch: int = 1  # the first epoch at whose end a trial may be pruned
    val_fraction: float = 0.1
    heartbeat_seconds: int = 20  # a trial silent for 3x this is marked failed

    def __post_init__(self) -> None:
        checks = [
            (self.sampler in SAMPLERS, "sampler", f"one of {', '.join(SAMPLERS)}"),
            (self.trials is None or self.trials >= 1, "trials", "at least 1 (or unset)"),
            (self.timeout is None or self.timeout > 0, "timeout", "> 0 seconds (or unset)"),
            (
                self.trials is not None or self.timeout is not None,
                "trials",
                "set, or a timeout set: a study needs a trial budget or a time budget",
            ),
            (self.pruner_startup_trials >= 0, "pruner_startup_trials", ">= 0"),
            (self.prune_from_epoch >= 1, "prune_from_epoch", ">= 1"),
            (
                0.0 < self.val_fraction <= 0.5,
                "val_fraction",
                "in (0, 0.5]: trials are selected on the validation hold-out",
            ),
            (self.heartbeat_seconds >= 1, "heartbeat_seconds", ">= 1"),
        ]
        for ok, name, allowed in checks:
            if not ok:
                raise ConfigError(
                    f"{name}={getattr(self, name)!r} is not allowed: {name} must be {allowed}."
                )


@dataclass(frozen=True)
class StudyResult:
    """How a worker's run of a study ended, and the best trial of the whole study so far."""

    study_name: str
    trials_run: int  # by this worker
    states: dict[str, int]  # the whole study
    best: dict[str, Any] | None  # see best_trial_info
    seconds: float
    stopped: bool


def _sampler(settings: TuneSettings) -> optuna.samplers.BaseSampler:
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=settings.seed)
    return optuna.samplers.TPESampler(seed=settings.seed, n_startup_trials=5)


def _pruner(settings: TuneSettings) -> optuna.pruners.BasePruner:
    if not settings.prune:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(
        n_startup_trials=settings.pruner_startup_trials, n_warmup_steps=settings.prune_from_epoch
    )


def stored_space(study: optuna.Study) -> SearchSpace | None:
    data = study.user_attrs.get("space")
    return None if data is None else space_from_dict(data)


def open_study(
    space: SearchSpace | None,
    *,
    name: str,
    storage: str | None = None,
    settings: TuneSettings = TuneSettings(),
    resume: bool = False,
) -> optuna.Study:
    """Create the study, or join it when it exists with the same space; checked before training.

    resume: the study must exist; space may be None to reuse the stored one. A name that
    exists with a different space is a StudyError (a study compares like with like).
    """
    rdb = open_storage(storage, settings.heartbeat_seconds)
    exists = name in optuna.get_all_study_names(storage=rdb)
    if resume and not exists:
        known = ", ".join(optuna.get_all_study_names(storage=rdb)) or "none"
        raise StudyError(
            f"there is no study {name!r} to resume in {redact(rdb.url)} (studies "
            f"there: {known}); drop --resume to start it."
        )
    study = optuna.create_study(
        storage=rdb,
        study_name=name,
        direction="maximize",
        sampler=_sampler(settings),
        pruner=_pruner(settings),
        load_if_exists=True,
    )
    _check_or_store_space(study, space, rdb.url)
    return study


def _check_or_store_space(study: optuna.Study, space: SearchSpace | None, url: str) -> None:
    stored = study.user_attrs.get("space")
    if stored is None:
        if space is None:
            raise StudyError(f"study {study.study_name!r} has no stored search space; give one.")
        study.set_user_attr("space", space.to_dict())
        study.set_user_attr("family", space.family)
    elif space is not None and stored != space.to_dict():
        raise StudyError(
            f"study {study.study_name!r} in {redact(url)} already exists with a different search "
            f"space (family {stored.get('family')}, base {stored.get('base')}, fields "
            f"{', '.join(sorted(stored.get('params', {})))}). Choose another --study name, or pass "
            "--resume without --space to continue it with its own space."
        )


def _data_record(dataset) -> dict[str, Any]:
    return {
        "label": dataset.label,
        "train": len(dataset.train),
        "test": len(dataset.test),
        "classes": dataset.num_classes,
        "synthetic": bool(dataset.synthetic),
    }


def _check_or_store_data(study: optuna.Study, dataset) -> None:
    """Workers of one study must train on the same data, or their scores do not compare."""
    mine, stored = _data_record(dataset), study.user_attrs.get("data")
    if stored is None:
        study.set_user_attr("data", mine)
    elif {k: stored.get(k) for k in ("train", "test", "classes", "synthetic")} != {
        k: mine[k] for k in ("train", "test", "classes", "synthetic")
    }:
        raise StudyError(
            f"study {study.study_name!r} was run on {stored.get('label')} "
            f"({stored.get('train')} train images) but this worker has "
            f"{mine['label']} ({mine['train']}); point --data-dir at the same data."
        )


def selection_score(config, history: dict) -> float:
    """Validation accuracy of the model train() kept: the restored best epoch, else the last."""
    accuracies = history.get("val_accuracy") or []
    if not accuracies:
        raise StudyError("the run has no validation accuracy; tuning needs a validation hold-out.")
    index = len(accuracies) - 1
    monitored = history.get(config.monitor) or []
    if config.early_stopping and config.restore_best_weights and len(monitored) == len(accuracies):
        sign = -1.0 if config.monitor.endswith("loss") else 1.0
        scores = [sign * v if v == v else float("-inf") for v in monitored]  # NaN is worst
        index = scores.index(max(scores))
    return float(accuracies[index])


def tag_run(run, study_name: str, trial_number: int, storage_url: str) -> None:
    """Record the study and trial in the finished run's run.json (atomically)."""
    info = dict(
        run.info, tags={"study": study_name, "trial": trial_number, "storage": redact(storage_url)}
    )
    write_json(run.run_dir / "run.json", info)
    run.info = info


class _TrialWatch:
    """train()'s progress callback for one trial: reports epochs to the pruner, forwards events.

    Setting its own stop event makes train() stop after the current batch; that is how
    both a prune and the user's Stop end a trial.
    """

    def __init__(self, trial: optuna.Trial, user_stop: threading.Event, on_event: EventFn | None):
        self.trial, self.user_stop, self.on_event = trial, user_stop, on_event
        self.stop = threading.Event()
        self.pruned_at: int | None = None

    def __call__(self, progress) -> None:
        if self.on_event is not None:
            self.on_event({**progress.to_dict(), "trial": self.trial.number})
        if self.user_stop.is_set():
            self.stop.set()
        judged = progress.event == "epoch" and progress.val_accuracy is not None
        if judged and not self.stop.is_set():
            self.trial.report(progress.val_accuracy, step=progress.epoch)
            if progress.epoch < progress.epochs and self.trial.should_prune():
                self.pruned_at = progress.epoch
                self.stop.set()


def _budget_used(study: optuna.Study, up_to: int | None = None) -> int:
    """Trials that count towards the budget (numbered up to `up_to`, if given)."""
    trials = study.get_trials(deepcopy=False, states=BUDGET_STATES)
    return len([t for t in trials if up_to is None or t.number <= up_to])


class _Worker:
    """One worker's loop over trials of a study (a CLI process or a dashboard job)."""

    def __init__(self, study, space, dataset, settings, runs_dir, on_event, stop_event, check):
        self.study, self.space, self.dataset, self.settings = study, space, dataset, settings
        self.runs_dir, self.on_event = runs_dir, on_event or (lambda event: None)
        self.check = check or (lambda config: None)
        self.stop_event = stop_event or threading.Event()
        self.trials_run, self.failures_in_a_row, self.last_error = 0, 0, ""

    def objective(self, trial: optuna.Trial) -> float:
        from emnist_core.training.loop import train

        record_worker(trial)
        try:
            config = self.space.suggest(trial)
            self.check(config)
        except EmnistError as error:  # an impossible combination, or over a class limit: fail
            # this trial, go on
            trial.set_user_attr("error", str(error))
            raise
        trial.set_user_attr("config", config.to_dict())
        self.on_event(
            {
                "kind": "trial",
                "phase": "start",
                "trial": trial.number,
                "position": _budget_used(self.study, trial.number),
                "of": self.settings.trials,
                "params": dict(trial.params),
            }
        )
        watch = _TrialWatch(trial, self.stop_event, self.on_event)
        try:
            run = train(
                config,
                self.dataset,
                progress=watch,
                stop_event=watch.stop,
                runs_dir=self.runs_dir,
                val_fraction=self.settings.val_fraction,
                name=f"{self.study.study_name} #{trial.number}",
                command=f"emnist_core tune: study {self.study.study_name!r}, trial {trial.number}",
            )
        except Exception as error:  # recorded on the trial, which Optuna then marks failed
            trial.set_user_attr("error", f"{type(error).__name__}: {error}")
            raise
        tag_run(run, self.study.study_name, trial.number, storage_url_of(self.study))
        trial.set_user_attr("run_id", run.run_id)
        trial.set_user_attr("run_dir", str(run.run_dir))
        trial.set_user_attr(
            "test_metrics", {k: v for k, v in run.metrics.items() if isinstance(v, (int, float))}
        )
        if watch.pruned_at is not None:
            raise optuna.TrialPruned(
                f"pruned after epoch {watch.pruned_at}: validation accuracy "
                "below the median of earlier trials"
            )
        if self.stop_event.is_set():
            trial.set_user_attr("stopped", "by the user")
            raise optuna.TrialPruned("stopped by the user")
        return selection_score(config, run.history)

    def after_trial(self, study: optuna.Study, frozen: optuna.trial.FrozenTrial) -> None:
        self.trials_run += 1
        failed = frozen.state == TrialState.FAIL
        self.failures_in_a_row = self.failures_in_a_row + 1 if failed else 0
        if failed:
            self.last_error = str(frozen.user_attrs.get("error", "unknown error"))
        best = best_trial_info(study)
        self.on_event(
            {
                "kind": "trial",
                "phase": "end",
                "trial": frozen.number,
                "state": frozen.state.name,
                "value": frozen.value,
                "epochs": len(frozen.intermediate_values),
                "seconds": frozen.duration.total_seconds() if frozen.duration else None,
                "error": self.last_error if failed else None,
                "best_trial": best and best["number"],
                "best_value": best and best["val_accuracy"],
            }
        )

    def done(self, started: float) -> bool:
        timeout = self.settings.timeout
        late = timeout is not None and time.monotonic() - started >= timeout
        if self.stop_event.is_set() or late:
            return True
        fail_stale_trials(self.study)  # databases: missed heartbeats
        recovered = recover_dead_trials(self.study)  # journal files: dead local processes
        if recovered.failed:
            message = recovered.message(self.study.study_name)
            failed, retried = list(recovered.failed), list(recovered.retried)
            self.on_event(
                {"kind": "recovery", "failed": failed, "retried": retried, "message": message}
            )
        trials = self.settings.trials
        return trials is not None and _budget_used(self.study) >= trials

    def run(self) -> StudyResult:
        started = time.monotonic()
        while not self.done(started):
            self.study.optimize(
                self.objective, n_trials=1, catch=(Exception,), callbacks=[self.after_trial]
            )
            if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                raise StudyError(
                    f"{MAX_FAILURES_IN_A_ROW} trials in a row failed; the last error: "
                    f"{self.last_error}. Fix the search space and resume the study."
                )
        return StudyResult(
            self.study.study_name,
            self.trials_run,
            state_counts(self.study),
            best_trial_info(self.study),
            time.monotonic() - started,
            self.stop_event.is_set(),
        )


def run_study(
    study: optuna.Study,
    dataset,
    *,
    space: SearchSpace | None = None,
    settings: TuneSettings = TuneSettings(),
    runs_dir: Path | str | None = None,
    on_event: EventFn | None = None,
    stop_event: threading.Event | None = None,
    check: Callable[[Any], None] | None = None,
) -> StudyResult:
    """Run trials until the study holds settings.trials trials, the timeout passes or Stop is set.

    on_event receives dicts: {"kind": "trial", "phase": "start"|"end", ...} per trial, and
    train()'s batch/epoch progress with the trial number added. check(config) may refuse a
    sampled config before it trains (a classroom's limits): that trial fails with its message.
    """
    space = space or stored_space(study)
    if space is None:
        raise StudyError(f"study {study.study_name!r} has no stored search space; give one.")
    if dataset.num_classes < 2 or len(dataset.train) < 2:
        raise EmnistError("tuning needs a dataset with at least two classes and images.")
    _check_or_store_data(study, dataset)
    worker = _Worker(study, space, dataset, settings, runs_dir, on_event, stop_event, check)
    return worker.run()
