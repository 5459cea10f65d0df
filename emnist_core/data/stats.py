"""Dataset statistics for exploring the data: class means, pixel intensities, look-alikes.

Pure numpy on (N, 28, 28) uint8 arrays, so the Explore page and a notebook compute the same
numbers; nothing here draws.
"""

from collections.abc import Sequence

import numpy as np

# EMNIST look-alikes students should see side by side; classes a split lacks are skipped.
LOOK_ALIKES = (("0", "O"), ("1", "l", "I"), ("2", "Z"), ("5", "S"), ("9", "q", "g"))
# Look-alikes that EMNIST keeps apart mostly by the grey of the scanned stroke, which a pen
# drawing lacks: test images made binary lose 39 to 40 points on I and O and next to
# nothing elsewhere (`bench_canvas --rendering binarised`, BENCHMARKS.md). A lower-case
# "l" counts as "L" in splits that file it there (Balanced, ByMerge: no class "l").
TOLD_APART_BY_SCAN = (("0", "O"), ("1", "I", "l"))


def sample_indices(
    labels: np.ndarray, count: int, seed: int, label: int | None = None
) -> np.ndarray:
    """count random indices (all of one class when label is given), reproducible by seed."""
    pool = np.flatnonzero(labels == label) if label is not None else np.arange(len(labels))
    rng = np.random.default_rng(seed)
    return rng.choice(pool, size=min(count, len(pool)), replace=False)


def class_means(images: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Mean image per class, uint8 (K, 28, 28); a class with no images is black."""
    means = np.zeros((num_classes, *images.shape[1:]), dtype=np.float64)
    for label in range(num_classes):
        members = images[labels == label]
        if len(members):
            means[label] = members.mean(axis=0)
    return means.round().astype(np.uint8)


def intensity_counts(images: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Pixels per intensity 0..255 over all images, in chunks (bincount widens to int64)."""
    counts = np.zeros(256, dtype=np.int64)
    for start in range(0, len(images), chunk):
        counts += np.bincount(images[start : start + chunk].ravel(), minlength=256)
    return counts


def intensity_stats(counts: np.ndarray) -> dict[str, float]:
    """Pixel statistics from the intensity counts (one pass over the data, no float copy)."""
    values = np.arange(256, dtype=np.float64)
    total = counts.sum()
    mean = float((counts * values).sum() / total)
    variance = float((counts * values**2).sum() / total - mean**2)
    return {
        "mean pixel value": mean,
        "std of pixel values": max(variance, 0.0) ** 0.5,
        "ink pixels (> 0), %": float(counts[1:].sum() / total * 100),
        "bright pixels (> 127), %": float(counts[128:].sum() / total * 100),
    }


def scan_told_groups(classes: Sequence[str]) -> list[list[str]]:
    """TOLD_APART_BY_SCAN in this split's class names, each group with at least two classes.

    A lower-case "l" becomes "L" where the split has no class "l" (it files it there).
    """
    l_under_capital = "l" not in classes and "L" in classes
    groups = []
    for group in TOLD_APART_BY_SCAN:
        names = [("L" if name == "l" and l_under_capital else name) for name in group]
        present = [name for name in names if name in classes]
        if len(present) >= 2:
            groups.append(present)
    return groups


def drawn_look_alike(
    top: Sequence[tuple[str, float]], classes: Sequence[str]
) -> tuple[str, str] | None:
    """The two first guesses, in a fixed order, when a drawing cannot tell them apart (0 and
    O, 1 and I), else None.

    top is a model's guesses, most probable first, as (class, probability); classes is
    its split's class list, which says whether "L" also holds the lower-case "l". The Draw
    page names such a pair, so a student reads a split between them as the data's limit,
    not as a weak model.
    """
    if len(top) < 2:
        return None
    pair = {top[0][0], top[1][0]}
    for names in scan_told_groups(classes):
        if len(pair) == 2 and pair <= set(names):
            first, second = (name for name in names if name in pair)  # the group's order
            return first, second
    return None


def merge_labels(labels: np.ndarray, classes: Sequence[str], groups: list[list[str]]):
    """labels with every class of each group renamed to the group's first class: to score
    a model as if those classes were one (a figure beside accuracy, never instead of it)."""
    merged = np.asarray(labels).copy()
    for group in groups:
        first = classes.index(group[0])
        for name in group[1:]:
            merged[merged == classes.index(name)] = first
    return merged


def look_alike_groups(classes: list[str]) -> list[list[int]]:
    """Label indices of each look-alike group that has at least two classes in this split."""
    groups = []
    for group in LOOK_ALIKES:
        present = [classes.index(ch) for ch in group if ch in classes]
        if len(present) >= 2:
            groups.append(present)
    return groups
