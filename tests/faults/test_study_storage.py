"""Study storage: a journal file by default (safe for several processes), checked before use."""

import subprocess
import sys
import textwrap

import pytest

from emnist_core.errors import DestinationError
from emnist_core.tuning.storage import open_storage, storage_url_of


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
    with pytest.raises(DestinationError, match="is a file, not a folder"):
        open_storage(f"journal:///{tmp_path / 'artifacts' / 'optuna.journal'}")


def test_a_given_sqlite_url_still_works(tmp_path):
    import optuna

    storage = open_storage(f"sqlite:///{tmp_path / 'optuna.db'}")
    assert isinstance(storage, optuna.storages.RDBStorage)
