"""The notebook's bar: the pen drawings first, on a bar of their own, then every batch."""

from emnist_core.notebook.progress import NotebookProgress
from emnist_core.training.progress import Preparing, Progress


def _batch(epoch: int, step: int) -> Progress:
    return Progress("batch", epoch, 2, step, 4, 0.5, 0.8, None, None, 1e-3, 1.0, 2.0)


def test_drawings_get_their_own_bar_which_closes_at_the_first_batch():
    bar = NotebookProgress()
    bar(Preparing(done=0, total=50, elapsed=0.0))
    bar(Preparing(done=50, total=50, elapsed=0.5))
    assert bar.drawing.n == 50 and bar.bar is None
    bar(_batch(2, 1))
    assert bar.drawing is None and (bar.bar.n, bar.bar.total) == (5, 8)
    bar.close()
    assert bar.bar is None
