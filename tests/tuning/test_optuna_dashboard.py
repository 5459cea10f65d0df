"""optuna-dashboard, a client we did not write, reads a study made by `tune` over its HTTP API."""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from emnist_core.cli import main
from tests.browser.server import free_port
from tests.tuning.test_worker import write_space

DASHBOARD = Path(sys.executable).with_name("optuna-dashboard")  # installed beside this Python


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"optuna-dashboard exited with code {process.returncode}")
        try:
            return get_json(url)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"optuna-dashboard did not answer on {url} within {timeout} s")


@pytest.fixture
def tuned_study(synthetic_dir, tmp_path) -> str:
    """A two-trial study made by the tune command in an explicit SQLite file; its URL."""
    url = f"sqlite:///{tmp_path / 'optuna.db'}"
    args = ["--trials", "2", "--epochs", "1", "--study", "handoff", "--storage", url]
    space = write_space(tmp_path, learning_rate={"low": 1e-3, "high": 1e-2, "log": True})
    code = main(
        [
            "tune",
            "--model",
            "mlp",
            "--space",
            str(space),
            *args,
            "--data-dir",
            str(synthetic_dir),
            "--runs-dir",
            str(tmp_path / "runs"),
        ]
    )
    assert code == 0
    return url


def test_optuna_dashboard_reads_a_tune_study_over_http(tuned_study, tmp_path):
    import optuna

    assert DASHBOARD.exists(), "optuna-dashboard is missing: pip install -r requirements.txt"
    port = free_port()
    command = [str(DASHBOARD), tuned_study, "--host", "127.0.0.1", "--port", str(port), "--quiet"]
    with open(tmp_path / "dashboard.log", "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            (summary,) = wait_for(f"{base}/api/studies", process)["study_summaries"]
            detail = get_json(f"{base}/api/studies/{summary['study_id']}")
        finally:
            process.terminate()
            process.wait(10)
    study = optuna.load_study(study_name="handoff", storage=tuned_study)
    assert summary["study_name"] == detail["name"] == "handoff"
    trials = detail["trials"]
    assert [t["number"] for t in trials] == [0, 1] and {t["state"] for t in trials} == {"Complete"}
    for served, stored in zip(trials, study.trials, strict=True):
        assert served["values"] == pytest.approx([stored.value])
        (param,) = served["params"]
        assert param["name"] == "learning_rate"
        assert float(param["param_external_value"]) == pytest.approx(stored.params["learning_rate"])
    assert detail["best_trials"][0]["number"] == study.best_trial.number
