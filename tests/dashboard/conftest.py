"""Fixtures for the dashboard's AppTests: synthetic data, two tiny saved runs, an app factory."""

import shutil
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def tiny_runs_dir(synthetic_dataset, tmp_path_factory):
    """A runs folder with a tiny MLP and a tiny CNN, two epochs each on synthetic data."""
    from emnist_core.config import CNNConfig, MLPConfig
    from emnist_core.training import train

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


def make_app():
    """A fresh AppTest of the whole app (router + sidebar + default page)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


def open_page(name: str):
    """An AppTest that has run the app and switched to one page (e.g. 'train')."""
    app = make_app()
    app.run()
    app.switch_page(f"views/{name}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def texts(elements) -> list[str]:
    return [str(element.value) for element in elements]
