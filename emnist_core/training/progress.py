"""The progress events of training: what train() reports per batch and per epoch, and
before the first batch while it prepares (drawing pen images for `drawn_share`).

Every reader (the CLI's bar, the notebook's bar, the dashboard's job panel, tuning's
pruner, the job engine) takes these fields and no others; a job that wraps training adds
its own context keys (the model's name, the trial number) beside them, never instead of
them. Readers that only want batches and epochs check `event` and skip the rest.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

BATCH, EPOCH, DRAWING = "batch", "epoch", "drawing"


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


@dataclass(frozen=True)
class Preparing:
    """Work before the first batch, long enough that a silent bar would look stuck: the
    tuned CNN draws about 20,000 pen images first, for half a minute. done of total items;
    elapsed seconds since training began. It has no epoch, step or loss, so charts and
    epoch counters leave it out."""

    done: int
    total: int
    elapsed: float
    event: str = DRAWING

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressFn = Callable[[Progress | Preparing], None]


def is_epoch(event: dict[str, Any]) -> bool:
    """True for a Progress dict reported at the end of an epoch."""
    return event.get("event") == EPOCH


def is_preparing(event: dict[str, Any]) -> bool:
    """True for a Preparing dict (reported before the first batch)."""
    return event.get("event") == DRAWING


def preparing_text(event: dict[str, Any]) -> str:
    """'drawing training images 5,000/20,000', as the dashboard's job panels say it."""
    return f"drawing training images {event.get('done', 0):,}/{event.get('total', 0):,}"
