"""TensorBoard logs inside a run folder, so `tensorboard --logdir artifacts/runs` shows every run.

The run folder exists only once training has finished (it is renamed into place whole), so
the logs are written to a hidden staging folder beside it and moved in afterwards.
"""

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emnist_core import settings

LOGS_FOLDER = "tensorboard"  # <run folder>/tensorboard/{train,validation}/events.out.tfevents.*


@dataclass
class TensorBoardLogs:
    """A staging folder and the Keras TensorBoard callback that writes into it."""

    staging: Path

    def callback(self):
        import keras

        return keras.callbacks.TensorBoard(log_dir=str(self.staging), write_graph=False)

    def attach(self, run) -> Path:
        """Move the logs into the run folder; returns their new place."""
        target = Path(run.run_dir) / LOGS_FOLDER
        os.rename(self.staging, target)
        return target


@contextmanager
def tensorboard_logs(runs_dir: Path | str | None = None) -> Iterator[TensorBoardLogs]:
    """Yield TensorBoardLogs staged under runs_dir; logs never attached are removed on exit."""
    root = settings.runs_dir(runs_dir)
    root.mkdir(parents=True, exist_ok=True)
    logs = TensorBoardLogs(root / f".tensorboard-{secrets.token_hex(4)}")
    try:
        yield logs
    finally:
        shutil.rmtree(logs.staging, ignore_errors=True)  # gone already once attached
