"""Several workers, one study: two `tune` processes share a real PostgreSQL server on loopback.

The server is Debian's package, started here with a throw-away data folder. Under CI=true
a missing PostgreSQL is a failure (./lab.sh test installs it when run as root); on a
user's machine the test is skipped with the command that installs it.
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from emnist_core.training.runs import RunRegistry
from emnist_core.tuning.reports import list_studies, study_figures, study_view
from emnist_core.tuning.storage import open_storage
from tests.fixtures import lab_command

REPO = Path(__file__).resolve().parents[2]
INSTALL = "sudo apt-get install -y postgresql (./lab.sh test does it when run as root)"
TRIALS = 4


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str]) -> None:
    done = subprocess.run(_as_server_user(args), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh server on 127.0.0.1 and a free port, with an empty database; removed afterwards."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is missing on CI: {INSTALL}")
        pytest.skip(f"PostgreSQL is not installed; to run this test: {INSTALL}")
    folder = Path(tempfile.mkdtemp(prefix="emnist-pg-"))  # not under pytest's root-only tmp
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres", group="postgres")
    data, port = folder / "data", _free_port()
    _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "lab", "-N"])
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {folder}",
            "start",
        ]
    )
    try:
        _run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "lab", "studies"]
        )
        yield f"postgresql://lab@127.0.0.1:{port}/studies"
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def _worker(space: Path, url: str, data_dir: Path, runs_dir: Path) -> subprocess.Popen:
    """One `tune` process, as a user on another machine would start it."""
    return subprocess.Popen(
        lab_command(
            "tune",
            model="mlp",
            space=space,
            trials=TRIALS,
            study="shared",
            storage=url,
            no_prune=True,
            data_dir=data_dir,
            runs_dir=runs_dir,
        ),
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_workers_share_one_study(postgres_url, synthetic_dir, tmp_path):
    space = tmp_path / "space.json"
    space.write_text(
        json.dumps(
            {
                "family": "mlp",
                "base": "quick",
                "params": {
                    "hidden_units": [16],
                    "batch_size": 64,
                    "batch_norm": False,
                    "epochs": 1,
                    "learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
                    "dropout": {"low": 0.0, "high": 0.3},
                },
            }
        )
    )
    runs = [tmp_path / "runs-a", tmp_path / "runs-b"]  # as if on two machines
    workers = [_worker(space, postgres_url, synthetic_dir, folder) for folder in runs]
    outputs = [worker.communicate(timeout=400)[0] for worker in workers]
    for worker, output in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output
        assert "best trial #" in output
    storage = open_storage(postgres_url)  # plain postgresql:// URLs, as users type them
    trials = optuna.load_study(study_name="shared", storage=storage).get_trials()
    # the budget is the study's: checked before each trial, so two workers that check at
    # the same instant can overshoot by one, never run a trial twice
    assert TRIALS <= len(trials) <= TRIALS + 1
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    saved = [run for folder in runs for run in RunRegistry(folder).list()]
    assert all(RunRegistry(folder).list() for folder in runs), "both workers ran trials"
    assert sorted(run.info["tags"]["trial"] for run in saved) == list(range(len(trials)))
    assert {run.run_id for run in saved} == {t.user_attrs["run_id"] for t in trials}
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == len(trials)
    # the dashboard's study view reads what both workers wrote
    view = study_view("shared", postgres_url)
    assert view["states"] == {"COMPLETE": len(trials)}
    assert len(view["trials"]) == len(trials)
    assert view["best"]["number"] in set(view["trials"]["trial"])
    assert "optimisation history" in study_figures(view["study"])
    assert list(list_studies(postgres_url)["study"]) == ["shared"]
