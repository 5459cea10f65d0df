"""Parameter efficiency: accuracy against parameter count and training time across saved runs.

A run is on the Pareto front of a cost (parameters or training seconds) when no other
run on the same data is at least as accurate for at most the same cost and strictly
better in one of the two. Runs trained on different data are never compared: the
front is found separately for each data source.
"""

from typing import Any

import numpy as np
import pandas as pd

from emnist_core.errors import DataError

COLUMNS = ["run_id", "name", "family", "data", "synthetic", "params", "train_seconds", "accuracy"]
COSTS = ("params", "train_seconds")


def pareto_front(costs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Boolean mask (N,): True where no other point has cost <= and score >=, one strictly.

    costs, scores : float arrays (N,); lower cost and higher score are better. Points
    with a NaN cost or score are never on the front. Exact duplicates are both kept.
    """
    costs, scores = np.asarray(costs, dtype=float), np.asarray(scores, dtype=float)
    if costs.shape != scores.shape or costs.ndim != 1:
        raise DataError(
            "costs and scores must be equal-length 1-D arrays; "
            f"got {costs.shape} and {scores.shape}"
        )
    valid = ~(np.isnan(costs) | np.isnan(scores))
    no_worse = (costs[None, :] <= costs[:, None]) & (scores[None, :] >= scores[:, None])
    better = (costs[None, :] < costs[:, None]) | (scores[None, :] > scores[:, None])
    dominated = (no_worse & better & valid[None, :]).any(axis=1)  # row i: does any j beat i?
    return valid & ~dominated


def run_row(run: Any) -> dict[str, Any]:
    """One run's costs and test accuracy, read from its saved record (no model is loaded)."""
    return {
        "run_id": run.run_id,
        "name": run.name,
        "family": run.family,
        "data": run.data_label,
        "synthetic": run.synthetic,
        "params": _number(run.params),
        "train_seconds": _number(run.train_seconds),
        "accuracy": _number(run.accuracy),
    }


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def efficiency_table(runs: list[Any]) -> pd.DataFrame:
    """One row per run (COLUMNS) plus pareto_params and pareto_train_seconds flags.

    Fronts are computed within each data source; runs without a recorded test accuracy
    are listed but never on a front.
    """
    frame = pd.DataFrame([run_row(run) for run in runs], columns=COLUMNS)
    return mark_pareto(frame)


def mark_pareto(frame: pd.DataFrame) -> pd.DataFrame:
    """Add pareto_<cost> boolean columns to a frame with data, accuracy and cost columns."""
    frame = frame.copy()
    for cost in COSTS:
        flags = np.zeros(len(frame), dtype=bool)
        for _, group in frame.groupby("data", sort=False):
            positions = frame.index.get_indexer(group.index)
            flags[positions] = pareto_front(group[cost].to_numpy(), group["accuracy"].to_numpy())
        frame[f"pareto_{cost}"] = flags
    return frame


def accuracy_per_million(frame: pd.DataFrame) -> pd.Series:
    """Test accuracy points (percent) per million parameters, a crude efficiency ratio."""
    return frame["accuracy"] * 100 / (frame["params"] / 1e6)


def best_by_family(frame: pd.DataFrame, family: str, data: str | None = None) -> pd.Series | None:
    """The most accurate run of a family (optionally on one data source), or None."""
    rows = frame[(frame["family"] == family) & frame["accuracy"].notna()]
    if data is not None:
        rows = rows[rows["data"] == data]
    if rows.empty:
        return None
    return rows.loc[rows["accuracy"].idxmax()]
