"""A tuning study as a cluster job: its trials train in a worker, never in the web server.

The study's storage is shared (a journal file on one machine, PostgreSQL across machines),
so trials the worker runs join the same study a CLI `tune` worker would; the trial runs it
saves land in the submitter's registry like any job's.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emnist_core.data import Dataset
from emnist_core.tuning.space import SearchSpace
from emnist_core.tuning.worker import TuneSettings

TRIAL_CONTEXT = {"start": ("position", "of"), "end": ("best_value",)}


@dataclass(frozen=True)
class StudySpec:
    """Run trials of one study: its name, storage URL (absolute), space and settings."""

    study_name: str
    storage: str
    space: SearchSpace
    settings: TuneSettings
    label: str
    command: str = "dashboard Tune page"
    owner: str | None = None  # classroom mode: the signed-in user, owner of the trial runs
    # classroom mode: check(config, num_classes) refuses a trial over the student's limits
    check: Callable | None = None

    def run(self, dataset: Dataset, report, stop: threading.Event, tmp: Path) -> None:
        """Run trials until the study's budget is spent or Stop; trial runs are saved in tmp."""
        from emnist_core.tuning.worker import open_study, run_study

        study = open_study(
            self.space, name=self.study_name, storage=self.storage, settings=self.settings
        )
        run_study(
            study,
            dataset,
            space=self.space,
            settings=self.settings,
            runs_dir=tmp,
            on_event=with_trial_context(report),
            stop_event=stop,
            check=None if self.check is None else self._checker(dataset.num_classes),
        )

    def _checker(self, num_classes: int) -> Callable:
        return lambda config: self.check(config, num_classes)


def with_trial_context(report):
    """An on_event that adds the current trial's place and the best value so far to every
    event, so a progress panel can say 'trial 3 of 20, best 87%' from any single event."""
    context: dict = {}

    def on_event(event: dict) -> None:
        if event.get("kind") == "trial":
            keys = TRIAL_CONTEXT.get(event.get("phase"), ())
            context.update({k: event[k] for k in keys if k in event} | {"trial": event["trial"]})
        report({**context, **event})

    return on_event
