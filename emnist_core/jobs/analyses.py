"""Analyses as cluster jobs: the robustness sweep of two runs, cached per run pair.

The sweep perturbs thousands of test images at many levels and runs both models on each:
minutes of CPU that must not run in the web server. The job carries the two models as
bytes (a worker needs no shared disk) and sends the measured frame back as a file, which
the submitter saves under the registry's `.analysis/` folder; pages read it from there.
"""

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emnist_core import settings
from emnist_core.analysis.robustness import RobustnessConfig, robustness_curves
from emnist_core.data import Dataset
from emnist_core.jobs.landing import ANALYSIS_FOLDER


def robustness_file(run_ids: tuple[str, ...], data_key: str, limit: int | None) -> str:
    """The cache file (relative to the analysis folder) of one run pair, data and sample."""
    digest = hashlib.sha256(f"{data_key}|{limit}".encode()).hexdigest()[:12]
    return f"robustness/{'__'.join(run_ids)}__{digest}.json"


def cached_robustness(
    runs_dir: Path | str | None, run_ids: tuple[str, ...], data_key: str, limit: int | None
) -> pd.DataFrame | None:
    """The saved frame of this run pair on this data and sample, or None if never measured."""
    path = settings.runs_dir(runs_dir) / ANALYSIS_FOLDER / robustness_file(run_ids, data_key, limit)
    if not path.is_file():
        return None
    return pd.DataFrame(json.loads(path.read_text())["rows"])


@dataclass(frozen=True)
class RobustnessSpec:
    """Measure robustness curves of named models (keras files as bytes) on the test split."""

    model_files: tuple[tuple[str, bytes], ...]  # (name, model.keras bytes)
    config: RobustnessConfig
    cache_file: str
    label: str = "robustness sweep"

    def run(self, dataset: Dataset, report, stop: threading.Event, tmp: Path) -> dict:
        """The frame as {cache_file: json bytes}, to be saved by the submitter."""
        import keras

        models = {}
        for number, (name, payload) in enumerate(self.model_files):
            path = tmp / f"model-{number}.keras"  # tmp is this job's own folder
            path.write_bytes(payload)
            models[name] = keras.saving.load_model(path, safe_mode=True)

        def progress(done: int, total: int) -> None:
            report({"kind": "sweep", "done": done, "total": total})

        frame = robustness_curves(models, dataset.test, self.config, progress=progress)
        body = {"rows": frame.to_dict("records"), "config": str(self.config)}
        return {self.cache_file: json.dumps(body).encode()}


def robustness_spec(runs: dict[str, object], data_key: str, limit: int | None) -> RobustnessSpec:
    """The job of two named runs (name -> Run): their model files read once, here."""
    run_ids = tuple(run.run_id for run in runs.values())
    models = tuple((name, run.model_path.read_bytes()) for name, run in runs.items())
    return RobustnessSpec(
        models,
        RobustnessConfig(limit=limit),
        robustness_file(run_ids, data_key, limit),
        label=f"robustness: {' vs '.join(runs)}",
    )
