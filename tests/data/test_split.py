"""The validation hold-out is stratified, seeded and disjoint from what remains."""

import numpy as np

from emnist_core.data import train_val_split
from emnist_core.data.dataset import Split


def _unbalanced(seed=0):
    rng = np.random.default_rng(seed)
    counts = [300, 120, 40, 20, 10]
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    images = rng.integers(0, 256, (len(labels), 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(len(labels)) % 256  # makes images traceable
    images[:, 0, 1] = np.arange(len(labels)) // 256
    return Split(images, labels)


def _ids(split):
    pixels = split.images[:, 0, :2].astype(int)
    return set((pixels[:, 0] + 256 * pixels[:, 1]).tolist())


def test_stratified_shares_per_class():
    data = _unbalanced()
    fit, val = train_val_split(data, 0.1, seed=3)
    assert len(fit) + len(val) == len(data)
    assert len(val) == 49
    np.testing.assert_allclose(
        np.bincount(val.labels) / len(val), np.bincount(data.labels) / len(data), atol=0.02
    )
    assert _ids(fit).isdisjoint(_ids(val))


def test_same_seed_same_split_other_seed_other_split():
    data = _unbalanced()
    _, a = train_val_split(data, 0.2, seed=7)
    _, b = train_val_split(data, 0.2, seed=7)
    _, c = train_val_split(data, 0.2, seed=8)
    assert _ids(a) == _ids(b)
    assert _ids(a) != _ids(c)
