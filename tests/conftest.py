"""Shared fixtures: a small synthetic dataset in the official file format, made once per session."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    """A folder with 47-class synthetic EMNIST-format files (20 train, 5 test per class)."""
    from emnist_core.data import write_synthetic

    return write_synthetic(tmp_path_factory.mktemp("synthetic"), per_class=20, test_per_class=5)


@pytest.fixture(scope="session")
def synthetic_dataset(synthetic_dir):
    from emnist_core.data import load

    return load(synthetic_dir)
