"""Fixtures for the fault-injection tests: one tiny saved run, and a private runs folder."""

import shutil
from pathlib import Path

import pytest

from tests.data.test_download import served_archive  # noqa: F401 - the loopback archive server


@pytest.fixture(scope="session")
def one_run_dir(synthetic_dataset, tmp_path_factory):
    """A runs folder holding one tiny MLP trained for one epoch on synthetic data."""
    from emnist_core.models.config import MLPConfig
    from emnist_core.training.loop import train

    runs_dir = tmp_path_factory.mktemp("one-run")
    train(
        MLPConfig(hidden_units=(8,), epochs=1, batch_size=64), synthetic_dataset, runs_dir=runs_dir
    )
    return runs_dir


@pytest.fixture
def runs_dir(one_run_dir, tmp_path):
    """A private copy of the one-run folder, so a test may damage it."""
    return Path(shutil.copytree(one_run_dir, tmp_path / "runs"))


@pytest.fixture(autouse=True)
def private_recovery(monkeypatch, tmp_path_factory):
    """Recovered runs go to a temporary folder, never the user's cache."""
    monkeypatch.setenv("EMNIST_RECOVERY_DIR", str(tmp_path_factory.mktemp("recovery")))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, with its bytes: 'nothing lost' compares two."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
