"""kill -9 during training, saving and downloading: nothing half-made is listed or loaded."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from emnist_core.cli import main
from emnist_core.data import load
from emnist_core.training.runs import RunRegistry
from tests.faults.conftest import snapshot


def _age(path, seconds: float = 2 * 3600) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp), follow_symlinks=False)


def _kill_when(process: subprocess.Popen, ready, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert process.poll() is None, process.stderr.read()[-2000:]
        assert time.time() < deadline, "the child never reached the point to kill it at"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_kill_during_training_leaves_the_runs_intact(synthetic_dir, runs_dir, tmp_path):
    before, flag = snapshot(runs_dir), tmp_path / "epoch-1-done"
    script = textwrap.dedent(f"""
        import pathlib
        from emnist_core.data import load
        from emnist_core.models.config import MLPConfig
        from emnist_core.training.loop import train
        def progress(p):
            if p.event == "epoch":
                pathlib.Path({str(flag)!r}).touch()
        train(MLPConfig(hidden_units=(8,), epochs=50, batch_size=16), load({str(synthetic_dir)!r}),
              runs_dir={str(runs_dir)!r}, progress=progress)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    _kill_when(child, flag.exists)
    assert child.returncode == -signal.SIGKILL
    assert snapshot(runs_dir) == before
    assert len(RunRegistry(runs_dir).list()) == 1


def test_kill_during_saving_leaves_a_hidden_folder_that_is_cleaned(runs_dir, capsys):
    before = snapshot(runs_dir)
    script = textwrap.dedent(f"""
        import os, signal
        from emnist_core.models.config import MLPConfig
        from emnist_core.training.runs import save_run
        class Model:  # killed half-way through writing model.keras
            def save(self, path):
                open(path, "wb").write(b"partial")
                os.kill(os.getpid(), signal.SIGKILL)
        save_run({str(runs_dir)!r}, "killed", model=Model(), config=MLPConfig(), history={{}},
                 metrics={{}}, info={{"status": "complete"}})
    """)
    assert subprocess.run([sys.executable, "-c", script]).returncode == -signal.SIGKILL
    leftover = runs_dir / ".tmp-killed"
    assert leftover.is_dir()
    assert [run.run_id for run in RunRegistry(runs_dir).list()] != ["killed"]
    assert leftover.is_dir(), "a young leftover may be a save in progress: keep it"
    _age(leftover)
    assert main(["runs", "list", "--runs-dir", str(runs_dir)]) == 0
    assert "cleaned .tmp-killed" in capsys.readouterr().err
    assert not leftover.exists() and snapshot(runs_dir) == before


def test_kill_during_download_leaves_no_data_and_a_rerun_completes(tmp_path, served_archive):
    url, sha, _ = served_archive
    data = tmp_path / "data"
    script = textwrap.dedent(f"""
        from emnist_core.data.download import download
        import emnist_core.data.download as module
        def stall(done, total):  # hang after the first bytes, as a slow link would
            print("started", flush=True)
            import time; time.sleep(600)
        download({str(data)!r}, urls=[{url!r}], sha256={sha!r}, progress=stall)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "started", child.stderr.read()[-2000:]
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not list(data.glob("*.gz")) and not (data / ".download" / "gzip.zip").exists()
    from emnist_core.data.download import download

    download(data, urls=[url], sha256=sha, progress=False)
    assert len(load(data).train) == 141
