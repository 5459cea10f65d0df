"""Train a model from a config, with a progress callback, a Stop flag, and an atomically saved run.

`train` works in the caller's thread or a background thread (the dashboard's worker).
Validation uses the stratified hold-out from train; the test split is touched only
after training, by evaluation. A Stop keeps the partial model as a run marked "stopped".
"""

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras

from emnist_core import settings
from emnist_core.atomic import check_destination
from emnist_core.data import Dataset, Split, train_val_split
from emnist_core.data.balance import class_weights
from emnist_core.errors import ConfigError
from emnist_core.models.build import build_model, current_learning_rate
from emnist_core.models.config import TrainingConfig
from emnist_core.models.numerics import model_precision
from emnist_core.training import drawn, feed
from emnist_core.training.finish import finish
from emnist_core.training.progress import Preparing, Progress, ProgressFn
from emnist_core.training.runs import Run, new_run_id, run_info, save_run


class _ProgressAndStop(keras.callbacks.Callback):
    """Reports every batch and epoch, and stops after the batch during which Stop was set."""

    def __init__(
        self,
        progress: ProgressFn | None,
        stop_event: threading.Event | None,
        epochs: int,
        steps_per_epoch: int,
    ):
        super().__init__()
        self.progress, self.stop_event = progress, stop_event
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.epoch, self.step, self.started = 0, 0, time.perf_counter()
        self.stopped_at: dict[str, int] | None = None
        self.epoch_seconds: list[float] = []
        self.learning_rates: list[float] = []

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.step, self.epoch_started = epoch + 1, 0, time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.step = batch + 1
        self._report("batch", logs or {})
        if self.stop_event is not None and self.stop_event.is_set():
            self.model.stop_training = True
            self.stopped_at = {"epoch": self.epoch, "step": self.step}

    def stop_before_training(self, model: keras.Model) -> None:
        """A Stop that came while the training images were drawn: no batch will run. One
        report at step 0 says so, as a batch's report would (a job's worker turns the first
        report after a Stop into the 'training stopped' the dashboard shows)."""
        self.set_model(model)
        self.epoch, self.step = 1, 0
        self.stopped_at = {"epoch": 1, "step": 0}
        self._report("batch", {})

    def drawing(self, done: int, total: int) -> None:
        """Reports the pen drawings made so far for training (drawn_share), before epoch 1."""
        if self.progress is not None:
            elapsed = time.perf_counter() - self.started
            self.progress(Preparing(done=done, total=total, elapsed=elapsed))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self.epoch_started)
        self.learning_rates.append(current_learning_rate(self.model))
        self._report("epoch", logs or {})

    def _report(self, event: str, logs: dict) -> None:
        if self.progress is None:
            return
        elapsed = time.perf_counter() - self.started
        done = (self.epoch - 1) * self.steps_per_epoch + self.step
        left = self.epochs * self.steps_per_epoch - done
        self.progress(
            Progress(
                event=event,
                epoch=self.epoch,
                epochs=self.epochs,
                step=self.step,
                steps_per_epoch=self.steps_per_epoch,
                loss=_num(logs.get("loss")),
                accuracy=_num(logs.get("accuracy")),
                val_loss=_opt(logs.get("val_loss")),
                val_accuracy=_opt(logs.get("val_accuracy")),
                learning_rate=current_learning_rate(self.model),
                elapsed=elapsed,
                eta=elapsed / max(done, 1) * max(left, 0),
            )
        )


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


def _callbacks(config: TrainingConfig, reporter: _ProgressAndStop, has_val: bool) -> list:
    callbacks: list = [reporter]
    if config.early_stopping and has_val:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=config.monitor,
                patience=config.patience,
                restore_best_weights=config.restore_best_weights,
            )
        )
    return callbacks


def _history(fit_history: keras.callbacks.History | None, reporter: _ProgressAndStop) -> dict:
    """Per-epoch metrics as plain lists, with the learning rate and the seconds each epoch took
    (no metrics when the run was stopped before its first batch)."""
    epochs = {} if fit_history is None else fit_history.history
    history = {key: [float(v) for v in values] for key, values in epochs.items()}
    history["learning_rate"] = reporter.learning_rates
    history["epoch_seconds"] = [round(s, 3) for s in reporter.epoch_seconds]
    return history


def train(
    config: TrainingConfig,
    dataset: Dataset,
    *,
    progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    runs_dir: Path | str | None = None,
    val_fraction: float = 0.1,
    name: str | None = None,
    command: str | None = None,
    preset: str | None = None,
    extra_callbacks: Sequence[keras.callbacks.Callback] | None = None,
    owner: str | None = None,
) -> Run:
    """Train the model config describes on dataset.train, evaluate on dataset.test, save a run.

    progress is called with a Progress after every batch and epoch; setting stop_event
    stops after the current batch and saves the partial run with status 'stopped'.
    extra_callbacks (any Keras callbacks: TensorBoard, CSVLogger, ...) run after the lab's own.
    owner (classroom mode) is the signed-in user id recorded in run.json.
    """
    keras.utils.set_random_seed(config.seed)
    fit_split, val_split = _hold_out(dataset, val_fraction, config.seed)
    steps = feed.steps_per_epoch(fit_split, config.batch_size)
    prior = fit_split.class_counts(dataset.num_classes) / len(fit_split)
    model = build_model(config, dataset.num_classes, steps_per_epoch=steps, class_prior=prior)
    _check_runs_folder(runs_dir, model)
    reporter = _ProgressAndStop(progress, stop_event, config.epochs, steps)
    started, cpu_started = time.perf_counter(), time.process_time()
    fit_split = drawn.with_drawings(
        fit_split, config.drawn_share, config.seed, stop_event, reporter.drawing
    )
    weights = class_weights(fit_split.labels, dataset.num_classes, config.class_weighting)
    if stop_event is not None and stop_event.is_set():  # stopped while drawing: fit would
        reporter.stop_before_training(model)  # still trace and run a batch (1-2 s) first
        fit_history = None
    else:
        fit_history = model.fit(
            feed.training_stream(fit_split, config.batch_size, config.seed, weights),
            steps_per_epoch=steps,
            shuffle=False,  # the stream shuffles each pass itself
            epochs=config.epochs,
            validation_data=None
            if val_split is None
            else feed.validation_stream(val_split, config.batch_size),
            validation_steps=None
            if val_split is None
            else feed.steps_per_epoch(val_split, config.batch_size),
            callbacks=[
                *_callbacks(config, reporter, val_split is not None),
                *(extra_callbacks or ()),
            ],
            verbose=0,
        )
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - cpu_started
    precision = model_precision(model)  # of the model that trained, before the float32 copy
    finished = finish(model, config, dataset, val_split)
    model = finished.model
    history = _history(fit_history, reporter)
    run_id = new_run_id(config.family)
    info = run_info(
        run_id=run_id,
        config=config,
        dataset=dataset,
        model=model,
        name=name,
        command=command,
        preset=preset,
        stopped_at=reporter.stopped_at,
        train_seconds=train_seconds,
        train_cpu_seconds=train_cpu_seconds,
        history=history,
        precision=precision,
        owner=owner,
        sizes={
            "train": len(fit_split),
            "test": len(dataset.test),
            "validation": 0 if val_split is None else len(val_split),
        },
    )
    return save_run(
        runs_dir,
        run_id,
        model=model,
        config=config,
        history=history,
        metrics=finished.metrics,
        info=info,
        results=finished.results,
    )


def _check_runs_folder(runs_dir: Path | str | None, model: keras.Model) -> None:
    """Before epoch 1: the runs folder is a writable folder with room for this run.

    model.keras holds the float32 weights and the optimizer's state (Adam keeps two
    slots per weight), so about three copies; the JSON files are well under a megabyte.
    """
    model_bytes = int(model.count_params()) * 4 * 3
    check_destination(
        settings.runs_dir(runs_dir), model_bytes + 1_000_000, "runs folder", model_bytes
    )


def _hold_out(dataset: Dataset, val_fraction: float, seed: int) -> tuple[Split, Split | None]:
    """(fit, validation) from the train split; no validation when val_fraction is 0."""
    if not 0.0 <= val_fraction <= 0.5:
        raise ConfigError(f"val_fraction={val_fraction!r} is not allowed: use a value in [0, 0.5].")
    if val_fraction == 0:
        return dataset.train, None
    return train_val_split(dataset.train, val_fraction=val_fraction, seed=seed)
