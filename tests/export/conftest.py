"""Fixtures: a tiny MLP and a tiny CNN trained for one epoch, shared by the export tests."""

import pytest


@pytest.fixture(scope="module")
def tiny_runs(synthetic_dataset, tmp_path_factory):
    """{'mlp': Run, 'cnn': Run}; the CNN has batch norm, dropout and augmentation layers."""
    from emnist_core.models.config import CNNConfig, MLPConfig
    from emnist_core.training.loop import train

    runs_dir = tmp_path_factory.mktemp("runs")
    common = {"epochs": 1, "batch_size": 64, "early_stopping": False, "batch_norm": True}
    mlp = MLPConfig(hidden_units=(32,), dropout=0.2, **common)
    cnn = CNNConfig(
        conv_filters=(4, 8), dense_units=(16,), conv_dropout=0.1, augment=True, **common
    )
    return {
        config.family: train(config, synthetic_dataset, runs_dir=runs_dir, name=f"tiny {name}")
        for name, config in (("MLP", mlp), ("CNN", cnn))
    }
