"""Tiny saved runs (one MLP, one CNN, one epoch on synthetic data) for the analysis tests."""

from pathlib import Path


def train_tiny_pair(dataset, runs_dir: Path) -> tuple:
    """Train and save a tiny MLP and a tiny CNN; returns (mlp_run, cnn_run)."""
    from emnist_core.config import CNNConfig, MLPConfig
    from emnist_core.training import train

    mlp = train(
        MLPConfig(hidden_units=(16,), epochs=1, batch_size=64, early_stopping=False),
        dataset,
        runs_dir=runs_dir,
        name="tiny MLP",
    )
    cnn = train(
        CNNConfig(
            conv_filters=(4,), dense_units=(8,), epochs=1, batch_size=64, early_stopping=False
        ),
        dataset,
        runs_dir=runs_dir,
        name="tiny CNN",
    )
    return mlp, cnn
