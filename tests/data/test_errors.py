"""Every kind of bad input gives a DataError naming the file and the fix, and destroys nothing."""

import gzip
import zipfile

import numpy as np
import pytest

from emnist_core.data import load, train_val_split
from emnist_core.data.dataset import Split
from emnist_core.errors import ConfigError, DataError
from tests.fixtures import (
    idx_images_bytes,
    idx_labels_bytes,
    write_csv_folder,
    write_idx_folder,
)

TRAIN_IMAGES = "emnist-balanced-train-images-idx3-ubyte.gz"
TRAIN_LABELS = "emnist-balanced-train-labels-idx1-ubyte.gz"


def test_missing_folder_lists_expected_files(tmp_path):
    with pytest.raises(DataError) as err:
        load(tmp_path / "nowhere")
    message = str(err.value)
    assert "does not exist" in message
    assert TRAIN_IMAGES in message and "emnist-balanced-train.csv" in message
    assert "data download" in message


def test_one_missing_file_is_named(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / TRAIN_LABELS).unlink()
    with pytest.raises(DataError, match=TRAIN_LABELS):
        load(tmp_path)


def test_wrong_magic_number(tmp_path):
    write_idx_folder(tmp_path)
    images = np.zeros((141, 28, 28), np.uint8)
    (tmp_path / TRAIN_IMAGES).write_bytes(gzip.compress(idx_images_bytes(images, magic=2049)))
    with pytest.raises(DataError, match=rf"{TRAIN_IMAGES} has magic number 2049, expected 2051"):
        load(tmp_path)


def test_truncated_gzip_names_file_and_keeps_it(tmp_path):
    write_idx_folder(tmp_path)
    path = tmp_path / TRAIN_IMAGES
    truncated = path.read_bytes()[:-40]
    path.write_bytes(truncated)
    with pytest.raises(DataError, match=rf"{TRAIN_IMAGES} is not a complete gzip file"):
        load(tmp_path)
    assert path.read_bytes() == truncated, "a bad file must be reported, not deleted"


@pytest.mark.parametrize("damage", ["deflate block", "checksum"])
def test_corrupt_gzip_names_file(tmp_path, damage):
    """Damage inside the stream, not only a short file, is a DataError whatever gunzips it."""
    write_idx_folder(tmp_path)
    path = tmp_path / TRAIN_IMAGES
    data = bytearray(path.read_bytes())
    if damage == "deflate block":
        data[10:40] = b"\xff" * 30  # the first compressed bytes, right after the header
    else:
        data[-8] ^= 0xFF  # the CRC-32 of the content
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=rf"{TRAIN_IMAGES} is not a complete gzip file"):
        load(tmp_path)


def test_header_count_disagrees_with_payload(tmp_path):
    write_idx_folder(tmp_path)
    payload = idx_images_bytes(np.zeros((141, 28, 28), np.uint8))[:-784]
    (tmp_path / TRAIN_IMAGES).write_bytes(gzip.compress(payload))
    with pytest.raises(DataError, match="promises 141 images"):
        load(tmp_path)


def test_image_label_count_mismatch(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / TRAIN_LABELS).write_bytes(gzip.compress(idx_labels_bytes(np.zeros(10))))
    with pytest.raises(DataError, match="141 images but .* holds 10 labels"):
        load(tmp_path)


def test_csv_wrong_column_count(tmp_path):
    write_csv_folder(tmp_path)
    (tmp_path / "emnist-balanced-test.csv").write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match="emnist-balanced-test.csv has 3 columns"):
        load(tmp_path)


def test_csv_not_numbers(tmp_path):
    write_csv_folder(tmp_path)
    (tmp_path / "emnist-balanced-test.csv").write_text(("x," * 784 + "1\n") * 2)
    with pytest.raises(DataError, match="emnist-balanced-test.csv holds values that are not"):
        load(tmp_path)


def test_mapping_disagrees_with_labels(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / "emnist-balanced-mapping.txt").write_text("0 48\n1 49\n")
    expected = "labels 0..46 but emnist-balanced-mapping.txt defines 0..1"
    with pytest.raises(DataError, match=expected):
        load(tmp_path)


def test_malformed_mapping_line(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / "emnist-balanced-mapping.txt").write_text("0 48\nzero 49\n")
    with pytest.raises(DataError, match="line 2"):
        load(tmp_path)


def test_corrupt_archive(tmp_path):
    (tmp_path / "gzip.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DataError, match="gzip.zip is not a readable zip archive"):
        load(tmp_path)
    assert (tmp_path / "gzip.zip").exists()


def test_archive_without_split_members(tmp_path):
    with zipfile.ZipFile(tmp_path / "gzip.zip", "w") as archive:
        archive.writestr("gzip/readme.txt", "hello")
    with pytest.raises(DataError, match=TRAIN_IMAGES):
        load(tmp_path)


def test_unknown_split(tmp_path):
    with pytest.raises(DataError, match="Unknown split 'balance'"):
        load(tmp_path, split="balance")


def test_validation_split_refuses_impossible_requests():
    tiny = Split(np.zeros((4, 28, 28), np.uint8), np.array([0, 0, 1, 2]))
    with pytest.raises(DataError, match="smallest class: 1"):
        train_val_split(tiny, 0.5)
    with pytest.raises(ConfigError, match="val_fraction"):
        train_val_split(tiny, 1.5)
