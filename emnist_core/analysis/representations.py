"""What each network has learned to represent: penultimate-layer embeddings, projected to 2-D.

The layer before the softmax is where a network has turned pixels into the features it
classifies by. If images of the same character land close together there, and far
from other characters, classification is easy. Two scores say how well that holds,
both measured on the full embedding (not the 2-D picture, which distorts distances):
the silhouette (-1..1, higher is better separated) and the leave-one-out accuracy of
a k-nearest-neighbour vote (0..1).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError

METHODS = ("pca", "tsne")
TSNE_INPUT_DIMS = 50  # t-SNE runs on the top 50 principal components: faster, less noise


@dataclass(frozen=True)
class Representation:
    """One model's embedding of a test sample.

    points : float (N, 2), the 2-D projection; labels : int64 (N,);
    dimensions : width of the penultimate layer; silhouette, knn_accuracy : see module doc.
    """

    name: str
    points: np.ndarray
    labels: np.ndarray
    dimensions: int
    silhouette: float
    knn_accuracy: float
    method: str


def embedding_model(model: Any):
    """A Keras model from the pixels to the input of the final (softmax) layer (for an
    ensemble, of its first member)."""
    import keras

    from emnist_core.models.ensemble import first_member
    from emnist_core.models.head import features

    model = first_member(model)
    return keras.Model(model.input, features(model), name=f"{model.name}_embedding")


def embed(model: Any, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Penultimate-layer activations (N, D) for raw 0-255 images, by direct batched calls."""
    from emnist_core.evaluation.metrics import model_probabilities  # same batching, other outputs

    return model_probabilities(embedding_model(model), images, batch_size).reshape(len(images), -1)


def project(embedding: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates (N, 2) of an (N, D) embedding by PCA or t-SNE (seeded)."""
    embedding = np.asarray(embedding, dtype=np.float64)
    if method not in METHODS:
        raise ConfigError(f"method={method!r} is not allowed: use one of {METHODS}.")
    if embedding.ndim != 2 or len(embedding) < 3:
        raise DataError(f"need an (N, D) embedding with at least 3 rows; got {embedding.shape}")
    if embedding.shape[1] == 1:
        return np.column_stack([embedding[:, 0], np.zeros(len(embedding))])
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(embedding)
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if embedding.shape[1] > TSNE_INPUT_DIMS:
        embedding = PCA(n_components=TSNE_INPUT_DIMS, random_state=seed).fit_transform(embedding)
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    perplexity = float(min(30, max(2, (len(embedding) - 1) // 3)))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=500)
    # One OpenMP thread: on a busy 2-core machine, t-SNE's spinning threads made it 50x slower.
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(embedding)


def silhouette(embedding: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of the classes in the embedding (needs two classes or more)."""
    from sklearn.metrics import silhouette_score

    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        raise DataError("a separation score needs images of at least two classes")
    return float(silhouette_score(embedding, labels))


def knn_accuracy(embedding: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Leave-one-out k-nearest-neighbour accuracy: do a point's neighbours share its class?"""
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels)
    k = min(k, len(labels) - 1)
    if k < 1:
        raise DataError("a kNN score needs at least two points")
    _, neighbours = NearestNeighbors(n_neighbors=k + 1).fit(embedding).kneighbors(embedding)
    votes = labels[neighbours[:, 1:]]  # column 0 is the point itself
    counts = np.apply_along_axis(np.bincount, 1, votes, minlength=int(labels.max()) + 1)
    return float(np.mean(np.argmax(counts, axis=1) == labels))


def class_sample_indices(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of up to per_class random images of every class.

    Each class's order is one seeded permutation whatever per_class is, so a smaller
    sample is a subset of a larger one (runs save the embedding of the largest).
    """
    if per_class < 1:
        raise ConfigError(f"per_class={per_class!r} is not allowed: use 1 or more.")
    rng = np.random.default_rng(seed)
    picks = [
        rng.permutation(np.flatnonzero(labels == label))[:per_class] for label in np.unique(labels)
    ]
    return np.sort(np.concatenate(picks)).astype(np.int64)


def class_sample(split: Split, per_class: int, seed: int = 0) -> Split:
    """Up to per_class random images of every class (a balanced sample for a readable plot)."""
    return split.subset(class_sample_indices(split.labels, per_class, seed))


def describe(
    name: str, embedding: np.ndarray, labels: np.ndarray, method: str = "pca", seed: int = 0
) -> Representation:
    """Project an embedding and score its separation (pure: no model involved)."""
    embedding = np.asarray(embedding, dtype=np.float64)
    return Representation(
        name=name,
        points=project(embedding, method, seed),
        labels=np.asarray(labels, dtype=np.int64),
        dimensions=int(embedding.shape[1]),
        silhouette=silhouette(embedding, labels),
        knn_accuracy=knn_accuracy(embedding, labels),
        method=method,
    )


def representation(
    name: str, model: Any, sample: Split, method: str = "pca", seed: int = 0
) -> Representation:
    """A model's penultimate-layer embedding of a test sample, projected and scored."""
    return describe(name, embed(model, sample.images), sample.labels, method, seed)
