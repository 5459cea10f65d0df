"""The one progress event of training: what train() reports per batch and per epoch.

Every reader (the CLI's bar, the dashboard's job panel, tuning's pruner, the job engine)
takes these fields and no others; a job that wraps training adds its own context keys
(the model's name, the trial number) beside them, never instead of them.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

BATCH, EPOCH = "batch", "epoch"


@dataclass(frozen=True)
class Progress:
    """One progress report: event is 'batch' (val_* are None) or 'epoch' (after validation).

    epoch and step count from 1; eta is seconds left if every planned epoch runs.
    """

    event: str
    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    learning_rate: float
    elapsed: float
    eta: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressFn = Callable[[Progress], None]


def is_epoch(event: dict[str, Any]) -> bool:
    """True for a Progress dict reported at the end of an epoch."""
    return event.get("event") == EPOCH
