"""Pen drawings among the training images: a seeded share, redrawn as the Draw page sees them."""

import numpy as np
import pytest

from emnist_core.data import Split
from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig
from emnist_core.training.drawn import with_drawings


def _split(n: int = 12) -> Split:
    """Bars of different lengths and places, so every image has ink to trace."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        images[i, 4 + i % 5 : 24, 10 + i % 8 : 14 + i % 8] = 255
    return Split(images=images, labels=np.arange(n) % 4)


def _changed(before: Split, after: Split) -> np.ndarray:
    return np.flatnonzero((before.images != after.images).any(axis=(1, 2)))


def test_the_share_of_images_is_redrawn_and_labels_stay_with_them():
    split = _split(12)
    drawn = with_drawings(split, 0.5, seed=3)
    assert len(drawn) == len(split)
    assert np.array_equal(drawn.labels, split.labels)
    assert len(_changed(split, drawn)) == 6
    assert drawn.images.dtype == np.uint8
    # The input is not modified: the caller's split stays the data it loaded.
    assert not np.shares_memory(drawn.images, split.images)
    assert (split.images == _split(12).images).all()


def test_a_drawing_is_the_draw_pages_input_a_binary_pen_blurred_and_framed():
    split = _split(4)
    drawn = with_drawings(split, 1.0, seed=0)
    for image in drawn.images:
        assert image.max() == 255  # stretched to full range, as preprocess_image does
        assert image[:2].max() == image[-2:].max() == 0  # the 2-pixel EMNIST border
        assert image[:, :2].max() == image[:, -2:].max() == 0
        # A blurred pen stroke has grey edges, unlike the hard-edged bars drawn from.
        assert ((image > 0) & (image < 255)).sum() > 20


def test_the_same_seed_draws_the_same_images_and_another_seed_does_not():
    split = _split(12)
    one = with_drawings(split, 0.5, seed=1)
    assert np.array_equal(one.images, with_drawings(split, 0.5, seed=1).images)
    assert not np.array_equal(one.images, with_drawings(split, 0.5, seed=2).images)


def test_share_zero_leaves_the_split_alone_and_blank_images_stay_blank():
    split = _split(6)
    assert with_drawings(split, 0.0, seed=0) is split
    blank = Split(images=np.zeros((3, 28, 28), np.uint8), labels=np.zeros(3, np.int64))
    assert not with_drawings(blank, 1.0, seed=0).images.any()


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_0_to_1_is_refused_before_training(share):
    with pytest.raises(ConfigError, match="drawn_share"):
        CNNConfig(drawn_share=share)


def test_a_stop_before_drawing_keeps_the_images_as_they_were():
    import threading

    stop = threading.Event()
    stop.set()
    split = _split(6)
    assert np.array_equal(with_drawings(split, 1.0, seed=0, stop_event=stop).images, split.images)


def test_a_stop_during_drawing_ends_it_after_the_drawing_in_hand(monkeypatch):
    """The flag is read before every drawing, so a Stop never waits for a batch of them."""
    import threading

    from emnist_core.training import drawn

    stop, drawn_so_far = threading.Event(), []
    real = drawn._draw_one

    def draw_then_stop_at_three(image, seed):
        drawn_so_far.append(seed)
        if len(drawn_so_far) == 3:
            stop.set()
        return real(image, seed)

    monkeypatch.setattr(drawn, "_draw_one", draw_then_stop_at_three)
    split = _split(12)
    after = with_drawings(split, 1.0, seed=0, stop_event=stop)
    assert len(drawn_so_far) == 3
    assert len(_changed(split, after)) == 3  # what was drawn is kept


def test_an_image_that_cannot_be_drawn_stays_as_it_was(monkeypatch):
    from emnist_core.errors import DataError
    from emnist_core.training import drawn

    def refuse(*args, **kwargs):
        raise DataError("no ink to trace")

    monkeypatch.setattr(drawn, "render_drawing", refuse)
    split = _split(4)
    assert np.array_equal(with_drawings(split, 1.0, seed=0).images, split.images)


def test_drawing_reports_how_many_are_done_from_none_to_all(monkeypatch):
    from emnist_core.training import drawn

    monkeypatch.setattr(drawn, "REPORT_EVERY", 4)
    reports = []
    with_drawings(_split(12), 1.0, seed=0, on_drawn=lambda done, total: reports.append(done))
    assert reports == [0, 4, 8, 12]


def test_a_pool_of_processes_draws_the_same_images_as_one_process(monkeypatch):
    """Each drawing has its own seed, so who draws it does not change it."""
    from emnist_core.training import drawn

    monkeypatch.setattr(drawn, "POOL_MIN", 1)
    monkeypatch.setattr(drawn, "CHUNK", 5)  # several chunks, the last one short
    split = _split(12)
    reports = []
    pooled = with_drawings(split, 1.0, seed=4, processes=2, on_drawn=lambda d, t: reports.append(d))
    alone = with_drawings(split, 1.0, seed=4, processes=1)
    assert len(_changed(split, pooled)) == 12
    assert np.array_equal(pooled.images, alone.images)
    assert reports[0] == 0 and reports[-1] == 12 and reports == sorted(reports)


def test_a_stop_while_a_pool_draws_keeps_what_came_back_and_returns_at_once(monkeypatch):
    import threading
    import time

    from emnist_core.training import drawn

    monkeypatch.setattr(drawn, "POOL_MIN", 1)
    monkeypatch.setattr(drawn, "CHUNK", 3)
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()  # before the pool's processes have started
    started = time.perf_counter()
    split = _split(12)
    after = with_drawings(split, 1.0, seed=0, stop_event=stop, processes=2)
    assert time.perf_counter() - started < 5.0
    # Only whole chunks that came back before the Stop are kept, none drawn afterwards here.
    assert len(_changed(split, after)) % 3 == 0 and len(_changed(split, after)) < 12


class _FailingPool:
    """A ProcessPoolExecutor stand-in whose processes break (a failed future) or cannot be
    started at all (submit raises)."""

    fails_at_submit = False

    def __init__(self, *args, **kwargs):
        pass

    def submit(self, *args, **kwargs):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        if self.fails_at_submit:
            raise OSError("Resource temporarily unavailable")
        future = Future()
        future.set_exception(BrokenProcessPool("a process could not start"))
        return future

    def shutdown(self, **kwargs):
        pass


@pytest.mark.parametrize("fails_at_submit", [False, True], ids=["breaks", "cannot-start"])
def test_a_pool_that_fails_leaves_its_drawings_to_this_process(monkeypatch, fails_at_submit):
    """A pool that breaks, or whose processes cannot start, must not cost the run its drawings."""
    from emnist_core.training import drawn

    monkeypatch.setattr(_FailingPool, "fails_at_submit", fails_at_submit)
    monkeypatch.setattr(drawn, "POOL_MIN", 1)
    monkeypatch.setattr(drawn, "ProcessPoolExecutor", _FailingPool)
    split = _split(12)
    assert np.array_equal(
        with_drawings(split, 1.0, seed=2, processes=2).images,
        with_drawings(split, 1.0, seed=2, processes=1).images,
    )
