"""Representations: projection shapes; separation scores rank clean clusters above mixed."""

import numpy as np
import pytest

from emnist_core.analysis.representations import (
    class_sample,
    describe,
    embed,
    knn_accuracy,
    project,
    representation,
    silhouette,
)
from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError
from emnist_core.models.build import build_model
from emnist_core.models.config import CNNConfig, MLPConfig


def clusters(spread: float, seed: int = 0, per_class: int = 30, classes: int = 4, dims: int = 16):
    """Gaussian blobs around well-apart centres; spread sets how much they overlap."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (classes, dims))
    labels = np.repeat(np.arange(classes), per_class)
    points = centres[labels] + rng.normal(0, spread, (len(labels), dims))
    return points, labels


def test_separation_scores_rank_separated_above_mixed():
    tight, labels = clusters(spread=0.5)
    mixed, _ = clusters(spread=40.0)
    assert silhouette(tight, labels) > 0.8 > silhouette(mixed, labels)
    assert knn_accuracy(tight, labels) == 1.0
    assert knn_accuracy(mixed, labels) < 0.7
    shuffled = np.random.default_rng(1).permutation(labels)
    assert abs(silhouette(tight, shuffled)) < 0.1  # labels unrelated to position


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_describe_projects_to_two_dimensions(method):
    points, labels = clusters(spread=0.5, per_class=15, dims=80)  # > 50: t-SNE goes via PCA
    rep = describe("tight", points, labels, method=method)
    assert rep.points.shape == (60, 2) and rep.dimensions == 80 and rep.method == method
    assert rep.knn_accuracy == 1.0 and rep.silhouette > 0.8
    assert np.array_equal(describe("tight", points, labels, method=method).points, rep.points)


def test_pca_keeps_the_direction_that_separates():
    labels = np.repeat([0, 1], 10)
    points = np.zeros((20, 5))
    points[:, 3] = labels * 100.0 + np.linspace(0, 1, 20)
    flat = project(points, "pca")
    assert abs(flat[:10, 0].mean() - flat[10:, 0].mean()) > 90


def test_bad_inputs_are_refused():
    points, labels = clusters(spread=1.0)
    with pytest.raises(ConfigError, match="method"):
        project(points, "umap")
    with pytest.raises(DataError, match="two classes"):
        silhouette(points, np.zeros(len(points)))
    with pytest.raises(ConfigError, match="per_class"):
        class_sample(Split(np.zeros((2, 28, 28), np.uint8), np.array([0, 1])), 0)


def test_embeddings_of_built_models_have_penultimate_width(synthetic_dataset):
    sample = class_sample(synthetic_dataset.test, per_class=2)
    assert len(sample) == 2 * synthetic_dataset.num_classes
    assert (
        sample.class_counts(synthetic_dataset.num_classes).tolist()
        == [2] * synthetic_dataset.num_classes
    )
    mlp = build_model(MLPConfig(hidden_units=(12, 7)), synthetic_dataset.num_classes)
    cnn = build_model(
        CNNConfig(conv_filters=(4,), dense_units=(), global_pool=True),
        synthetic_dataset.num_classes,
    )
    assert embed(mlp, sample.images).shape == (len(sample), 7)
    assert embed(cnn, sample.images).shape == (len(sample), 4)  # global pool of 4 filters
    rep = representation("mlp", mlp, sample)
    assert rep.points.shape == (len(sample), 2) and -1 <= rep.silhouette <= 1
    assert 0 <= rep.knn_accuracy <= 1 and rep.labels.tolist() == sample.labels.tolist()
