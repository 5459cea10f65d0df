"""Test-set evaluation: accuracy, loss, per-class scores, confusion matrix and the mistakes.

The core, `evaluate_predictions`, is a pure function on arrays so its numbers can be
checked by hand; `evaluate` only runs a model over the test images in batches and
hands the probabilities to it. Nothing here draws: figures.py turns results into plots.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emnist_core.data.dataset import Split
from emnist_core.errors import DataError, RunError

# Keras clips probabilities to [eps, 1 - eps] before the log; match it so our loss equals Keras's.
_EPSILON = 1e-7
SUMMARY_KEYS = (
    "accuracy",
    "loss",
    "top3_accuracy",
    "macro_precision",
    "macro_recall",
    "macro_f1",
)
CALIBRATION_KEYS = ("ece", "nll")


@dataclass(frozen=True)
class Evaluation:
    """Everything measured on one model's test predictions.

    y_true, predicted : int64 arrays, shape (N,), label indices.
    confidence : float array, shape (N,), the probability the model gave its prediction.
    precision, recall, f1 : float arrays, shape (K,); support : int array, shape (K,).
    confusion : int array, shape (K, K); rows are true classes, columns predictions.
    Macro scores average over the classes that occur in y_true or predicted (scikit-learn's
    rule), so a class absent from a tiny test set does not drag the average to zero.
    """

    classes: list[str]
    y_true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
    accuracy: float
    loss: float
    top3_accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    confusion: np.ndarray
    ece: float = float("nan")  # expected calibration error, 15 bins (see calibration.py)

    @property
    def nll(self) -> float:
        """Negative log-likelihood: the test cross-entropy, the same for every run."""
        return self.loss

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def correct(self) -> np.ndarray:
        """Boolean array (N,): whether each test image was classified right (McNemar needs it)."""
        return self.predicted == self.y_true

    @property
    def misclassified_indices(self) -> np.ndarray:
        """Test-set indices of the images the model got wrong, in test order."""
        return np.flatnonzero(~self.correct)

    def summary(self) -> dict[str, float]:
        """The headline scalars, as plain floats (what metrics.json and tables show)."""
        return {key: float(getattr(self, key)) for key in SUMMARY_KEYS + CALIBRATION_KEYS}

    def misclassified(self) -> pd.DataFrame:
        """One row per wrong test image: index, true, predicted (characters) and confidence.

        Sorted most-confident first, because confident mistakes are the instructive ones.
        """
        idx = self.misclassified_indices
        frame = pd.DataFrame(
            {
                "index": idx,
                "true": [self.classes[i] for i in self.y_true[idx]],
                "predicted": [self.classes[i] for i in self.predicted[idx]],
                "confidence": self.confidence[idx].astype(float),
            }
        )
        return frame.sort_values("confidence", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def confused_pairs(self, top: int = 10, combine_directions: bool = False) -> pd.DataFrame:
        """The most frequent mistakes; see `most_confused_pairs`."""
        return most_confused_pairs(self.confusion, self.classes, top, combine_directions)

    def cell_indices(self, true_label: int, predicted_label: int) -> np.ndarray:
        """Test indices behind one confusion-matrix cell (the dashboard shows these images)."""
        mask = (self.y_true == true_label) & (self.predicted == predicted_label)
        return np.flatnonzero(mask)

    def to_dict(self, include_predictions: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; with predictions it round-trips through `from_dict`."""
        out: dict[str, Any] = dict(self.summary())
        out["classes"] = list(self.classes)
        out["per_class"] = {
            "precision": self.precision.tolist(),
            "recall": self.recall.tolist(),
            "f1": self.f1.tolist(),
            "support": self.support.tolist(),
        }
        out["confusion"] = self.confusion.tolist()
        if include_predictions:
            out["y_true"] = self.y_true.tolist()
            out["predicted"] = self.predicted.tolist()
            out["confidence"] = [round(float(c), 6) for c in self.confidence]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Evaluation":
        """Rebuild an Evaluation saved with `to_dict(include_predictions=True)`."""
        missing = [k for k in ("y_true", "predicted", "confidence", "classes") if k not in data]
        if missing:
            raise DataError(
                f"saved evaluation lacks {missing}; re-run `python -m emnist_core evaluate RUN`"
            )
        per_class = data["per_class"]
        return cls(
            classes=list(data["classes"]),
            y_true=np.asarray(data["y_true"], dtype=np.int64),
            predicted=np.asarray(data["predicted"], dtype=np.int64),
            confidence=np.asarray(data["confidence"], dtype=np.float32),
            precision=np.asarray(per_class["precision"], dtype=float),
            recall=np.asarray(per_class["recall"], dtype=float),
            f1=np.asarray(per_class["f1"], dtype=float),
            support=np.asarray(per_class["support"], dtype=np.int64),
            confusion=np.asarray(data["confusion"], dtype=np.int64),
            ece=float(data.get("ece", float("nan"))),
            **{key: float(data[key]) for key in SUMMARY_KEYS},
        )


def _check_inputs(y_true: np.ndarray, probabilities: np.ndarray, classes: list[str]) -> None:
    """Fail early with a clear message rather than deep inside scikit-learn."""
    if probabilities.ndim != 2 or probabilities.shape[0] != y_true.shape[0]:
        raise DataError(
            f"probabilities must have shape (N, K) with N = {y_true.shape[0]} labels; "
            f"got {probabilities.shape}"
        )
    if probabilities.shape[1] != len(classes):
        raise DataError(
            f"the model outputs {probabilities.shape[1]} classes but the data has "
            f"{len(classes)}; evaluate a run on the split it was trained on"
        )
    if y_true.size == 0:
        raise DataError("the test split is empty; nothing to evaluate")
    if y_true.min() < 0 or y_true.max() >= len(classes):
        raise DataError(
            f"labels must lie in 0..{len(classes) - 1}; got {y_true.min()}..{y_true.max()}"
        )


def top_k_accuracy(y_true: np.ndarray, probabilities: np.ndarray, k: int) -> float:
    """Share of images whose true class is among the k most probable (ties broken by index)."""
    k = min(k, probabilities.shape[1])
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == y_true[:, None], axis=1)))


def cross_entropy(y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean sparse categorical cross-entropy, clipped the way Keras clips it."""
    picked = probabilities[np.arange(len(y_true)), y_true]
    return float(np.mean(-np.log(np.clip(picked, _EPSILON, 1.0 - _EPSILON))))


def confusion_counts(y_true: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """int64 (K, K): row = true class, column = predicted class.

    NumPy, not scikit-learn's confusion_matrix: importing sklearn.metrics costs about 0.7 s,
    which every dashboard page that shows saved results would pay on its first visit.
    tests/evaluation/test_metrics.py checks these against scikit-learn.
    """
    cells = np.asarray(y_true, dtype=np.int64) * num_classes + np.asarray(predicted, np.int64)
    return np.bincount(cells, minlength=num_classes**2).reshape(num_classes, num_classes)


def class_scores(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1 (float, (K,)) from a confusion matrix; 0 where a
    score is undefined (a class never predicted, or never present), as zero_division=0."""
    hits = np.diag(confusion).astype(float)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)
    return precision, recall, f1


def evaluate_predictions(
    y_true: np.ndarray, probabilities: np.ndarray, classes: list[str]
) -> Evaluation:
    """Score class probabilities (N, K) against true labels (N,); no model involved."""
    from emnist_core.evaluation.calibration import expected_calibration_error

    y_true = np.asarray(y_true, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    _check_inputs(y_true, probabilities, classes)
    predicted = np.argmax(probabilities, axis=1).astype(np.int64)
    confusion = confusion_counts(y_true, predicted, len(classes))
    precision, recall, f1 = class_scores(confusion)
    # macro averages over the classes that occur (true or predicted), as scikit-learn does
    present = (confusion.sum(axis=0) + confusion.sum(axis=1)) > 0
    return Evaluation(
        classes=list(classes),
        y_true=y_true,
        predicted=predicted,
        confidence=probabilities.max(axis=1).astype(np.float32),
        accuracy=float(np.mean(predicted == y_true)),
        loss=cross_entropy(y_true, probabilities),
        top3_accuracy=top_k_accuracy(y_true, probabilities, 3),
        macro_precision=float(precision[present].mean()),
        macro_recall=float(recall[present].mean()),
        macro_f1=float(f1[present].mean()),
        precision=precision,
        recall=recall,
        f1=f1,
        support=confusion.sum(axis=1),
        confusion=confusion,
        ece=expected_calibration_error(y_true, probabilities),
    )


def most_confused_pairs(
    confusion: np.ndarray, classes: list[str], top: int = 10, combine_directions: bool = False
) -> pd.DataFrame:
    """The off-diagonal cells with the most images, as columns true, predicted, count.

    With combine_directions, a->b and b->a are summed into one row (listed under the
    lower index first), so look-alike pairs such as 0/O or 1/l rank by their total.
    """
    counts = np.asarray(confusion, dtype=np.int64).copy()
    np.fill_diagonal(counts, 0)
    if combine_directions:
        counts = np.triu(counts + counts.T)
    rows, cols = np.nonzero(counts)
    values = counts[rows, cols]
    order = np.lexsort((cols, rows, -values))[:top]
    return pd.DataFrame(
        {
            "true": [classes[i] for i in rows[order]],
            "predicted": [classes[j] for j in cols[order]],
            "count": values[order].astype(np.int64),
        }
    )


def per_class_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per class: class, precision, recall, f1, support (the sortable Results table)."""
    return pd.DataFrame(
        {
            "class": evaluation.classes,
            "precision": evaluation.precision,
            "recall": evaluation.recall,
            "f1": evaluation.f1,
            "support": evaluation.support,
        }
    )


def model_probabilities(model: Any, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (N, K) from calling the model directly in batches.

    Direct calls skip `predict`'s per-call set-up (~75 ms), and batching bounds memory.
    Images are raw 0-255 pixels; the saved model does its own scaling.
    """
    import keras  # lazy: reading a saved evaluation must not load TensorFlow

    if batch_size < 1:
        raise DataError(f"batch_size must be at least 1; got {batch_size}")
    chunks = []
    for start in range(0, len(images), batch_size):
        batch = np.asarray(images[start : start + batch_size], dtype=np.float32)
        chunks.append(keras.ops.convert_to_numpy(model(batch, training=False)))
    if not chunks:
        raise DataError("no images to evaluate; the test split is empty")
    return np.concatenate(chunks, axis=0)


def evaluate(model: Any, test: Split, classes: list[str], batch_size: int = 1024) -> Evaluation:
    """Run a model over the test split and score it (the test split is touched only here)."""
    probabilities = model_probabilities(model, test.images, batch_size)
    return evaluate_predictions(test.labels, probabilities, classes)


def run_classes(run: Any) -> list[str]:
    """The class characters of a saved run, or a RunError saying the run is too old to tell."""
    classes = run.classes
    if not classes:
        raise RunError(
            f"run {run.run_id} does not record its classes in run.json; retrain it "
            "with this version of the lab"
        )
    return classes


def evaluate_run(run: Any, dataset: Any, model: Any = None, batch_size: int = 1024) -> Evaluation:
    """Evaluate a saved run on a dataset's test split (pass model if it is already loaded).

    A run trained on other classes (say digits only) would score nonsense on this data,
    so that is refused with a message rather than reported as a low accuracy.
    """
    trained_on = run.classes
    if trained_on is not None and trained_on != list(dataset.classes):
        raise RunError(
            f"run {run.run_id} was trained on {len(trained_on)} classes "
            f"({''.join(trained_on)[:20]}...) but {dataset.label} has {dataset.num_classes}; "
            "evaluate it on the data source it was trained on"
        )
    model = run.load_model() if model is None else model
    return evaluate(model, dataset.test, list(dataset.classes), batch_size)
