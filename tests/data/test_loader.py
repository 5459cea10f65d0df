"""Loading each supported format, upright, with the class list from the mapping."""

import zipfile

import numpy as np

from emnist_core.data import load
from emnist_core.data.csv_format import cache_path
from tests.fixtures import CLASSES, glyph_l, write_csv_folder, write_idx_folder


def _assert_matches(dataset, upright):
    for part in ("train", "test"):
        split = getattr(dataset, part)
        images, labels = upright[part]
        assert split.images.dtype == np.uint8 and split.images.shape == images.shape
        np.testing.assert_array_equal(split.images, images)
        np.testing.assert_array_equal(split.labels, labels)


def test_idx_folder_loads_upright(tmp_path):
    upright = write_idx_folder(tmp_path)
    dataset = load(tmp_path)
    assert dataset.format == "idx" and dataset.classes == list(CLASSES)
    assert not dataset.synthetic
    _assert_matches(dataset, upright)


def test_a_relative_folder_is_recorded_absolute(tmp_path, monkeypatch):
    """Runs record the source: '../emnist' must not read as other data than its full path."""
    write_idx_folder(tmp_path / "emnist")
    (tmp_path / "lab").mkdir()
    monkeypatch.chdir(tmp_path / "lab")
    dataset = load("../emnist")
    assert dataset.source == tmp_path / "emnist" and dataset.source.is_absolute()
    assert dataset.label.endswith(f"from {tmp_path / 'emnist'}")


def test_asymmetric_glyph_comes_back_upright(tmp_path):
    write_idx_folder(tmp_path)
    first_l = load(tmp_path).train.images[0]
    np.testing.assert_array_equal(first_l, glyph_l())
    # Upright L: the left bar and the bottom foot; a transposed one would be a top bar.
    assert first_l[:, :14].sum() > first_l[:, 14:].sum()
    assert first_l[14:].sum() > first_l[:14].sum()


def test_official_archive_is_read_without_extracting(tmp_path):
    files = tmp_path / "files"
    upright = write_idx_folder(files)
    archive_dir = tmp_path / "data"
    archive_dir.mkdir()
    with zipfile.ZipFile(archive_dir / "gzip.zip", "w") as archive:
        for path in files.iterdir():
            archive.write(path, f"gzip/{path.name}")
    dataset = load(archive_dir)
    assert dataset.format == "zip"
    _assert_matches(dataset, upright)
    assert sorted(p.name for p in archive_dir.iterdir()) == ["gzip.zip"]


def test_csv_is_cached_then_read_from_cache(tmp_path):
    upright = write_csv_folder(tmp_path)
    dataset = load(tmp_path)
    assert dataset.format == "csv"
    _assert_matches(dataset, upright)
    cache = cache_path(tmp_path / "emnist-balanced-train.csv")
    assert cache.exists()
    stamp = cache.stat().st_mtime_ns
    _assert_matches(load(tmp_path), upright)
    assert cache.stat().st_mtime_ns == stamp, "second load must reuse the cache"


def test_csv_cache_is_rebuilt_when_csv_changes(tmp_path):
    write_csv_folder(tmp_path, n_per_class=2)
    load(tmp_path)
    new = write_csv_folder(tmp_path, n_per_class=3)
    _assert_matches(load(tmp_path), new)


def test_damaged_csv_cache_is_rebuilt_not_trusted(tmp_path):
    upright = write_csv_folder(tmp_path)
    load(tmp_path)
    cache_path(tmp_path / "emnist-balanced-train.csv").write_bytes(b"not a zip")
    _assert_matches(load(tmp_path), upright)


def test_other_split_names_and_letters_mapping(tmp_path):
    upright = write_idx_folder(tmp_path, split="bymerge")
    _assert_matches(load(tmp_path, split="bymerge"), upright)
    letters = tmp_path / "letters"
    write_idx_folder(letters, split="letters", label_offset=1)
    # letters: labels 1..26 and three columns (label, upper, lower)
    mapping = "".join(f"{i + 1} {65 + i} {97 + i}\n" for i in range(47))
    (letters / "emnist-letters-mapping.txt").write_text(mapping)
    dataset = load(letters, split="letters")
    assert dataset.classes[0] == "A/a"
    assert dataset.train.labels.min() == 0 and dataset.train.labels.max() == 46  # shifted by 1
