"""Every environment variable and default path of the lab, each resolved in one order.

A setting resolves as: the command-line flag (or argument) if given, else its
environment variable, else its default. Defaults for what the lab writes (runs,
presets, studies) are relative to the working directory, so an installed package never
writes into its own install folder, and `./lab.sh` (which runs from the clone) keeps
using the clone's `artifacts/`. The README's settings table is generated from SETTINGS.
"""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One setting: its variable, what its default is, and what it is for."""

    env: str
    default: str  # as shown to users; the resolver below computes it
    help: str


SETTINGS: dict[str, Setting] = {
    "data_dir": Setting(
        "EMNIST_DATA_DIR", "$EMNIST_CACHE_DIR/emnist", "folder with the EMNIST files"
    ),
    "cache_dir": Setting(
        "EMNIST_CACHE_DIR",
        "$XDG_CACHE_HOME, else ~/.cache",
        "per-user cache; the default data folder lives in it",
    ),
    "synthetic_dir": Setting(
        "EMNIST_SYNTHETIC_DIR",
        "emnist-synthetic-demo beside the data folder",
        "where the dashboard generates its synthetic demo set",
    ),
    "runs_dir": Setting("EMNIST_RUNS_DIR", "./artifacts/runs", "saved training runs"),
    "recovery_dir": Setting(
        "EMNIST_RECOVERY_DIR",
        "emnist-recovery beside the data folder",
        "where a run that could not be saved in the runs folder is kept",
    ),
    "presets_dir": Setting(
        "EMNIST_PRESETS_DIR", "./artifacts/presets", "presets saved from tuning studies"
    ),
    "study_storage": Setting(
        "EMNIST_OPTUNA_STORAGE",
        "journal:///./artifacts/optuna.journal",
        "Optuna storage of tuning studies: a journal file, or postgresql:// for many machines",
    ),
    "scheduler": Setting(
        "EMNIST_SCHEDULER",
        "(none: a private cluster on 127.0.0.1)",
        "address tcp://HOST:PORT of a running `dask scheduler` that trains the jobs",
    ),
    "job_slots": Setting(
        "EMNIST_JOB_SLOTS",
        "half the CPU cores, at least 1",
        "training slots (worker processes) of the private cluster",
    ),
    "classroom": Setting(
        "EMNIST_CLASSROOM",
        "unset (personal mode)",
        "classroom.toml: sign-in, per-student workspaces and limits (see Classroom mode)",
    ),
    "demo_per_class": Setting(
        "EMNIST_DEMO_PER_CLASS", "200", "train images per class in the dashboard's demo set"
    ),
    "demo_test_per_class": Setting(
        "EMNIST_DEMO_TEST_PER_CLASS", "40", "test images per class in the dashboard's demo set"
    ),
    "study_epochs": Setting(
        "EMNIST_STUDY_EPOCHS",
        "each preset's own",
        "epochs of every model examples/seed_study.ipynb trains (its test sets 1)",
    ),
}


def _env(name: str) -> str | None:
    """The variable of setting `name`, or None when unset or empty."""
    return os.environ.get(SETTINGS[name].env) or None


def _path(flag: str | Path | None, name: str, default: Path) -> Path:
    chosen = flag if flag not in (None, "") else _env(name)
    return Path(chosen).expanduser() if chosen is not None else default


def _artifacts() -> Path:
    return Path.cwd() / "artifacts"


def cache_dir(flag: str | Path | None = None) -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return _path(flag, "cache_dir", Path(xdg) if xdg else Path.home() / ".cache")


def data_dir(flag: str | Path | None = None) -> Path:
    """The EMNIST data folder: flag, else $EMNIST_DATA_DIR, else the per-user cache."""
    return _path(flag, "data_dir", cache_dir() / "emnist")


def synthetic_dir(flag: str | Path | None = None) -> Path:
    return _path(flag, "synthetic_dir", data_dir().parent / "emnist-synthetic-demo")


def runs_dir(flag: str | Path | None = None) -> Path:
    return _path(flag, "runs_dir", _artifacts() / "runs")


def recovery_dir(flag: str | Path | None = None) -> Path:
    """Where save_run keeps a trained run when the runs folder fails while saving."""
    return _path(flag, "recovery_dir", data_dir().parent / "emnist-recovery")


def presets_dir(flag: str | Path | None = None) -> Path:
    return _path(flag, "presets_dir", _artifacts() / "presets")


def classroom_file(flag: str | Path | None = None) -> Path | None:
    """The classroom.toml that turns classroom mode on, or None in personal mode."""
    chosen = flag if flag not in (None, "") else _env("classroom")
    return Path(chosen).expanduser() if chosen is not None else None


def study_storage(flag: str | None = None) -> str:
    """The Optuna storage URL of tuning studies."""
    chosen = flag or _env("study_storage")
    return chosen if chosen else f"journal:///{_artifacts() / 'optuna.journal'}"


def _positive_int(name: str) -> int:
    raw = _env(name) or SETTINGS[name].default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        from emnist_core.errors import ConfigError

        raise ConfigError(f"{SETTINGS[name].env}={raw!r}: must be a whole number of at least 1.")
    return value


def scheduler(flag: str | None = None) -> str | None:
    """The address of an existing Dask scheduler, or None for the lab's private cluster."""
    return flag or _env("scheduler")


def job_slots() -> int:
    """Training slots of the private cluster: a flag-free setting, default half the cores."""
    if _env("job_slots") is None:
        return max(1, (os.cpu_count() or 2) // 2)
    return _positive_int("job_slots")


def demo_size() -> tuple[int, int]:
    """(train, test) images per class of the dashboard's synthetic demo set."""
    return _positive_int("demo_per_class"), _positive_int("demo_test_per_class")


def study_epochs() -> int | None:
    """Epochs for every model of the example notebook, or None for each preset's own."""
    return _positive_int("study_epochs") if _env("study_epochs") else None


def settings_table() -> str:
    """The settings as a Markdown table (variable, default, purpose), for the README."""
    rows = [f"| `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS.values()]
    return "\n".join(["| variable | default | what it sets |", "|---|---|---|", *rows])
