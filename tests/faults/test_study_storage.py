"""Study storage: a journal file by default (safe for several processes), checked before use."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from emnist_core.errors import EmnistError
from emnist_core.tuning.storage import open_storage, storage_url_of

TEXT = {"capture_output": True, "text": True}


def test_default_storage_is_a_journal_shared_by_two_processes(tmp_path, monkeypatch):
    import optuna

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMNIST_OPTUNA_STORAGE", raising=False)
    storage = open_storage()
    assert isinstance(storage, optuna.storages.JournalStorage)
    optuna.create_study(study_name="s", storage=storage)
    worker = textwrap.dedent("""
        import optuna
        from emnist_core.tuning.storage import open_storage
        study = optuna.load_study(study_name="s", storage=open_storage())
        study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=5)
    """)
    workers = [
        subprocess.Popen([sys.executable, "-c", worker], cwd=tmp_path, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    assert all(w.wait(timeout=120) == 0 for w in workers), workers[0].stderr.read()[-2000:]
    study = optuna.load_study(study_name="s", storage=open_storage())
    assert len(study.trials) == 10
    assert {t.number for t in study.trials} == set(range(10))  # no trial lost or doubled
    assert storage_url_of(study).endswith("artifacts/optuna.journal")


def test_journal_in_a_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "artifacts").write_text("a file")
    with pytest.raises(EmnistError, match="is a file, not a folder"):
        open_storage(f"journal:///{tmp_path / 'artifacts' / 'optuna.journal'}")


def test_a_given_sqlite_url_still_works(tmp_path):
    import optuna

    storage = open_storage(f"sqlite:///{tmp_path / 'optuna.db'}")
    assert isinstance(storage, optuna.storages.RDBStorage)


def _journal_trials(name: str, url: str) -> list:
    import optuna

    return optuna.load_study(study_name=name, storage=open_storage(url)).get_trials()


def test_a_killed_worker_on_the_journal_is_recovered_by_the_next_worker(
    synthetic_dir, synthetic_dataset, tmp_path, capsys
):
    from optuna.trial import TrialState

    from emnist_core.cli.tune import TrialPrinter
    from emnist_core.tuning.space_files import space_from_dict
    from emnist_core.tuning.worker import TuneSettings, open_study, run_study
    from tests.fixtures import lab_command
    from tests.tuning.test_worker import LR, tiny_space, write_space

    # A trial far too long to finish before the kill; the next worker's trials train 1 epoch.
    space, url = write_space(tmp_path, epochs=500, learning_rate=LR), f"journal:///{tmp_path}/j"
    worker = subprocess.Popen(
        lab_command("tune", model="mlp", space=space, trials=2, study="killed", storage=url)
        + ["--data-dir", str(synthetic_dir), "--runs-dir", str(tmp_path / "runs")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not any("config" in t.user_attrs for t in _trials_if_any("killed", url)):
            assert worker.poll() is None, "the worker ended before starting a trial"
            assert time.monotonic() < deadline, "the worker never started a trial"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    dead = _journal_trials("killed", url)[0]
    assert dead.state == TrialState.RUNNING  # what a killed worker leaves: no heartbeat here
    settings = TuneSettings(trials=2)
    study = open_study(None, name="killed", storage=url, settings=settings, resume=True)
    short = space_from_dict(tiny_space(epochs=1, learning_rate=LR))
    run_study(
        study,
        synthetic_dataset,
        space=short,
        settings=settings,
        runs_dir=tmp_path / "runs",  # never the checkout's artifacts/
        on_event=TrialPrinter(),
    )
    err = capsys.readouterr().err
    assert "recovered 1 trial(s) of study 'killed' whose worker on" in err, err[-2000:]
    assert "#0 marked failed; run again: #0" in err
    trials = _journal_trials("killed", url)
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    assert trials[1].params == dead.params and trials[1].system_attrs["failed_trial"] == 0
    assert dead.user_attrs["pid"] == worker.pid and dead.user_attrs["host"] == socket.gethostname()


def _trials_if_any(name: str, url: str) -> list:
    import optuna

    storage = open_storage(url)
    return _journal_trials(name, url) if name in optuna.get_all_study_names(storage) else []


def test_recovery_retries_once_and_leaves_live_and_foreign_workers_alone(tmp_path):
    import optuna
    from optuna.trial import TrialState

    from emnist_core.tuning.recovery import recover_dead_trials

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **TEXT)
    dead_pid = int(gone.stdout)
    study = optuna.create_study(study_name="s", storage=open_storage(f"journal:///{tmp_path}/j"))
    workers = {  # trial number: (host, pid, a retry already?)
        0: (socket.gethostname(), dead_pid, False),
        1: (socket.gethostname(), dead_pid, True),
        2: (socket.gethostname(), os.getpid(), False),
        3: ("another-machine", dead_pid, False),
    }
    for host, pid, was_retry in workers.values():
        trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
        trial.set_user_attr("host", host)
        trial.set_user_attr("pid", pid)
        if was_retry:
            trial.storage.set_trial_system_attr(trial._trial_id, "retry_history", [0])
    recovered = recover_dead_trials(study)
    assert (recovered.failed, recovered.retried) == ((0, 1), (0,))
    trials = study.get_trials()
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.FAIL] + [
        TrialState.RUNNING
    ] * 2 + [TrialState.WAITING]  # only #0 is enqueued again
    assert trials[4].params == trials[0].params
    assert recover_dead_trials(study).failed == ()  # a second worker finds nothing left
