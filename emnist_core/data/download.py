"""Fetch the official EMNIST archive from NIST with pooch and extract one split from it.

pooch downloads into a temporary file, checks the SHA-256 recorded by
tensorflow-datasets and only then moves the archive into place, so an interrupted
or corrupted download never leaves a file that looks valid; a later call restarts it.
Extraction reads each needed member (zip checks its CRC-32), verifies the IDX
structure, and writes it atomically, so the data folder only ever holds whole files.
"""

import zipfile
from collections.abc import Callable
from pathlib import Path

from emnist_core import settings
from emnist_core.atomic import check_destination, write_bytes
from emnist_core.data import idx
from emnist_core.data.metadata import (
    ARCHIVE_NAME,
    ARCHIVE_SHA256,
    ARCHIVE_SIZE,
    ARCHIVE_URLS,
    PARTS,
    SYNTHETIC_MARKER,
    idx_name,
    idx_names,
    mapping_name,
)
from emnist_core.data.synthetic import refuse_to_replace
from emnist_core.errors import DataError

# The largest split (byclass) extracts to about 200 MB; balanced to about 40 MB.
SPLIT_BYTES_BOUND = 200_000_000

Progress = Callable[[int, int], None]  # (bytes done, bytes total; 0 when unknown)
CACHE_SUBDIR = ".download"  # the archive is kept here so other splits need no new download


class _ProgressAdapter:
    """The tqdm-like object pooch drives, forwarding byte counts to a plain callable."""

    def __init__(self, callback: Progress):
        self.callback, self.total, self.n = callback, 0, 0

    def update(self, count: int) -> None:
        self.n += count
        self.callback(min(self.n, self.total or self.n), self.total)

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        pass


def _offline_message(urls, error: Exception, folder: Path, split: str) -> str:
    return (
        f"Could not download the EMNIST archive ({type(error).__name__}: {error}).\n"
        f"Tried: {', '.join(urls)}\n"
        f"Fix: on a machine with internet, download {ARCHIVE_NAME} from NIST's EMNIST page "
        f"and copy it (or the extracted files {', '.join(idx_names(split))}) into {folder}; "
        "the loader reads the archive directly. For an offline demo run "
        "`python -m emnist_core data synth --out DIR`."
    )


def fetch_archive(
    folder: Path,
    urls=ARCHIVE_URLS,
    sha256: str = ARCHIVE_SHA256,
    progress: Progress | bool = True,
    timeout: float = 15.0,
    split: str = "balanced",
) -> Path:
    """Download (or reuse a verified copy of) the archive into folder/.download/.

    split only shapes the offline message (which files to place by hand).
    """
    import pooch
    import requests

    cache = folder / CACHE_SUBDIR
    cache.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for url in urls:
        bar = _ProgressAdapter(progress) if callable(progress) else bool(progress)
        downloader = pooch.HTTPDownloader(progressbar=bar, timeout=timeout)
        try:
            path = pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256}",
                fname=ARCHIVE_NAME,
                path=cache,
                downloader=downloader,
            )
            return Path(path)
        except (requests.RequestException, OSError) as exc:
            last_error = exc
        except ValueError as exc:  # pooch: hash mismatch; the bad file is already removed
            raise DataError(
                f"The archive from {url} failed its SHA-256 check ({exc}); nothing was kept. "
                "Run the download again; if it keeps failing, the server copy changed."
            ) from None
    raise DataError(_offline_message(urls, last_error, folder, split))


def extract_split(archive_path: Path, folder: Path, split: str, force: bool = False) -> list[Path]:
    """Copy only the given split's five files out of the archive, verified and atomically.

    Every member is read and verified before the first is written; a file in the folder
    that differs from the official one is replaced only with force.
    """
    payloads = _read_members(archive_path, split)
    synthetic = (folder / SYNTHETIC_MARKER).is_file()
    differing = [name for name, data in payloads.items() if _differs(folder / name, data)]
    refuse_to_replace(folder, differing, made_here=False, force=force)
    written = []
    for name, payload in payloads.items():
        write_bytes(folder / name, payload)
        written.append(folder / name)
    if synthetic and force:
        (folder / SYNTHETIC_MARKER).unlink()  # the folder now holds real data for this split
    return written


def _differs(path: Path, payload: bytes) -> bool:
    return path.exists() and (path.stat().st_size != len(payload) or path.read_bytes() != payload)


def _read_members(archive_path: Path, split: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile as exc:
        raise DataError(f"{archive_path} is not a valid zip archive ({exc}).") from None
    payloads = {}
    with archive:
        members = {Path(n).name: n for n in archive.namelist()}
        for name in idx_names(split):
            if name not in members:
                raise DataError(f"{archive_path} has no member {name}; is it the EMNIST archive?")
            try:
                payload = archive.read(members[name])  # raises on a CRC-32 mismatch
            except zipfile.BadZipFile as exc:
                raise DataError(f"{name} in {archive_path} is damaged ({exc}).") from None
            _verify_member(name, payload, split)
            payloads[name] = payload
    return payloads


def _verify_member(name: str, payload: bytes, split: str) -> None:
    """Parse an extracted IDX member fully, so only structurally sound files are written."""
    for part in PARTS:
        if name == idx_name(split, part, "images"):
            idx.parse_images(idx.decompress(payload, name), name)
        elif name == idx_name(split, part, "labels"):
            idx.parse_labels(idx.decompress(payload, name), name)
    if name == mapping_name(split) and not payload.strip():
        raise DataError(f"{name} in the archive is empty.")


def download(
    data_dir: str | Path | None = None,
    split: str = "balanced",
    progress: Progress | bool = True,
    urls=ARCHIVE_URLS,
    sha256: str = ARCHIVE_SHA256,
    timeout: float = 15.0,
    force: bool = False,
) -> Path:
    """Download the official archive if needed and extract one split into the data folder.

    Returns the data folder. Offline, fails fast with a DataError saying how to place
    the files by hand. `urls` and `sha256` exist so tests can serve a small archive.
    Files the download did not make (a synthetic set, different files of the same
    names) are replaced only with force; the folder is checked before downloading.
    """
    folder = settings.data_dir(data_dir)
    check_download_target(folder, split, force)
    archive_path = fetch_archive(folder, urls, sha256, progress, timeout, split)
    extract_split(archive_path, folder, split, force)
    return folder


def check_download_target(folder: Path, split: str, force: bool) -> None:
    """Before the first byte: the folder is writable, has room, and holds no synthetic set."""
    cached = (folder / CACHE_SUBDIR / ARCHIVE_NAME).is_file()
    need = SPLIT_BYTES_BOUND + (0 if cached else ARCHIVE_SIZE)
    check_destination(folder, need, "data folder", 0 if cached else ARCHIVE_SIZE)
    marker = (folder / SYNTHETIC_MARKER).is_file()
    refuse_to_replace(folder, idx_names(split) if marker else [], made_here=False, force=force)
