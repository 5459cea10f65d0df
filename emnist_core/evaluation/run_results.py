"""Test-set results computed once at the end of training and saved with the run (results.npz).

Results, Compare and Why CNNs win need the test probabilities, the confusion matrix,
per-class scores and an embedding of a balanced test sample; computing them when a page
opens means loading every model and running it over the test split. A run saves them
here instead, with a fingerprint of the test split they belong to, so a page uses them
only for that exact data and falls back to computing for other data or older runs.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emnist_core.atomic import write_bytes
from emnist_core.data.dataset import Split
from emnist_core.evaluation.metrics import Evaluation, evaluate_predictions

RESULTS_FILE = "results.npz"
# The embedding sample: this many test images per class, the most the Why page offers;
# smaller samples are prefixes of it (see representations.class_sample_indices).
SAMPLE_PER_CLASS = 40
FIELDS = (
    "probabilities",
    "y_true",
    "confusion",
    "precision",
    "recall",
    "f1",
    "support",
    "sample_indices",
    "embedding",
)


@dataclass(frozen=True)
class RunResults:
    """What the pages need of one run on one test split.

    probabilities : float32 (N, K), the saved model's output; y_true : int64 (N,).
    confusion : int64 (K, K); precision, recall, f1 : float (K,); support : int64 (K,).
    sample_indices : int64 (S,), test indices of the balanced sample, sorted;
    embedding : float32 (S, D), the first member's penultimate features of that sample.
    fingerprint : identifies the test split (images and labels) these belong to.
    """

    fingerprint: str
    probabilities: np.ndarray
    y_true: np.ndarray
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    sample_indices: np.ndarray
    embedding: np.ndarray

    def matches(self, split: Split) -> bool:
        """Whether these results were computed on exactly this test split."""
        return self.fingerprint == split_fingerprint(split)

    def evaluation(self, classes: list[str]) -> Evaluation:
        """The Evaluation these probabilities give (no model, milliseconds)."""
        return evaluate_predictions(self.y_true, self.probabilities, classes)

    def sample_embedding(self, indices: np.ndarray) -> np.ndarray | None:
        """Embedding rows (len(indices), D) for those test indices, or None if any is missing."""
        rows = np.searchsorted(self.sample_indices, indices)
        rows = np.clip(rows, 0, max(len(self.sample_indices) - 1, 0))
        if len(self.sample_indices) == 0 or not np.array_equal(self.sample_indices[rows], indices):
            return None
        return self.embedding[rows]


def split_fingerprint(split: Split) -> str:
    """A short SHA-256 of a split's images and labels (about 5 ms for the 4,700 test images)."""
    digest = hashlib.sha256(np.ascontiguousarray(split.images).tobytes())
    digest.update(np.asarray(split.labels, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


def compute_run_results(model: Any, split: Split, classes: list[str]) -> RunResults:
    """Run model over the split once, collecting probabilities and the sample's embedding."""
    from emnist_core.analysis.representations import class_sample_indices, embed
    from emnist_core.evaluation.metrics import model_probabilities

    probabilities = model_probabilities(model, split.images).astype(np.float32)
    evaluation = evaluate_predictions(split.labels, probabilities, classes)
    sample = class_sample_indices(split.labels, SAMPLE_PER_CLASS)
    return RunResults(
        fingerprint=split_fingerprint(split),
        probabilities=probabilities,
        y_true=evaluation.y_true,
        confusion=evaluation.confusion,
        precision=evaluation.precision,
        recall=evaluation.recall,
        f1=evaluation.f1,
        support=evaluation.support,
        sample_indices=sample,
        embedding=embed(model, split.images[sample]).astype(np.float32),
    )


def save_results(path: Path, results: RunResults) -> None:
    """Write results as one compressed .npz, atomically."""
    buffer = io.BytesIO()
    arrays = {name: getattr(results, name) for name in FIELDS}
    np.savez_compressed(buffer, fingerprint=np.array(results.fingerprint), **arrays)
    write_bytes(Path(path), buffer.getvalue())


def load_results(run_dir: Path) -> RunResults | None:
    """The saved results of a run folder, or None when it has none (older runs) or they are
    unreadable (the pages then compute, so a damaged file costs time, never a wrong figure)."""
    path = Path(run_dir) / RESULTS_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return RunResults(
                fingerprint=str(data["fingerprint"]), **{name: data[name] for name in FIELDS}
            )
    except (OSError, ValueError, KeyError):
        return None


def calibration_summary(model: Any, split: Split, evaluation: Evaluation) -> dict[str, Any]:
    """temperature, ece and nll of a model on a split, and ece_before / nll_before at T = 1
    (None for a model saved before temperature scaling, which has no logits to rescale)."""
    from emnist_core.evaluation.calibration import (
        expected_calibration_error,
        negative_log_likelihood,
        scaled_probabilities,
    )
    from emnist_core.models.head import has_logits, member_logits, temperature

    before: dict[str, float | None] = {"ece_before": None, "nll_before": None}
    if has_logits(model):
        raw = scaled_probabilities(member_logits(model, split.images), 1.0)
        before = {
            "ece_before": expected_calibration_error(split.labels, raw),
            "nll_before": negative_log_likelihood(split.labels, raw),
        }
    return {
        "temperature": temperature(model),
        "ece": evaluation.ece,
        "nll": evaluation.loss,
        **before,
    }
