"""The training stream: every image once per pass, a new order each pass, reproducible."""

import numpy as np

from emnist_core.data import Split
from emnist_core.training.feed import steps_per_epoch, training_stream


def _split(n: int = 10) -> Split:
    images = np.arange(n, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    return Split(images=images, labels=np.arange(n) % 3)


def _passes(stream, steps: int, passes: int) -> list[list[int]]:
    batches = [batch for batch, _ in zip(stream, range(steps * passes), strict=False)]
    return [
        [int(i) for batch in batches[p * steps : (p + 1) * steps] for i in batch[0][:, 0, 0]]
        for p in range(passes)
    ]


def test_each_pass_holds_every_image_once_in_a_new_order():
    split = _split(10)
    steps = steps_per_epoch(split, 4)
    assert steps == 3  # 4 + 4 + 2: the last batch of a pass is short, as Keras makes it
    first, second = _passes(training_stream(split, 4, seed=1), steps, 2)
    assert sorted(first) == sorted(second) == list(range(10))
    assert first != second


def test_the_same_seed_gives_the_same_order_and_labels_follow_their_images():
    split = _split(10)
    one = _passes(training_stream(split, 4, seed=7), 3, 2)
    assert one == _passes(training_stream(split, 4, seed=7), 3, 2)
    assert one != _passes(training_stream(split, 4, seed=8), 3, 2)
    images, labels = next(iter(training_stream(split, 4, seed=7)))
    assert list(labels.numpy()) == [int(i) % 3 for i in images.numpy()[:, 0, 0]]


def test_class_weights_ride_along_as_sample_weights():
    split = _split(6)
    weights = {0: 0.5, 1: 2.0, 2: 1.0}
    images, labels, weight = next(iter(training_stream(split, 6, seed=0, class_weight=weights)))
    assert [weights[int(label)] for label in labels.numpy()] == list(weight.numpy())
