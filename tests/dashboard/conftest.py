"""Fixtures for the dashboard's AppTests: synthetic data, two tiny saved runs, an app factory."""

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_runs_dir(synthetic_dataset, tmp_path_factory):
    """A runs folder with a tiny MLP and a tiny CNN, two epochs each on synthetic data."""
    from emnist_core.models.config import CNNConfig, MLPConfig
    from emnist_core.training.loop import train

    runs_dir = tmp_path_factory.mktemp("runs")
    train(
        MLPConfig(hidden_units=(16,), epochs=2, batch_size=64),
        synthetic_dataset,
        runs_dir=runs_dir,
        name="tiny-mlp",
    )
    train(
        CNNConfig(conv_filters=(4,), dense_units=(), epochs=2, batch_size=64),
        synthetic_dataset,
        runs_dir=runs_dir,
        name="tiny-cnn",
    )
    return runs_dir


@pytest.fixture
def runs_dir(tiny_runs_dir, tmp_path):
    """A private copy of the tiny runs, so a test may rename, delete or add runs."""
    return Path(shutil.copytree(tiny_runs_dir, tmp_path / "runs"))


@pytest.fixture
def app_env(monkeypatch, synthetic_dir, runs_dir, tmp_path):
    """Point the app at the synthetic data (as the data folder) and the copied runs."""
    monkeypatch.setenv("EMNIST_DATA_DIR", str(synthetic_dir))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(runs_dir))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "demo"))
    return {"data": synthetic_dir, "runs": runs_dir}
