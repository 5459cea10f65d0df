"""The downloader against a small archive served on loopback: verify, extract, fail cleanly."""

import functools
import hashlib
import http.server
import threading
import time
import zipfile

import numpy as np
import pytest

from emnist_core.data import load
from emnist_core.data.download import download
from emnist_core.errors import DataError
from tests.fixtures import write_idx_folder


class _Handler(http.server.SimpleHTTPRequestHandler):
    truncate = False
    hold: threading.Event | None = None  # set: the body waits for it (a download in progress)

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        if self.hold is not None:
            self.hold.wait(60)
        data = source.read()
        outputfile.write(data[: len(data) // 2] if self.truncate else data)


@pytest.fixture
def served_archive(tmp_path):
    """A fake official archive (members under gzip/) served over HTTP on 127.0.0.1."""
    files = tmp_path / "files"
    upright = write_idx_folder(files)
    www = tmp_path / "www"
    www.mkdir()
    with zipfile.ZipFile(www / "gzip.zip", "w") as archive:
        for path in sorted(files.iterdir()):
            archive.write(path, f"gzip/{path.name}")
        archive.writestr("gzip/emnist-digits-mapping.txt", "0 48\n")
    sha = hashlib.sha256((www / "gzip.zip").read_bytes()).hexdigest()
    handler = functools.partial(_Handler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/gzip.zip"
    yield url, sha, upright
    server.shutdown()
    _Handler.truncate = False


def test_download_extracts_only_the_split_and_loads(tmp_path, served_archive):
    url, sha, upright = served_archive
    seen = []
    folder = download(
        tmp_path / "data",
        urls=[url],
        sha256=sha,
        progress=lambda done, total: seen.append((done, total)),
    )
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == sorted(
        [
            "emnist-balanced-mapping.txt",
            "emnist-balanced-test-images-idx3-ubyte.gz",
            "emnist-balanced-test-labels-idx1-ubyte.gz",
            "emnist-balanced-train-images-idx3-ubyte.gz",
            "emnist-balanced-train-labels-idx1-ubyte.gz",
        ]
    )
    assert seen and seen[-1][0] == seen[-1][1] > 0
    dataset = load(folder)
    np.testing.assert_array_equal(dataset.train.images, upright["train"][0])


def test_second_download_reuses_verified_archive(tmp_path, served_archive):
    url, sha, _ = served_archive
    download(tmp_path, urls=[url], sha256=sha, progress=False)
    archive = tmp_path / ".download" / "gzip.zip"
    stamp = archive.stat().st_mtime_ns
    download(tmp_path, urls=[url], sha256=sha, progress=False)
    assert archive.stat().st_mtime_ns == stamp


def test_checksum_mismatch_keeps_nothing(tmp_path, served_archive):
    url, _, _ = served_archive
    with pytest.raises(DataError, match="SHA-256"):
        download(tmp_path, urls=[url], sha256="0" * 64, progress=False)
    assert not list(tmp_path.glob("*.gz"))
    assert not list((tmp_path / ".download").glob("gzip.zip"))


def test_interrupted_download_leaves_no_valid_looking_file(tmp_path, served_archive):
    url, sha, _ = served_archive
    _Handler.truncate = True
    with pytest.raises(DataError):
        download(tmp_path, urls=[url], sha256=sha, progress=False)
    assert not list(tmp_path.glob("*.gz"))
    assert not (tmp_path / ".download" / "gzip.zip").exists()
    _Handler.truncate = False
    download(tmp_path, urls=[url], sha256=sha, progress=False)  # restarts cleanly
    assert len(load(tmp_path).train) == 141


def test_offline_fails_fast_with_how_to(tmp_path):
    start = time.perf_counter()
    with pytest.raises(DataError) as err:
        download(tmp_path, urls=["http://127.0.0.1:9/gzip.zip"], progress=False, timeout=5)
    assert time.perf_counter() - start < 10
    message = str(err.value)
    assert "gzip.zip" in message and str(tmp_path) in message
    assert "emnist-balanced-train-images-idx3-ubyte.gz" in message
