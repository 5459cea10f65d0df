"""Training: progress reports, Stop within one batch, background threads, seeds."""

import threading
from itertools import pairwise

import numpy as np
import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.training.loop import train
from emnist_core.training.progress import Progress
from emnist_core.training.runs import RunRegistry

TINY_MLP = MLPConfig(hidden_units=(16,), epochs=2, batch_size=64, early_stopping=False)
TINY_CNN = CNNConfig(
    conv_filters=(4,), dense_units=(), epochs=2, batch_size=64, early_stopping=False
)


def test_progress_reports_every_batch_and_epoch(synthetic_dataset, tmp_path):
    events: list[Progress] = []
    run = train(TINY_MLP, synthetic_dataset, progress=events.append, runs_dir=tmp_path)
    batches = [e for e in events if e.event == "batch"]
    epochs = [e for e in events if e.event == "epoch"]
    steps = batches[0].steps_per_epoch
    assert steps == int(np.ceil(run.info["data"]["sizes"]["train"] / 64))
    assert len(batches) == 2 * steps and len(epochs) == 2
    assert [e.step for e in batches[:steps]] == list(range(1, steps + 1))
    assert [e.epoch for e in epochs] == [1, 2]
    assert all(e.val_loss is None for e in batches)
    assert all(e.val_accuracy is not None and e.val_loss > 0 for e in epochs)
    assert all(e.learning_rate == pytest.approx(1e-3) for e in events)
    assert batches[-1].eta == pytest.approx(0.0) and batches[0].eta > 0
    assert all(b.elapsed <= a.elapsed for b, a in zip(events, events[1:], strict=False))
    assert set(Progress.__dataclass_fields__) <= set(events[0].to_dict())


def test_history_and_run_record_the_training(synthetic_dataset, tmp_path):
    run = train(
        TINY_MLP.replace(lr_schedule="exponential", decay_rate=0.5),
        synthetic_dataset,
        runs_dir=tmp_path,
        name="tiny",
        preset="quick",
        command="pytest",
    )
    assert run.status == "complete" and run.info["stopped_at"] is None
    assert run.name == "tiny" and run.info["preset"] == "quick" and run.info["command"] == "pytest"
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "epoch_seconds"):
        assert len(run.history[key]) == 2, key
    # the exponential schedule halves the rate every epoch
    assert run.history["learning_rate"] == pytest.approx([5e-4, 2.5e-4], rel=1e-4)
    assert run.info["timing"]["epochs_run"] == 2 and run.info["params"] > 0
    assert run.info["data"]["synthetic"] is True
    assert run.info["data"]["classes"] == synthetic_dataset.classes
    sizes = run.info["data"]["sizes"]
    assert sizes["train"] + sizes["validation"] == len(synthetic_dataset.train)
    assert sizes["test"] == len(synthetic_dataset.test)
    assert 0.0 <= run.metrics["accuracy"] <= 1.0 and run.metrics["loss"] > 0


@pytest.mark.parametrize("stop_at", [1, 4])
def test_stop_takes_effect_within_one_batch(synthetic_dataset, tmp_path, stop_at):
    stop, seen = threading.Event(), []

    def progress(event: Progress) -> None:
        if event.event == "batch":
            seen.append((event.epoch, event.step))
            if len(seen) == stop_at:
                stop.set()

    run = train(
        TINY_CNN.replace(epochs=5, batch_size=32),
        synthetic_dataset,
        progress=progress,
        stop_event=stop,
        runs_dir=tmp_path,
    )
    assert len(seen) == stop_at  # the batch during which Stop was set is the last one
    assert run.status == "stopped"
    assert run.info["stopped_at"] == {"epoch": seen[-1][0], "step": seen[-1][1]}
    assert [r.run_id for r in RunRegistry(tmp_path).list()] == [run.run_id]
    assert run.load_model().output_shape == (None, synthetic_dataset.num_classes)


def test_a_stop_while_drawing_skips_training_and_saves_a_stopped_run(
    synthetic_dataset, tmp_path, monkeypatch
):
    """A Stop during the pen drawings runs no batch at all (fit would first trace for a
    second or two), yet reports once, so the job shows 'training stopped' at once."""
    from emnist_core.training import drawn

    stop, events = threading.Event(), []
    real = drawn._draw_one

    def draw_and_stop(image, seed):
        stop.set()
        return real(image, seed)

    monkeypatch.setattr(drawn, "_draw_one", draw_and_stop)
    run = train(
        TINY_CNN.replace(drawn_share=0.5),
        synthetic_dataset,
        progress=events.append,
        stop_event=stop,
        runs_dir=tmp_path,
    )
    assert [(e.event, e.done) for e in events if e.event == "drawing"] == [("drawing", 0)]
    assert [(e.event, e.epoch, e.step) for e in events if e.event != "drawing"] == [("batch", 1, 0)]
    assert run.status == "stopped" and run.info["stopped_at"] == {"epoch": 1, "step": 0}
    assert run.history.get("loss", []) == [] and run.history["epoch_seconds"] == []
    assert run.load_model().output_shape == (None, synthetic_dataset.num_classes)


def test_the_drawings_before_epoch_1_report_their_own_progress(synthetic_dataset, tmp_path):
    """Half a minute of drawing for the tuned CNN must not look like a stuck bar: training
    reports how many drawings are made, from 0 to all, before its first batch."""
    events = []
    train(
        TINY_CNN.replace(drawn_share=0.5, epochs=1),
        synthetic_dataset,
        progress=events.append,
        runs_dir=tmp_path,
    )
    kinds = [e.event for e in events]
    first_batch = kinds.index("batch")
    drawing = events[:first_batch]
    assert {e.event for e in drawing} == {"drawing"} and "drawing" not in kinds[first_batch:]
    total = drawing[0].total
    assert total > 0 and [drawing[0].done, drawing[-1].done] == [0, total]
    assert all(e.total == total for e in drawing)
    assert all(a.done <= b.done and a.elapsed <= b.elapsed for a, b in pairwise(drawing))


def test_training_in_a_background_thread(synthetic_dataset, tmp_path):
    result, errors = {}, []

    def work() -> None:
        try:
            result["run"] = train(TINY_MLP.replace(epochs=1), synthetic_dataset, runs_dir=tmp_path)
        except Exception as exc:  # surfaced to the main thread below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive() and not errors
    assert result["run"].status == "complete"


@pytest.mark.parametrize(
    "config",
    [
        TINY_MLP.replace(dropout=0.3, seed=7),
        TINY_CNN.replace(augment=True, class_weighting="balanced", seed=7),
        TINY_CNN.replace(precision="mixed_bfloat16", seed=7),
    ],
)
def test_same_seed_same_history_and_metrics(synthetic_dataset, tmp_path, config):
    first = train(config, synthetic_dataset, runs_dir=tmp_path)
    second = train(config, synthetic_dataset, runs_dir=tmp_path)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert first.history[key] == second.history[key], key
    # latency_ms is a wall-clock timing saved beside the results, not a seeded figure
    seeded = [
        {k: v for k, v in run.metrics.items() if k != "latency_ms"} for run in (first, second)
    ]
    assert "ece" in seeded[0] and seeded[0] == seeded[1]
    other = train(config.replace(seed=8), synthetic_dataset, runs_dir=tmp_path)
    assert other.history["loss"] != first.history["loss"]


def test_early_stopping_ends_training_and_restores_best(synthetic_dataset, tmp_path):
    # a huge learning rate makes validation loss worse after the first epoch
    config = TINY_MLP.replace(
        epochs=8,
        early_stopping=True,
        patience=1,
        learning_rate=5.0,
        optimizer="sgd",
        monitor="val_loss",
    )
    run = train(config, synthetic_dataset, runs_dir=tmp_path)
    losses = run.history["val_loss"]
    assert len(losses) < 8
    best = int(np.nanargmin(losses))
    assert len(losses) == best + 2  # patience 1: one epoch without improvement, then stop


def test_val_fraction_out_of_range_is_rejected(synthetic_dataset, tmp_path):
    with pytest.raises(ConfigError, match="val_fraction"):
        train(TINY_MLP, synthetic_dataset, runs_dir=tmp_path, val_fraction=0.9)


def test_no_validation_split_trains_on_all_images(synthetic_dataset, tmp_path):
    run = train(
        TINY_MLP.replace(epochs=1, early_stopping=True),
        synthetic_dataset,
        runs_dir=tmp_path,
        val_fraction=0.0,
    )
    assert run.info["data"]["sizes"]["train"] == len(synthetic_dataset.train)
    assert "val_loss" not in run.history


@pytest.mark.parametrize("loss_fields", [{"logit_adjustment": 1.0}, {"label_smoothing": 0.1}])
def test_custom_loss_run_saves_a_plain_model(synthetic_dataset, tmp_path, loss_fields):
    import keras

    run = train(TINY_MLP.replace(epochs=1, **loss_fields), synthetic_dataset, runs_dir=tmp_path)
    model = keras.saving.load_model(run.model_path)  # no custom objects needed
    assert model.loss == "sparse_categorical_crossentropy"
    assert 0.0 <= run.metrics["accuracy"] <= 1.0
