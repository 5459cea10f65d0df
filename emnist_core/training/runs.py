"""Saved training runs: atomic writing, and a registry that lists, loads, renames and deletes them.

A run is built in a hidden `.tmp-<id>` folder and renamed into place only when every
file is written, so a crash or kill never leaves a folder that looks complete; the
registry lists broken folders apart (see leftovers.py) and tidies what kills left.
"""

import datetime as dt
import json
import os
import platform
import secrets
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emnist_core import settings
from emnist_core.atomic import write_json
from emnist_core.errors import EmnistError, RunError
from emnist_core.models.config import TrainingConfig, config_from_dict
from emnist_core.training.leftovers import (
    BrokenRun,
    check_display_name,
    clean_leftovers,
    remove_tree,
)

RUN_FILES = ("run.json", "config.json", "history.json", "metrics.json", "model.keras")
STATUSES = ("complete", "stopped")
LIST_COMMAND = "`python -m emnist_core runs list`"


def new_run_id(family: str) -> str:
    """A sortable, unique id: UTC time, family, random suffix (20261124-021500-cnn-a1b2c3)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{family}-{secrets.token_hex(3)}"


@dataclass
class Run:
    """One saved run: its folder, config, run.json info, per-epoch history and test metrics."""

    run_id: str
    run_dir: Path
    config: TrainingConfig
    info: dict[str, Any]
    history: dict[str, list] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    # The typed view of run.json and metrics.json: pages, the CLI and the analyses read a run
    # through these, never through info.get(...) with defaults of their own.

    @property
    def name(self) -> str:
        return str(self.info.get("name") or self.run_id)

    @property
    def owner(self) -> str | None:
        """Who trained it in classroom mode (None for runs trained in personal mode)."""
        return self.info.get("owner")

    @property
    def status(self) -> str:
        return str(self.info.get("status", ""))

    @property
    def family(self) -> str:
        return self.config.family

    @property
    def preset(self) -> str | None:
        return self.info.get("preset")

    @property
    def created(self) -> str | None:
        return self.info.get("created")

    @property
    def accuracy(self) -> float | None:
        """Test accuracy, or None when the run has none (a stopped run may not)."""
        for key in ("accuracy", "test_accuracy"):
            if self.metrics.get(key) is not None:
                return float(self.metrics[key])
        return None

    @property
    def params(self) -> int | None:
        value = self.info.get("params")
        return None if value is None else int(value)

    def _timing(self, key: str) -> float | None:
        value = (self.info.get("timing") or {}).get(key)
        return None if value is None or value != value else float(value)  # NaN is unknown

    @property
    def latency_ms(self) -> float | None:
        """Median one-image latency measured when the run finished, or None (older runs)."""
        value = self.metrics.get("latency_ms")
        return None if value is None else float(value)

    @property
    def calibration(self):
        """The CalibrationReport metrics.json holds (T, ECE and NLL before and after), or None
        for a run with no fitted temperature (no validation split, or saved before scaling)."""
        from emnist_core.evaluation.calibration import CalibrationReport

        keys = ("temperature", "ece", "nll", "ece_before", "nll_before")
        if self.metrics.get("temperature_fitted_on") is None or any(
            self.metrics.get(key) is None for key in keys
        ):
            return None
        values = {key: float(self.metrics[key]) for key in keys}
        return CalibrationReport(**values, fitted_on=self.metrics["temperature_fitted_on"])

    @property
    def train_seconds(self) -> float | None:
        return self._timing("train_seconds")

    @property
    def seconds_per_epoch(self) -> float | None:
        return self._timing("seconds_per_epoch")

    @property
    def epochs_run(self) -> int | None:
        value = self._timing("epochs_run")
        return None if value is None else int(value)

    @property
    def data(self) -> dict[str, Any]:
        return self.info.get("data") or {}

    @property
    def synthetic(self) -> bool:
        return bool(self.data.get("synthetic", False))

    @property
    def data_folder(self) -> str | None:
        """The folder the run trained on, absolute and normal (None if not recorded).

        Runs saved before the loader recorded folders that way name one folder as
        '../emnist' from the CLI and '/home/me/emnist' from the app; a relative folder is
        read from the current folder, where the lab is started.
        """
        source = self.data.get("source")
        return os.path.abspath(source) if source else None

    @property
    def data_label(self) -> str:
        """What the run trained on, as pages show it: the data's label, else its folder.

        Pages group runs by this label (only runs on the same data compare), so the folder
        in it is `data_folder`'s.
        """
        source, folder = self.data.get("source"), self.data_folder
        label = str(self.data.get("label") or folder or "unknown data")
        if source and label.endswith(str(source)):
            label = label[: len(label) - len(str(source))] + folder
        return label

    @property
    def classes(self) -> list[str] | None:
        """The class characters the run was trained on, if run.json recorded them."""
        classes = self.data.get("classes") or self.info.get("classes")
        return list(classes) if classes else None

    @property
    def model_path(self) -> Path:
        return self.run_dir / "model.keras"

    def check_model_file(self) -> None:
        """RunError, worded as load_model's, unless model.keras is a whole .keras archive.

        Pages that show saved results never load the model; this keeps a damaged model
        from hiding behind them, at the cost of reading the zip directory only.
        """
        try:
            with zipfile.ZipFile(self.model_path) as archive:
                if "config.json" not in archive.namelist():
                    raise zipfile.BadZipFile("no config.json inside")
        except (OSError, zipfile.BadZipFile) as exc:
            raise RunError(
                f"cannot load {self.model_path}: {type(exc).__name__}: {exc}. The model file is "
                f"missing or corrupt; delete the run (python -m emnist_core runs delete "
                f"{self.run_id}) and train it again."
            ) from None

    def load_model(self):
        """The trained Keras model; RunError if model.keras is missing or corrupt."""
        import keras

        try:
            return keras.saving.load_model(self.model_path, safe_mode=True)
        except Exception as exc:  # Keras raises many types for a damaged zip
            if "safe_mode" in str(exc):  # a Lambda layer: Python code that would run on load
                raise RunError(
                    f"refused to load {self.model_path}: it holds a Lambda layer (Python code), "
                    "which Keras safe mode does not run. The lab never saves one; delete the "
                    f"run (python -m emnist_core runs delete {self.run_id})."
                ) from None
            raise RunError(
                f"cannot load {self.model_path}: {type(exc).__name__}: {exc}. The model file is "
                f"missing or corrupt; delete the run (python -m emnist_core runs delete "
                f"{self.run_id}) and train it again."
            ) from None


def typical_train_seconds(runs: list[Run], family: str, preset: str) -> float | None:
    """Median training time of the complete saved runs of one preset, or None if there are none.

    What the UI quotes for "how long will this take": measured here, on this machine's runs,
    rather than a figure from another processor pasted into the code.
    """
    seconds = sorted(
        run.train_seconds
        for run in runs
        if run.family == family
        and run.preset == preset
        and run.status == "complete"
        and run.train_seconds is not None
    )
    return seconds[len(seconds) // 2] if seconds else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{path} is missing or not valid JSON ({exc}).") from None


def load_run(run_dir: Path) -> Run:
    """Read a finished run folder; RunError naming the folder and the fix if it is broken."""
    run_dir = Path(run_dir)
    fix = "delete the folder and train again"
    if not run_dir.is_dir():
        raise RunError(f"no run folder at {run_dir}; list runs with {LIST_COMMAND}.")
    missing = [name for name in RUN_FILES if not (run_dir / name).is_file()]
    if missing:
        raise RunError(f"run folder {run_dir} is incomplete (missing {', '.join(missing)}); {fix}.")
    try:
        info = _read_json(run_dir / "run.json")
        config = config_from_dict(_read_json(run_dir / "config.json"))
        history = _read_json(run_dir / "history.json")
        metrics = _read_json(run_dir / "metrics.json")
    except EmnistError as exc:
        raise RunError(f"run folder {run_dir} is broken: {exc} Fix: {fix}.") from None
    if not isinstance(info, dict) or info.get("status") not in STATUSES:
        raise RunError(f"run folder {run_dir} has no valid status in run.json; {fix}.")
    return Run(run_dir.name, run_dir, config, info, history, metrics)


def save_run(
    runs_dir: Path | str | None,
    run_id: str,
    *,
    model,
    config: TrainingConfig,
    history: dict,
    metrics: dict,
    info: dict,
    results=None,
) -> Run:
    """Write every file into `.tmp-<id>`, then rename the folder into place in one step.

    If the runs folder fails while saving (full disk, gone, read-only), the run is
    written to the recovery folder instead and the RunError names it, so the trained
    model is never lost with the error.

    results : optional RunResults (emnist_core.evaluation.run_results), saved as results.npz.
    """
    root = settings.runs_dir(runs_dir)
    files = {"model": model, "config": config, "history": history, "metrics": metrics}
    files["results"] = results
    try:
        root.mkdir(parents=True, exist_ok=True)
        if (root / run_id).exists():
            raise RunError(f"a run folder {root / run_id} already exists; choose another run id.")
        return load_run(_write_run(root, run_id, info=info, **files))
    except (OSError, RunError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        rescue = settings.recovery_dir()
        try:
            kept = _write_run(rescue, run_id, info=info, **files)
        except OSError as again:
            raise RunError(
                f"could not save run {run_id} in {root} ({reason}), nor in the recovery folder "
                f"{rescue} ({again.strerror}); the trained model is lost. Free disk space "
                "and check both folders before training again."
            ) from None
        raise RunError(
            f"could not save run {run_id} in {root} ({reason}). The finished run is kept in "
            f"{kept}; fix the runs folder, then move it there: mv {kept} {root}/"
        ) from None


def _write_run(
    root: Path, run_id: str, *, model, config, history, metrics, info, results=None
) -> Path:
    """The run written into root/.tmp-<id>, renamed to root/<id> when whole; returns that."""
    root.mkdir(parents=True, exist_ok=True)
    tmp, final = root / f".tmp-{run_id}", root / run_id
    try:
        tmp.mkdir()
        write_json(tmp / "config.json", config.to_dict())
        write_json(tmp / "history.json", history)
        write_json(tmp / "metrics.json", metrics)
        model.save(tmp / "model.keras")
        if results is not None:
            from emnist_core.evaluation.run_results import RESULTS_FILE, save_results

            save_results(tmp / RESULTS_FILE, results)
        write_json(tmp / "run.json", info)  # last: its presence marks a finished write
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _versions() -> dict[str, str]:
    import keras
    import numpy
    import tensorflow

    import emnist_core

    return {
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "emnist_core": emnist_core.__version__,
    }


def run_info(
    *,
    run_id: str,
    config: TrainingConfig,
    dataset,
    model,
    name: str | None,
    command: str | None,
    preset: str | None,
    stopped_at: dict | None,
    train_seconds: float,
    train_cpu_seconds: float,
    history: dict,
    sizes: dict[str, int],
    precision: str = "float32",
    owner: str | None = None,
) -> dict[str, Any]:
    """The run.json record: status, provenance, timing, size, versions and data description.

    CPU seconds are kept beside wall seconds: on shared cores the wall time overstates the cost;
    precision is the dtype policy training used (config 'auto' resolved on this machine).
    """
    epochs_run = len(history.get("loss", []))
    return {
        "run_id": run_id,
        "name": name or run_id,
        "status": "stopped" if stopped_at else "complete",
        "owner": owner,
        "stopped_at": stopped_at,
        "family": config.family,
        "preset": preset,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command
        or f"emnist_core.training.loop.train(<{config.family} config>, <dataset>)",
        "timing": {
            "train_seconds": round(train_seconds, 3),
            "epochs_run": epochs_run,
            "train_cpu_seconds": round(train_cpu_seconds, 3),
            "seconds_per_epoch": round(train_seconds / max(epochs_run, 1), 3),
            "images_per_second": round(sizes["train"] * epochs_run / max(train_seconds, 1e-9), 1),
            "precision": precision,
        },
        "params": int(model.count_params()),
        "versions": _versions(),
        "data": {
            "source": str(dataset.source),
            "split": dataset.split,
            "format": dataset.format,
            "synthetic": bool(dataset.synthetic),
            "label": dataset.label,
            "classes": list(dataset.classes),
            "sizes": sizes,
            "notes": list(dataset.notes),  # e.g. which worker's copy a job read
        },
    }


class RunRegistry:
    """The runs under one folder (default: see `emnist_core.settings.runs_dir`)."""

    def __init__(self, runs_dir: Path | str | None = None):
        self.runs_dir = settings.runs_dir(runs_dir)
        # Opening tidies what killed saves and deletes left; `runs list` reports it.
        self.cleaned = clean_leftovers(self.runs_dir)

    def list(self) -> list[Run]:
        """Finished runs, newest first; hidden, half-written or broken folders are skipped."""
        if not self.runs_dir.is_dir():
            return []
        runs = []
        for run_dir in self.runs_dir.iterdir():
            if run_dir.name.startswith(".") or not run_dir.is_dir():
                continue
            try:
                runs.append(load_run(run_dir))
            except RunError:
                continue
        return sorted(runs, key=lambda run: (run.info.get("created", ""), run.run_id), reverse=True)

    def broken(self) -> "list[BrokenRun]":  # quoted: the list method shadows the type here
        """Run folders that cannot be read, each with the reason; `delete` removes them."""
        if not self.runs_dir.is_dir():
            return []
        found = []
        for run_dir in sorted(self.runs_dir.iterdir()):
            if run_dir.name.startswith(".") or not run_dir.is_dir():
                continue
            try:
                load_run(run_dir)
            except RunError as error:
                found.append(BrokenRun(run_dir.name, run_dir, str(error)))
        return found

    def _dir(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
            raise RunError(f"{run_id!r} is not a run id; list runs with {LIST_COMMAND}.")
        return self.runs_dir / run_id

    def get(self, run_id: str) -> Run:
        """One run by id; RunError naming the folder and the fix if it is missing or broken."""
        return load_run(self._dir(run_id))

    def delete(self, run_id: str) -> None:
        """Remove a run, broken or not: hide it with a rename (atomic), then delete the files.

        A symlinked run loses only its link; the folder it points to is left alone.
        """
        run_dir = self._dir(run_id)
        if not run_dir.is_dir():
            raise RunError(f"no run folder at {run_dir}; nothing to delete.")
        doomed = self.runs_dir / f".deleting-{run_id}-{secrets.token_hex(2)}"
        os.rename(run_dir, doomed)
        remove_tree(doomed)

    def rename(self, run_id: str, new_name: str) -> Run:
        """Give a run a display name (run.json is rewritten atomically; the id never changes)."""
        new_name = check_display_name(new_name)
        run = self.get(run_id)
        info = dict(run.info, name=new_name)
        write_json(run.run_dir / "run.json", info)
        return load_run(run.run_dir)
