"""CLI round trip: train -> runs list -> rename -> delete, bad input, and Ctrl-C as a clean Stop."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from emnist_core.cli import main
from emnist_core.cli.training import stop_on_interrupt
from emnist_core.training.runs import RunRegistry

REPO = Path(__file__).resolve().parents[2]
TINY = ["--set", "conv_filters=4", "--set", "dense_units=", "--set", "batch_size=64"]


def cli_env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="2")


def test_train_then_list_then_rename_then_delete(synthetic_dir, tmp_path, capsys):
    runs = str(tmp_path / "runs")
    code = main(
        [
            "train",
            "--model",
            "cnn",
            "--preset",
            "quick",
            "--epochs",
            "1",
            *TINY,
            "--data-dir",
            str(synthetic_dir),
            "--runs-dir",
            runs,
            "--name",
            "demo",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    run = RunRegistry(runs).list()[0]
    assert f"run {run.run_id} (complete)" in out and "accuracy" in out and "macro_f1" in out
    assert run.info["preset"] == "quick" and run.config.conv_filters == (4,)
    assert run.config.dense_units == () and run.info["timing"]["epochs_run"] == 1
    assert "--preset quick --epochs 1 --set conv_filters=4" in run.info["command"]

    assert main(["runs", "list", "--runs-dir", runs, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    listed = [(r["run_id"], r["name"], r["status"]) for r in rows]
    assert listed == [(run.run_id, "demo", "complete")]
    assert main(["runs", "list", "--runs-dir", runs]) == 0
    assert run.run_id in capsys.readouterr().out

    assert main(["runs", "rename", run.run_id, "renamed", "--runs-dir", runs]) == 0
    assert RunRegistry(runs).get(run.run_id).name == "renamed"
    assert main(["runs", "delete", run.run_id, "--yes", "--runs-dir", runs]) == 0
    assert RunRegistry(runs).list() == []
    assert main(["runs", "list", "--runs-dir", runs]) == 0
    assert "no runs" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "dropout=2"], "dropout=2.0 is not allowed"),
        (["--set", "filters=3"], "unknown cnn config field"),
        (["--set", "kernel_size=9", "--set", "conv_filters=4,4,4"], "larger than the"),
    ],
)
def test_bad_settings_fail_before_any_data_is_read(tmp_path, capsys, extra, message):
    code = main(
        [
            "train",
            "--model",
            "cnn",
            *extra,
            "--data-dir",
            str(tmp_path / "absent"),
            "--runs-dir",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err


def test_delete_of_unknown_run_is_a_clear_error(tmp_path, capsys):
    assert main(["runs", "delete", "nope", "--yes", "--runs-dir", str(tmp_path)]) == 2
    assert "no run folder" in capsys.readouterr().err


def test_first_interrupt_sets_stop_second_aborts():
    # What was there before comes back: Python's default handler, or SIG_IGN when the
    # suite was started in the background by a shell without job control.
    before = signal.getsignal(signal.SIGINT)
    stop = threading.Event()
    with stop_on_interrupt(stop):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_during_training_keeps_a_stopped_run(synthetic_dir, tmp_path):
    runs = tmp_path / "runs"
    command = [
        sys.executable,
        "-m",
        "emnist_core",
        "train",
        "--model",
        "mlp",
        "--epochs",
        "200",
        "--set",
        "hidden_units=8",
        "--set",
        "batch_size=16",
        "--set",
        "early_stopping=false",
        "--data-dir",
        str(synthetic_dir),
        "--runs-dir",
        str(runs),
    ]
    proc = subprocess.Popen(
        command, env=cli_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = ""
    while "batch" not in seen and proc.poll() is None:  # the tqdm bar has started
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert "stopping after this batch" in err and "(stopped)" in out
    [run] = RunRegistry(runs).list()
    assert run.status == "stopped" and run.info["timing"]["epochs_run"] < 200


def test_model_commands_do_not_import_tensorflow_at_startup():
    code = (
        "import sys, emnist_core.cli as c; c.build_parser(); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"], result.stderr


def _batch_progress(epoch: int, step: int):
    from emnist_core.training.progress import Progress

    return Progress("batch", epoch, 2, step, 4, 0.5, 0.8, None, None, 1e-3, 1.0, 2.0)


def test_the_bar_counts_drawings_first_then_batches(capsys):
    from emnist_core.cli.training import TqdmProgress
    from emnist_core.training.progress import Preparing

    bar = TqdmProgress()
    bar(Preparing(done=0, total=300, elapsed=0.0))
    bar(Preparing(done=300, total=300, elapsed=1.0))
    assert (bar.bar.desc, bar.bar.n, bar.bar.total) == ("drawing", 300, 300)
    bar(_batch_progress(1, 2))
    assert (bar.bar.desc, bar.bar.n, bar.bar.total) == ("epoch 1/2", 2, 4)
    bar.close()
    assert "drawing" in capsys.readouterr().err
