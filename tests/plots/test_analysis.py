"""Analysis figures draw what they are given; explanations quote the numbers and follow them."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from emnist_core.analysis.efficiency import mark_pareto
from emnist_core.analysis.narrative import (
    explain_efficiency,
    explain_representations,
    explain_robustness,
)
from emnist_core.analysis.representations import Representation
from emnist_core.plots.analysis import (
    efficiency_figure,
    embeddings_figure,
    grid_figure,
    overlay_figure,
    robustness_figure,
    tile,
)


def curves(cnn_shift3: float, cnn_rot20: float) -> pd.DataFrame:
    rows = []
    for run, clean, shift3, rot20 in (("M", 0.80, 0.30, 0.50), ("C", 0.90, cnn_shift3, cnn_rot20)):
        rows += [
            (run, "shift", 0.0, clean),
            (run, "shift", 3.0, shift3),
            (run, "rotation", 0.0, clean),
            (run, "rotation", 20.0, rot20),
            (run, "noise", 0.0, clean),
            (run, "noise", 50.0, clean - 0.1),
        ]
    return pd.DataFrame(rows, columns=["run", "perturbation", "level", "accuracy"])


def test_robustness_explanation_quotes_the_numbers_and_follows_them():
    text = explain_robustness(curves(0.85, 0.80), "M", "C")
    assert "85.0%" in text and "90.0%" in text and "30.0%" in text and "80.0%" in text
    assert "3 pixels" in text and "20 degrees" in text
    assert "slide over the whole image" in text and text.count(". ") + text.endswith(".") == 2
    worse = explain_robustness(curves(0.20, 0.10), "M", "C")
    assert "do not show the usual advantage" in worse and "20.0%" in worse
    same = explain_robustness(curves(0.40, 0.60), "M", "C")  # CNN drops 40 pts avg, MLP 40 pts
    assert "about the same" in same
    # an untrained pair can score better when moved: the text says "gains", never "loses -0.4"
    frame = curves(0.93, 0.91)  # the CNN reads moved characters better than unmoved ones
    gains = explain_robustness(frame, "M", "C")
    assert "the CNN gains 2.0 points on average" in gains and "loses -" not in gains


def reps(knn_m, sil_m, knn_c, sil_c):
    def make(name, knn, sil):
        return Representation(name, np.zeros((3, 2)), np.arange(3), 64, sil, knn, "pca")

    return make("mlp", knn_m, sil_m), make("cnn", knn_c, sil_c)


def test_representation_explanation_follows_the_scores():
    text = explain_representations(*reps(0.6, 0.05, 0.9, 0.2))
    assert "90.0%" in text and "60.0%" in text and "0.20" in text and "tighter" in text
    assert "as clean or cleaner" in explain_representations(*reps(0.9, 0.3, 0.6, 0.1))
    assert "disagree" in explain_representations(*reps(0.6, 0.3, 0.9, 0.1))


def table() -> pd.DataFrame:
    return mark_pareto(
        pd.DataFrame(
            {
                "run_id": ["m", "c", "c2"],
                "name": ["mlp run", "cnn run", "big cnn"],
                "family": ["mlp", "cnn", "cnn"],
                "data": ["d", "d", "d"],
                "synthetic": [False] * 3,
                "params": [1_200_000.0, 150_000.0, 3_000_000.0],
                "train_seconds": [100.0, 400.0, 900.0],
                "accuracy": [0.84, 0.89, 0.90],
            }
        )
    )


def test_efficiency_explanation_follows_the_table():
    text = explain_efficiency(table(), "m", "c")
    assert "89.0%" in text and "84.0%" in text and "150 thousand" in text and "1.20 million" in text
    assert "8.0 times fewer weights" in text
    assert "2.5 times the MLP's weights" in explain_efficiency(table(), "m", "c2")
    low = table().assign(accuracy=[0.9, 0.5, 0.5])
    assert "not more accurate" in explain_efficiency(low, "m", "c")


def test_figures_have_one_trace_per_run_and_panel():
    fig = robustness_figure(curves(0.85, 0.8), families={"M": "mlp", "C": "cnn"})
    assert isinstance(fig, go.Figure) and len(fig.data) == 2 * 3
    assert {trace.line.color for trace in fig.data} == {"#d62728", "#1f77b4"}
    assert [max(t.y) for t in fig.data] == pytest.approx([80.0] * 3 + [90.0] * 3)  # M first, then C
    eff = efficiency_figure(table())
    names = [trace.name for trace in eff.data]
    assert names[:2] == ["CNN", "MLP"] and any("Pareto" in n for n in names)
    front = next(t for t in eff.data if "Pareto" in t.name)
    assert list(front.x) == [150_000.0, 3_000_000.0]
    emb = embeddings_figure(reps(0.5, 0.1, 0.9, 0.3), ["a", "b", "c"])
    assert len(emb.data) == 2 and list(emb.data[0].text) == ["a", "b", "c"]


def test_tile_and_grids():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    tiled = tile(maps, columns=2, pad=1)
    assert tiled.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert np.array_equal(tiled[0:2, 4:7], maps[1]) and np.isnan(tiled[6:8, 4:7]).all()
    assert grid_figure(maps, "maps").data[0].zmax == 1.0
    weights = grid_figure(maps - 10, "weights", diverging=True).data[0]
    assert weights.zmin == -weights.zmax == -19
    over = overlay_figure(np.zeros((28, 28)), np.ones((28, 28)), "heat")
    assert np.asarray(over.data[0].z).shape == (28, 28, 3)
