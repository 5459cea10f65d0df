"""Each setting resolves flag, then environment, then a default outside the package folder."""

from pathlib import Path

import pytest

from emnist_core import settings
from emnist_core.errors import ConfigError
from emnist_core.training.runs import RunRegistry

PACKAGE = Path(settings.__file__).resolve().parent

PATH_SETTINGS = ("runs_dir", "presets_dir", "synthetic_dir", "data_dir", "cache_dir")


@pytest.mark.parametrize("name", PATH_SETTINGS)
def test_flag_beats_environment_beats_default(name, monkeypatch, tmp_path):
    resolve = getattr(settings, name)
    monkeypatch.setenv(settings.SETTINGS[name].env, str(tmp_path / "env"))
    assert resolve(tmp_path / "flag") == tmp_path / "flag"
    assert resolve() == tmp_path / "env"
    monkeypatch.delenv(settings.SETTINGS[name].env)
    assert resolve() not in (tmp_path / "env", tmp_path / "flag")


def test_written_defaults_follow_the_working_directory(monkeypatch, tmp_path):
    for name in ("EMNIST_RUNS_DIR", "EMNIST_PRESETS_DIR", "EMNIST_OPTUNA_STORAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert settings.runs_dir() == tmp_path / "artifacts" / "runs"
    assert RunRegistry().runs_dir == tmp_path / "artifacts" / "runs"
    assert settings.presets_dir() == tmp_path / "artifacts" / "presets"
    assert settings.study_storage() == f"journal:///{tmp_path / 'artifacts' / 'optuna.journal'}"
    for path in (settings.runs_dir(), settings.presets_dir()):
        assert PACKAGE not in path.parents, "an installed package must not write into itself"


def test_data_defaults_live_in_the_user_cache(monkeypatch, tmp_path):
    for name in ("EMNIST_DATA_DIR", "EMNIST_CACHE_DIR", "EMNIST_SYNTHETIC_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert settings.data_dir() == tmp_path / "xdg" / "emnist"
    assert settings.synthetic_dir() == tmp_path / "xdg" / "emnist-synthetic-demo"
    monkeypatch.setenv("EMNIST_CACHE_DIR", str(tmp_path / "cache"))
    assert settings.data_dir() == tmp_path / "cache" / "emnist"


def test_storage_flag_and_environment(monkeypatch):
    monkeypatch.setenv("EMNIST_OPTUNA_STORAGE", "sqlite:///env.db")
    assert settings.study_storage("sqlite:///flag.db") == "sqlite:///flag.db"
    assert settings.study_storage() == "sqlite:///env.db"


def test_counts_are_checked(monkeypatch):
    monkeypatch.setenv("EMNIST_JOB_SLOTS", "3")
    assert settings.job_slots() == 3
    monkeypatch.setenv("EMNIST_JOB_SLOTS", "zero")
    with pytest.raises(ConfigError, match="EMNIST_JOB_SLOTS='zero'"):
        settings.job_slots()
    monkeypatch.setenv("EMNIST_DEMO_PER_CLASS", "7")
    monkeypatch.setenv("EMNIST_DEMO_TEST_PER_CLASS", "2")
    assert settings.demo_size() == (7, 2)


def test_readme_lists_every_variable():
    readme = (PACKAGE.parent / "README.md").read_text()
    missing = [s.env for s in settings.SETTINGS.values() if s.env not in readme]
    assert not missing, f"README does not mention {missing}"


def test_scheduler_and_job_slots(monkeypatch):
    monkeypatch.delenv("EMNIST_SCHEDULER", raising=False)
    assert settings.scheduler() is None  # a private cluster
    monkeypatch.setenv("EMNIST_SCHEDULER", "tcp://10.0.0.5:8786")
    assert settings.scheduler() == "tcp://10.0.0.5:8786"
    assert settings.scheduler("tcp://127.0.0.1:1") == "tcp://127.0.0.1:1"
    monkeypatch.delenv("EMNIST_JOB_SLOTS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert settings.job_slots() == 1  # one slot on a 2-core machine
    monkeypatch.setenv("EMNIST_JOB_SLOTS", "3")
    assert settings.job_slots() == 3
    monkeypatch.setenv("EMNIST_JOB_SLOTS", "0")
    with pytest.raises(ConfigError, match="EMNIST_JOB_SLOTS='0'"):
        settings.job_slots()
