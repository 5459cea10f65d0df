"""`train --tensorboard` writes TensorBoard logs into the run folder, readable by TensorBoard."""

from pathlib import Path

import keras
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util

from emnist_core.cli import main
from emnist_core.training.loop import train
from emnist_core.training.runs import RunRegistry
from emnist_core.training.tensorboard import LOGS_FOLDER

TINY = ["--set", "hidden_units=16", "--set", "batch_size=64", "--set", "early_stopping=false"]


def scalars(folder: Path) -> dict[str, list[float]]:
    """Every scalar series of one event folder, read with TensorBoard's own reader."""
    events = EventAccumulator(str(folder))
    events.Reload()
    series = {tag: [e.value for e in events.Scalars(tag)] for tag in events.Tags()["scalars"]}
    for tag in events.Tags()["tensors"]:  # summary-v2 scalars arrive as 0-d tensors
        series[tag] = [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)]
    return series


def test_train_tensorboard_writes_logs_tensorboard_can_read(synthetic_dir, tmp_path, capsys):
    runs = tmp_path / "runs"
    args = ["train", "--model", "mlp", "--preset", "quick", "--epochs", "2", *TINY]
    code = main([*args, "--data-dir", str(synthetic_dir), "--runs-dir", str(runs)])
    assert code == 0 and "--tensorboard" not in capsys.readouterr().err

    assert (
        main([*args, "--tensorboard", "--data-dir", str(synthetic_dir), "--runs-dir", str(runs)])
        == 0
    )
    assert "TensorBoard logs in" in capsys.readouterr().err
    logged = {"--tensorboard" in r.info["command"]: r for r in RunRegistry(runs).list()}
    assert not (logged[False].run_dir / LOGS_FOLDER).exists()  # logs only when asked for
    run = logged[True]
    train_series = scalars(run.run_dir / LOGS_FOLDER / "train")
    validation = scalars(run.run_dir / LOGS_FOLDER / "validation")
    assert len(train_series["epoch_loss"]) == 2 and len(validation["epoch_accuracy"]) == 2
    assert validation["epoch_accuracy"] == pytest.approx(run.history["val_accuracy"], rel=1e-5)
    assert [p.name for p in runs.iterdir() if p.name.startswith(".")] == []  # staging is gone


def test_train_accepts_any_keras_callback(synthetic_dataset, tmp_path):
    from emnist_core.models.config import MLPConfig

    log = tmp_path / "log.csv"
    config = MLPConfig(hidden_units=(16,), epochs=2, batch_size=64, early_stopping=False)
    train(
        config,
        synthetic_dataset,
        runs_dir=tmp_path / "runs",
        extra_callbacks=[keras.callbacks.CSVLogger(str(log))],
    )
    rows = log.read_text().splitlines()
    assert rows[0].startswith("epoch") and "val_accuracy" in rows[0] and len(rows) == 3
