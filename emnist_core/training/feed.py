"""The training input pipeline: what `model.fit` reads, as endless tf.data streams.

Keras's own path for NumPy arrays builds new dataset iterators every epoch (training
and validation). On the 2-core AMD EPYC (AVX-512 BF16) kind, the tuned CNN's process
then sat idle, every thread waiting, for about 25 s at most epoch boundaries: a stack
dump taken in the pause showed Keras making the epoch's iterator. The tuned CNN's 10
epochs took 720 to 743 s that way and 549 s with these streams (BENCHMARKS.md).

A stream that repeats, read with `steps_per_epoch` (and `validation_steps`), keeps one
iterator for the whole fit. tf.data's autotuning is off as well: its optimiser thread
sleeping between rounds is our guess at what those threads waited on (not confirmed;
the pause was seen once more, in validation, before validation got its stream).

Each epoch is still one full pass in a fresh order (indices reshuffled per pass, with
the run's seed, so a run is reproducible), batches are gathered whole rather than image
by image, and class weights become per-sample weights, which is what Keras does with
`class_weight` itself."""

import math

from emnist_core.data import Split
from emnist_core.data.balance import sample_weights


def steps_per_epoch(split: Split, batch_size: int) -> int:
    return math.ceil(len(split) / batch_size)


def _quiet(dataset):
    """The dataset with tf.data's autotuning off (fixed prefetch depths instead)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def training_stream(
    split: Split, batch_size: int, seed: int, class_weight: dict[int, float] | None = None
):
    """Endless (images, labels[, weights]) batches: pass after pass over split, each pass in
    a new order, the last batch of a pass short as Keras makes it."""
    import tensorflow as tf

    arrays = [tf.constant(split.images), tf.constant(split.labels)]
    weights = sample_weights(split.labels, class_weight)
    if weights is not None:
        arrays.append(tf.constant(weights))

    def gather(indices):
        return tuple(tf.gather(array, indices) for array in arrays)

    return _quiet(
        tf.data.Dataset.range(len(split))
        .shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .repeat()
        .map(gather)
        .prefetch(2)
    )


def validation_stream(split: Split, batch_size: int):
    """Endless (images, labels) batches in a fixed order; with validation_steps set to
    steps_per_epoch, each epoch's validation reads exactly one pass from one iterator."""
    import tensorflow as tf

    return _quiet(
        tf.data.Dataset.from_tensor_slices((split.images, split.labels))
        .batch(batch_size)
        .repeat()
        .prefetch(2)
    )
