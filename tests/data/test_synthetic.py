"""The synthetic demo set goes through the official file format and is labelled synthetic."""

import gzip
import struct

import numpy as np

from emnist_core.cli import main
from emnist_core.data import load, write_synthetic


def test_round_trip_through_idx_files(tmp_path):
    from emnist_core.data.strokes import BALANCED_CLASSES, generate

    write_synthetic(tmp_path, per_class=3, test_per_class=2, seed=5)
    dataset = load(tmp_path)
    assert dataset.synthetic and "SYNTHETIC" in dataset.label
    assert dataset.classes == list(BALANCED_CLASSES)
    assert len(dataset.train) == 3 * 47 and len(dataset.test) == 2 * 47
    images, labels = generate(BALANCED_CLASSES, 3, 5)
    np.testing.assert_array_equal(dataset.train.images, images)  # upright after loading
    np.testing.assert_array_equal(dataset.train.labels, labels)
    # ...and stored transposed on disk, as NIST does
    raw = gzip.decompress((tmp_path / "emnist-balanced-train-images-idx3-ubyte.gz").read_bytes())
    assert struct.unpack(">IIII", raw[:16]) == (2051, 141, 28, 28)
    stored = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)
    np.testing.assert_array_equal(stored, images.transpose(0, 2, 1))


def test_same_seed_same_bytes(tmp_path):
    a = write_synthetic(tmp_path / "a", per_class=2, test_per_class=1, seed=1)
    b = write_synthetic(tmp_path / "b", per_class=2, test_per_class=1, seed=1)
    for path in a.iterdir():
        assert path.read_bytes() == (b / path.name).read_bytes()


def test_cli_synth_then_info(tmp_path, capsys):
    assert (
        main(["data", "synth", "--out", str(tmp_path), "--per-class", "2", "--test-per-class", "1"])
        == 0
    )
    assert "SYNTHETIC" in capsys.readouterr().out
    assert main(["data", "info", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "train: 94 images   test: 47 images" in out
    assert "classes (47): 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt" in out


def test_cli_reports_missing_data_without_traceback(tmp_path, capsys):
    assert main(["data", "info", "--data-dir", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No complete EMNIST 'balanced' data") and "Traceback" not in err
