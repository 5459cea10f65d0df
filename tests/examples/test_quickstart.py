"""The quickstart example runs end to end on synthetic data, as a user would run it."""

import os
import subprocess
import sys
from pathlib import Path

from emnist_core.training.runs import RunRegistry

REPO = Path(__file__).resolve().parents[2]


def test_quickstart_runs_on_synthetic_data(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "quickstart.py"),
            "--synthetic",
            "--epochs",
            "1",
            "--runs-dir",
            str(tmp_path / "runs"),
        ],
        cwd=tmp_path,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SYNTHETIC" in done.stdout and "epoch 1/1: val accuracy" in done.stdout
    assert "test accuracy" in done.stdout and "predicted" in done.stdout
    (run,) = RunRegistry(tmp_path / "runs").list()
    assert run.name == "quickstart" and run.status == "complete" and run.accuracy is not None
