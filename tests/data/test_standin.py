"""Real EMNIST images from ../shared/emnist-standin, whenever that folder exists."""

from pathlib import Path

import pytest

from emnist_core.data import load

STANDIN = Path(__file__).resolve().parents[2] / ".." / "shared" / "emnist-standin"

pytestmark = pytest.mark.skipif(
    not STANDIN.is_dir(), reason="optional real-data check: ../shared/emnist-standin not present"
)


@pytest.fixture(scope="module")
def standin():
    return load(STANDIN)


def test_counts_and_classes(standin):
    assert len(standin.train) == 108_212 and len(standin.test) == 4_700
    assert standin.train.images.shape == (108_212, 28, 28)
    assert "".join(standin.classes) == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"
    assert (standin.test.class_counts(47) == 100).all()
    assert not standin.synthetic


def test_real_characters_are_upright(standin):
    """Mean '7' has its bar on top and leans right; mean 'L' has more ink bottom-left
    than top-right. Transposing swaps those quadrants and mirroring swaps left and
    right, so a loader that forgot to swap the image axes fails here.
    """

    def mean_of(char):
        return standin.train.images[standin.train.labels == standin.classes.index(char)].mean(0)

    seven = mean_of("7")
    assert seven[:14].sum() > 1.5 * seven[14:].sum(), "a 7 has its bar at the top"
    assert seven[:, 14:].sum() > 1.2 * seven[:, :14].sum(), "a 7 has its bar's end on the right"
    ell = mean_of("L")
    assert ell[14:, :14].sum() > 1.2 * ell[:14, 14:].sum()
