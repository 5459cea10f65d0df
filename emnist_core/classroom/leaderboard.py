"""The class leaderboard: each student's best run, most accurate first."""

from dataclasses import dataclass

from emnist_core.training.runs import Run


@dataclass(frozen=True)
class Entry:
    owner: str
    run_id: str
    name: str
    family: str
    accuracy: float | None
    params: int | None
    train_seconds: float | None


def _score(run: Run) -> float:
    return run.accuracy if run.accuracy is not None else -1.0


def leaderboard(runs: list[Run], students: set[str] | None = None) -> list[Entry]:
    """Best run per owner (runs without an owner are left out); students narrows the owners."""
    best: dict[str, Run] = {}
    for run in runs:
        if run.owner is None or (students is not None and run.owner not in students):
            continue
        if run.owner not in best or _score(run) > _score(best[run.owner]):
            best[run.owner] = run
    entries = [
        Entry(owner, r.run_id, r.name, r.family, r.accuracy, r.params, r.train_seconds)
        for owner, r in best.items()
    ]
    return sorted(entries, key=lambda e: (e.accuracy is None, -(e.accuracy or 0.0), e.owner))
