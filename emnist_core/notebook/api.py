"""The notebook API: load, train, evaluate, compare, predict, and plotly figures of each result.

Everything here is a thin layer over the library (data.load, training.loop.train,
evaluation, inference), with the defaults a student wants: the quick preset, a progress
bar, the data a run was trained on. Figures come back as plotly figures, which a notebook
shows when they end a cell.
"""

from pathlib import Path
from typing import Any

import numpy as np


def load(data_dir: str | Path | None = None, split: str = "balanced"):
    """The EMNIST dataset (see `emnist_core.data.load`): .train, .test, .classes."""
    from emnist_core.data import load as load_dataset

    return load_dataset(data_dir, split)


def train(
    family: str,
    preset: str = "quick",
    data: Any = None,
    epochs: int | None = None,
    runs_dir: str | Path | None = None,
    callbacks: list | None = None,
    *,
    name: str | None = None,
    tensorboard: bool = False,
    progress: bool = True,
    **field_overrides: Any,
):
    """Train a model from a preset with any config field changed; returns the saved run.

    data is a Dataset, a data folder or None (the lab's data folder); callbacks are any
    Keras callbacks, run next to the lab's own; tensorboard=True writes logs into the run.
    """
    from emnist_core.models.presets import get_preset
    from emnist_core.notebook.progress import NotebookProgress
    from emnist_core.training.loop import train as train_run
    from emnist_core.training.tensorboard import tensorboard_logs

    config = get_preset(family, preset)
    changes = {**field_overrides, **({} if epochs is None else {"epochs": epochs})}
    config = config.replace(**changes) if changes else config
    dataset = data if hasattr(data, "train") else load(data)
    label = name or f"{family}-{preset}"
    bar = NotebookProgress(label, enabled=progress)
    command = f"emnist_core.train({family!r}, preset={preset!r}, **{changes!r})"
    try:
        with tensorboard_logs(runs_dir) as logs:
            extra = [*(callbacks or ()), *([logs.callback()] if tensorboard else [])]
            run = train_run(
                config,
                dataset,
                progress=bar,
                runs_dir=runs_dir,
                name=label,
                command=command,
                preset=preset,
                extra_callbacks=extra,
            )
            if tensorboard:
                logs.attach(run)
    finally:
        bar.close()
    return run


def as_run(run: Any, runs_dir: str | Path | None = None):
    """A Run from a Run, a run id or a run folder."""
    if hasattr(run, "run_dir"):
        return run
    from emnist_core.cli.evaluate import resolve_run

    return resolve_run(str(run), None if runs_dir is None else str(runs_dir))


def _data_for(run, data: Any):
    if hasattr(data, "test"):
        return data
    from emnist_core.cli.evaluate import dataset_for

    return dataset_for(run, None if data is None else str(data))


def evaluate(run: Any, data: Any = None):
    """Test-set Evaluation of a run (on the data it was trained on unless data is given)."""
    from emnist_core.evaluation.metrics import evaluate_run

    run = as_run(run)
    return evaluate_run(run, _data_for(run, data))


def compare(a: Any, b: Any, *more: Any, data: Any = None):
    """Comparison of two or more runs (a is the reference), with McNemar's test per pair."""
    from emnist_core.evaluation.compare import compare_runs

    runs = [as_run(run) for run in (a, b, *more)]
    return compare_runs(runs, _data_for(runs[0], data), latency=False)


def predict(run: Any, image: Any, k: int = 5) -> list[tuple[str, float]]:
    """The k most likely (character, probability) pairs for one image.

    A 28x28 array is taken as an EMNIST image (raw 0-255 pixels, upright); anything
    else (a bigger array, a PIL image, a file path) is preprocessed as the Draw page does.
    """
    from emnist_core.inference.predictor import Predictor
    from emnist_core.inference.preprocess import load_image_file

    predictor = Predictor.from_run(as_run(run))
    if isinstance(image, str | Path):
        image = load_image_file(image)
    if isinstance(image, np.ndarray) and image.shape in ((28, 28), (28, 28, 1)):
        return predictor.predict_top(image, k)
    return predictor.predict_image(image, k)[1]
