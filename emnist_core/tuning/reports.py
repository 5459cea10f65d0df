"""Read-only views of studies for the dashboard and reports: lists, trial tables, figures.

Everything is read from the storage, so trials run by other workers on other machines
show up as soon as they share it. Figures are Optuna's own plotly figures.
"""

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from emnist_core.atomic import check_destination, write_json
from emnist_core.errors import ConfigError
from emnist_core.models.config import TrainingConfig, config_from_dict
from emnist_core.tuning.storage import StudyError, fail_stale_trials, open_storage


def best_trial_info(study) -> dict[str, Any] | None:
    """The best completed trial by validation accuracy: number, value, params, config, run, test."""
    try:
        best = study.best_trial
    except ValueError:  # no completed trial yet
        return None
    attrs = best.user_attrs
    return {
        "number": best.number,
        "val_accuracy": best.value,
        "params": best.params,
        "config": attrs.get("config"),
        "run_id": attrs.get("run_id"),
        "run_dir": attrs.get("run_dir"),
        "host": attrs.get("host"),
        "test_metrics": attrs.get("test_metrics", {}),
    }


def state_counts(study) -> dict[str, int]:
    """Trials by state name (COMPLETE, PRUNED, RUNNING, FAIL, WAITING)."""
    counts: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
    return counts


def list_studies(storage: str | None = None) -> pd.DataFrame:
    """One row per study in the storage: name, family, trials by state, best validation accuracy."""
    import optuna

    rdb = open_storage(storage)
    rows = []
    for summary in optuna.get_all_study_summaries(storage=rdb, include_best_trial=True):
        best = summary.best_trial
        rows.append(
            {
                "study": summary.study_name,
                "family": summary.user_attrs.get("family"),
                "trials": summary.n_trials,
                "best_val_accuracy": None if best is None else best.value,
                "started": summary.datetime_start,
            }
        )
    columns = ["study", "family", "trials", "best_val_accuracy", "started"]
    return pd.DataFrame(rows, columns=columns).sort_values(
        "started", ascending=False, na_position="last", ignore_index=True
    )


def load_study(name: str, storage: str | None = None):
    """An existing study (StudyError listing the others if there is none by that name)."""
    import optuna

    rdb = open_storage(storage)
    names = optuna.get_all_study_names(storage=rdb)
    if name not in names:
        known = ", ".join(names) or "none"
        raise StudyError(f"no study {name!r} in this storage; studies there: {known}.")
    study = optuna.load_study(study_name=name, storage=rdb)
    fail_stale_trials(study)  # a killed worker's trial shows as failed, not running forever
    return study


def trials_frame(study) -> pd.DataFrame:
    """One row per trial: number, state, validation accuracy, epochs, seconds, host, run, params."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        duration = trial.duration.total_seconds() if trial.duration else None
        row = {
            "trial": trial.number,
            "state": trial.state.name.lower(),
            "val_accuracy": trial.value,
            "epochs": len(trial.intermediate_values),
            "seconds": duration,
            "host": trial.user_attrs.get("host"),
            "run_id": trial.user_attrs.get("run_id"),
            "note": trial.user_attrs.get("error") or _stopped_note(trial),
        }
        row.update({f"param {name}": value for name, value in trial.params.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _stopped_note(trial) -> str | None:
    if trial.user_attrs.get("stopped"):
        return f"stopped {trial.user_attrs['stopped']}"
    if trial.state.name == "PRUNED":
        return f"pruned after epoch {max(trial.intermediate_values, default=0)}"
    return None


def study_view(name: str, storage: str | None = None) -> dict[str, Any]:
    """Everything a page shows about one study: counts, best trial, trials table, space."""
    study = load_study(name, storage)
    return {
        "study": study,
        "name": name,
        "states": state_counts(study),
        "best": best_trial_info(study),
        "trials": trials_frame(study),
        "space": study.user_attrs.get("space"),
        "data": study.user_attrs.get("data"),
    }


def _completed(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def study_figures(study) -> dict[str, Any]:
    """Optuna's plotly figures that the study has enough trials for (name -> figure).

    Importances need two completed trials and a varied parameter; a figure that cannot
    be drawn yet is left out rather than raising.
    """
    from optuna import visualization as vis

    if _completed(study) == 0:
        return {}
    makers = {
        "optimisation history": vis.plot_optimization_history,
        "parallel coordinates": vis.plot_parallel_coordinate,
    }
    if _completed(study) >= 2 and study.best_trial.params:
        makers["parameter importances"] = vis.plot_param_importances
    figures = {}
    for title, make in makers.items():
        try:
            figures[title] = make(study)
        except (ValueError, RuntimeError, ZeroDivisionError):
            continue
    return figures


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip()).strip("-.")
    if not slug:
        raise ConfigError("a preset name needs at least one letter or digit.")
    return slug


def best_config(study) -> TrainingConfig:
    """The config the best trial trained (StudyError if no trial has completed)."""
    best = best_trial_info(study)
    if best is None or not best.get("config"):
        raise StudyError(f"study {study.study_name!r} has no completed trial yet.")
    return config_from_dict(best["config"])


def save_preset(
    config: TrainingConfig,
    name: str,
    presets_dir: Path | str,
    *,
    source: dict[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Save a config as <presets_dir>/<family>-<name>.json with where it came from (atomic).

    A file of that name that is not a preset (saved by this function) is never replaced
    unless force is given; the folder is checked before anything is written.
    """
    folder = check_destination(Path(presets_dir), 100_000, "presets folder")
    path = folder / f"{config.family}-{_slug(name)}.json"
    if path.exists() and not force and not _is_preset(path):
        raise StudyError(
            f"{path} exists and is not a preset saved by the lab; nothing was written. "
            "Choose another name, or pass force=True to replace it."
        )
    write_json(
        path,
        {
            "name": name,
            "family": config.family,
            "config": config.to_dict(),
            "source": source or {},
            "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    return path


def _is_preset(path: Path) -> bool:
    """Whether path holds a preset save_preset wrote (so replacing it loses nothing foreign)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(saved, dict) and {"name", "family", "config", "saved"} <= saved.keys()
