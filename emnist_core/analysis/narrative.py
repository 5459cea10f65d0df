"""Two plain sentences for each "why CNNs win" analysis, written from the measured numbers.

The wording changes with what was measured: if a CNN run does not beat the MLP run
(an untrained model, a tiny synthetic demo), the text says so instead of repeating the
textbook claim. Every number in a sentence comes from the data passed in.
"""

import numpy as np
import pandas as pd

from emnist_core.analysis.robustness import accuracy_at
from emnist_core.errors import DataError

SAME = 1.0  # percentage points within which two drops count as "about the same"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _nearest(frame: pd.DataFrame, perturbation: str, wanted: float) -> float:
    levels = frame.loc[frame["perturbation"] == perturbation, "level"].unique()
    if len(levels) == 0:
        raise DataError(f"no {perturbation} levels were measured")
    return float(levels[np.argmin(np.abs(levels - wanted))])


def _drop(frame: pd.DataFrame, run: str, perturbation: str, level: float, base: float) -> float:
    """Accuracy lost (percentage points) at level against the unperturbed accuracy."""
    return (
        accuracy_at(frame, run, perturbation, base) - accuracy_at(frame, run, perturbation, level)
    ) * 100


def _change(points: float) -> str:
    """'loses 3.2 points' or, for a negative drop (better when moved), 'gains 0.4 points'."""
    return f"loses {points:.1f} points" if points >= 0 else f"gains {-points:.1f} points"


def _robustness_verdict(cnn_drop: float, mlp_drop: float) -> str:
    """The second sentence: what the average drops (percentage points) say about the CNN."""
    both = f"the CNN {_change(cnn_drop)} on average and the MLP {_change(mlp_drop)}"
    if cnn_drop < mlp_drop - SAME:
        return (
            f"Moved or turned, {both}: the CNN's small filters slide over the whole image and "
            "pooling absorbs small moves, while every MLP weight is tied to one pixel position."
        )
    elif cnn_drop <= mlp_drop + SAME:
        return (
            f"Moved or turned, {both}, about the same, so these runs show no extra "
            "tolerance of the CNN to moved or turned strokes."
        )
    else:
        return (
            f"Here {both}, so these runs do not show the usual "
            "advantage; a CNN trained longer, or on more data, normally does."
        )


def explain_robustness(
    frame: pd.DataFrame, mlp: str, cnn: str, shift: float = 3, rotation: float = 20
) -> str:
    """Two sentences on how the MLP and the CNN cope with shifted and rotated characters."""
    shift, rotation = _nearest(frame, "shift", shift), _nearest(frame, "rotation", rotation)
    base_shift, base_rot = _nearest(frame, "shift", 0), _nearest(frame, "rotation", 0)
    at = {
        run: [
            accuracy_at(frame, run, "shift", base_shift),
            accuracy_at(frame, run, "shift", shift),
            accuracy_at(frame, run, "rotation", rotation),
        ]
        for run in (mlp, cnn)
    }
    first = (
        f"Moved by {shift:g} pixels, the CNN still reads {_pct(at[cnn][1])} of the test "
        f"characters correctly (from {_pct(at[cnn][0])}) while the MLP falls from "
        f"{_pct(at[mlp][0])} to {_pct(at[mlp][1])}; turned by {rotation:g} degrees, the CNN keeps "
        f"{_pct(at[cnn][2])} and the MLP {_pct(at[mlp][2])}."
    )
    cnn_drop = (
        _drop(frame, cnn, "shift", shift, base_shift)
        + _drop(frame, cnn, "rotation", rotation, base_rot)
    ) / 2
    mlp_drop = (
        _drop(frame, mlp, "shift", shift, base_shift)
        + _drop(frame, mlp, "rotation", rotation, base_rot)
    ) / 2
    second = _robustness_verdict(cnn_drop, mlp_drop)
    return f"{first} {second}"


def _size(params: float) -> str:
    return f"{params / 1e6:.2f} million" if params >= 1e6 else f"{params / 1e3:,.0f} thousand"


def explain_efficiency(table: pd.DataFrame, mlp: str, cnn: str) -> str:
    """Two sentences comparing accuracy, parameters and training time of two runs (by run_id)."""
    rows = table.set_index("run_id")
    if mlp not in rows.index or cnn not in rows.index:
        raise DataError("both runs must be in the efficiency table")
    m, c = rows.loc[mlp], rows.loc[cnn]
    first = (
        f"The CNN reaches {_pct(c['accuracy'])} test accuracy with {_size(c['params'])} "
        "parameters and "
        f"{c['train_seconds']:.0f} s of training; the MLP {_pct(m['accuracy'])} with "
        f"{_size(m['params'])} parameters and {m['train_seconds']:.0f} s."
    )
    ratio = m["params"] / c["params"] if c["params"] else float("inf")
    more_accurate = c["accuracy"] > m["accuracy"]
    if more_accurate and ratio >= 1:
        second = (
            f"So the CNN is more accurate with {ratio:.1f} times fewer weights: it reuses each "
            "small filter at every position instead of learning a weight for every pixel."
        )
    elif more_accurate:
        second = (
            f"The CNN's lead costs {1 / ratio:.1f} times the MLP's weights here, so it buys its "
            "accuracy with size rather than with weight sharing alone."
        )
    else:
        second = (
            f"The CNN is not more accurate here ({_pct(c['accuracy'])} against "
            f"{_pct(m['accuracy'])}), so these runs do not show it using its weights better."
        )
    return f"{first} {second}"


def explain_representations(mlp_rep, cnn_rep) -> str:
    """Two sentences on how cleanly each network's last hidden layer groups the characters."""
    first = (
        f"In the layer before the answer, {_pct(cnn_rep.knn_accuracy)} of test images sit among "
        f"neighbours of the same character for the CNN (silhouette {cnn_rep.silhouette:.2f}, "
        f"{cnn_rep.dimensions} features) against {_pct(mlp_rep.knn_accuracy)} for the MLP "
        f"(silhouette {mlp_rep.silhouette:.2f}, {mlp_rep.dimensions} features)."
    )
    knn_better = cnn_rep.knn_accuracy > mlp_rep.knn_accuracy
    sil_better = cnn_rep.silhouette > mlp_rep.silhouette
    if knn_better and sil_better:
        second = (
            "The CNN's clusters are tighter and further apart, so it has turned pixels into "
            "features that group each character together, leaving its last layer an easier job."
        )
    elif not knn_better and not sil_better:
        second = (
            "Here the MLP's clusters are as clean or cleaner, so on these runs the CNN's "
            "advantage does not show in this layer."
        )
    else:
        second = (
            "The two scores disagree, so neither network's clusters are clearly cleaner "
            "on this sample."
        )
    return f"{first} {second}"
