"""Efficiency: the Pareto front on hand-made tables, and rows read from saved-run records."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emnist_core.analysis.efficiency import (
    accuracy_per_million,
    best_by_family,
    efficiency_table,
    mark_pareto,
    pareto_front,
)
from emnist_core.errors import DataError
from emnist_core.models.config import config_class
from emnist_core.training.runs import Run


def test_pareto_front_on_a_hand_made_table():
    # cost:   10    20    30    40    25    10
    # score: 0.5   0.8   0.9   0.85  0.7   0.4
    costs = np.array([10, 20, 30, 40, 25, 10])
    scores = np.array([0.5, 0.8, 0.9, 0.85, 0.7, 0.4])
    # 40/0.85 is beaten by 30/0.9; 25/0.7 by 20/0.8; 10/0.4 by 10/0.5 (same cost, better score)
    assert pareto_front(costs, scores).tolist() == [True, True, True, False, False, False]


def test_pareto_front_keeps_exact_ties_and_drops_nan():
    costs = np.array([5.0, 5.0, np.nan, 1.0])
    scores = np.array([0.9, 0.9, 0.99, np.nan])
    assert pareto_front(costs, scores).tolist() == [True, True, False, False]
    with pytest.raises(DataError, match="equal-length"):
        pareto_front(np.zeros(2), np.zeros(3))


def fake_run(run_id, family, params, seconds, accuracy, data="stand-in", synthetic=False):
    """A saved-run record as run.json holds it, without a model behind it."""
    info = {
        "name": f"{family}-{run_id}",
        "family": family,
        "params": params,
        "timing": {"train_seconds": seconds},
        "data": {"label": data, "synthetic": synthetic},
    }
    metrics = {} if accuracy is None else {"accuracy": accuracy}
    return Run(run_id, Path(run_id), config_class(family)(), info, {}, metrics)


def test_efficiency_table_marks_fronts_per_data_source():
    runs = [
        fake_run("a", "mlp", 600_000, 100, 0.84),
        fake_run("b", "cnn", 150_000, 300, 0.89),
        fake_run("c", "cnn", 50_000, 90, 0.86),
        fake_run("d", "mlp", 900_000, 400, 0.85),
        fake_run("e", "cnn", 10, 1, 0.99, data="synthetic demo", synthetic=True),
        fake_run("f", "mlp", 100, 1, None),
    ]
    table = efficiency_table(runs).set_index("run_id")
    assert table.loc["b", "params"] == 150_000 and table.loc["a", "family"] == "mlp"
    # parameters: c (50k, 0.86) and b (150k, 0.89) form the front; a and d are beaten by b
    assert table["pareto_params"].to_dict() == {
        "a": False,
        "b": True,
        "c": True,
        "d": False,
        "e": True,
        "f": False,
    }
    # time: c (90 s) is cheapest; b (300 s) is the most accurate; a (100 s, 0.84) loses to c
    assert table["pareto_train_seconds"].to_dict() == {
        "a": False,
        "b": True,
        "c": True,
        "d": False,
        "e": True,
        "f": False,
    }
    assert np.isnan(table.loc["f", "accuracy"])


def test_best_by_family_and_ratio():
    frame = mark_pareto(
        pd.DataFrame(
            {
                "run_id": ["x", "y"],
                "family": ["cnn", "cnn"],
                "data": ["d", "d"],
                "params": [1e6, 2e6],
                "train_seconds": [1.0, 2.0],
                "accuracy": [0.8, 0.9],
            }
        )
    )
    assert best_by_family(frame, "cnn")["run_id"] == "y"
    assert best_by_family(frame, "mlp") is None
    assert accuracy_per_million(frame).tolist() == pytest.approx([80.0, 45.0])
